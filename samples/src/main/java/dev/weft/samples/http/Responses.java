package dev.weft.samples.http;

import dev.weft.loop.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Encodes HTTP/1.1 responses. The Date field (RFC 9110 requires it from a server with a clock)
 * changes once a second, so the encoded text of each fixed response is cached per second.
 *
 * <p>Not thread-safe: one instance per loop.
 */
public final class Responses {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** A line end, as bytes. */
    static final byte[] CRLF = {'\r', '\n'};
    /** The last chunk and the empty trailer section of a chunked body. */
    static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * The Connection field a response carries: none for a persistent HTTP/1.1 connection (the
     * default there), {@code keep-alive} for a persistent HTTP/1.0 one (whose default is to
     * close), {@code close} when the server closes after the response.
     */
    public enum ConnectionField {
        /** No Connection field: HTTP/1.1 stays open by default. */
        NONE,
        /** {@code Connection: keep-alive}: an HTTP/1.0 client asked for it and gets it. */
        KEEP_ALIVE,
        /** {@code Connection: close}: the server closes after this response. */
        CLOSE;

        /** The field for a response to an HTTP/1.{@code minorVersion} request. */
        public static ConnectionField of(boolean close, int minorVersion) {
            return close ? CLOSE : minorVersion == 0 ? KEEP_ALIVE : NONE;
        }
    }

    private long cachedSecond = Long.MIN_VALUE;
    private String date = "";

    /**
     * The last few responses encoded this second, by identity: a server answering with constant
     * Response objects (a hello route) encodes each once per second, not once per request.
     * {@code cachedEncodings[connection field][slot]}.
     */
    private final Response[] cachedResponses = new Response[4];
    private final byte[][][] cachedEncodings = new byte[ConnectionField.values().length][4][];
    private long cacheSecond = Long.MIN_VALUE;
    private int nextCacheSlot;

    /** The wall-clock second last read (its first millisecond), and the monotonic time it ends. */
    private long wallSecondMillis;
    private long wallSecondEndsNanos;
    private boolean wallSecondRead;

    /** Creates an encoder with an empty Date cache. */
    public Responses() {}

    /**
     * The wall-clock time for a Date field at monotonic time {@code nowNanos} of {@code clock},
     * to the second: the wall clock is read once per wall second (when {@code nowNanos} passes the
     * end of the second read last), not once per response. A step of the wall clock (NTP, an
     * operator) shows from the end of the current second on.
     *
     * @param clock the loop's clock
     * @param nowNanos a reading of {@code clock.nanoTime()} taken in the current callback
     * @return the first millisecond of the current wall-clock second, since the Unix epoch
     */
    public long wallTimeMillis(Clock clock, long nowNanos) {
        if (!wallSecondRead || nowNanos - wallSecondEndsNanos >= 0) {
            long wall = clock.wallTimeMillis();
            long monotonic = clock.nanoTime();
            wallSecondMillis = wall - Math.floorMod(wall, 1000L);
            wallSecondEndsNanos = monotonic + (wallSecondMillis + 1000 - wall) * 1_000_000L;
            wallSecondRead = true;
        }
        return wallSecondMillis;
    }

    /**
     * The bytes of a complete response with a Content-Length body.
     *
     * @param response the response; its chunks, if any, are ignored
     * @param connection the Connection field to add
     * @param nowMillis the wall-clock time, for the Date field
     */
    public byte[] encode(Response response, ConnectionField connection, long nowMillis) {
        byte[] body = response.body();
        StringBuilder head = statusLine(response).append("Content-Length: ").append(body.length).append("\r\n");
        byte[] headBytes = endHead(head, response, connection, nowMillis);
        byte[] encoded = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, encoded, 0, headBytes.length);
        System.arraycopy(body, 0, encoded, headBytes.length, body.length);
        return encoded;
    }

    /**
     * The bytes of {@code response}, from a per-second cache when the same Response object was
     * encoded this second. The returned array must not be modified.
     */
    public byte[] encodeCached(Response response, ConnectionField connection, long nowMillis) {
        long second = Math.floorDiv(nowMillis, 1000);
        if (second != cacheSecond) {
            cacheSecond = second;
            Arrays.fill(cachedResponses, null);
            for (byte[][] variant : cachedEncodings) {
                Arrays.fill(variant, null);
            }
        }
        byte[][] variant = cachedEncodings[connection.ordinal()];
        for (int i = 0; i < cachedResponses.length; i++) {
            if (cachedResponses[i] == response) {
                if (variant[i] == null) {
                    variant[i] = encode(response, connection, nowMillis);
                }
                return variant[i];
            }
        }
        byte[] encoded = encode(response, connection, nowMillis);
        int slot = nextCacheSlot;
        nextCacheSlot = (slot + 1) % cachedResponses.length;
        cachedResponses[slot] = response;
        for (byte[][] other : cachedEncodings) {
            other[slot] = null;
        }
        variant[slot] = encoded;
        return encoded;
    }

    /** The head of a chunked response: the status line and fields, ending with the empty line. */
    public byte[] chunkedHead(Response response, ConnectionField connection, long nowMillis) {
        return endHead(statusLine(response).append("Transfer-Encoding: chunked\r\n"), response, connection, nowMillis);
    }

    private static StringBuilder statusLine(Response response) {
        int status = response.status();
        return new StringBuilder(128)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(response.contentType()).append("\r\n");
    }

    /** The response's own fields, Date, Connection and the empty line, as bytes. */
    private byte[] endHead(StringBuilder head, Response response, ConnectionField connection, long nowMillis) {
        for (Response.Field field : response.fields()) {
            head.append(field.name()).append(": ").append(field.value()).append("\r\n");
        }
        head.append("Date: ").append(date(nowMillis)).append("\r\n");
        switch (connection) {
            case NONE -> { }
            case KEEP_ALIVE -> head.append("Connection: keep-alive\r\n");
            case CLOSE -> head.append("Connection: close\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private String date(long nowMillis) {
        long second = Math.floorDiv(nowMillis, 1000);
        if (second != cachedSecond) {
            cachedSecond = second;
            date = IMF_FIXDATE.format(Instant.ofEpochSecond(second));
        }
        return date;
    }

    /** The reason phrase for the statuses this server sends. */
    public static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Unknown";
        };
    }
}
