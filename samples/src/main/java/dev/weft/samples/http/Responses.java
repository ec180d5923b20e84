package dev.weft.samples.http;

import dev.weft.loop.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Encodes HTTP/1.1 responses. The Date field (RFC 9110 requires it from a server with a clock)
 * changes once a second, so the encoded text of each fixed response is cached per second. Any
 * other response is copied together from precomputed bytes (the status line with its
 * Content-Type, this second's Date field, the Connection field) and the few that change.
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

    /**
     * The largest body {@link #encodeCached} keeps an encoding of: the cache exists for small
     * constant responses, and holding a few large ones (an echoed upload) for as long as the
     * server stays idle would pin their memory for nothing.
     */
    static final int CACHED_BODY_BYTES = 4096;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] TRANSFER_ENCODING_CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    /** The Connection field of each {@link ConnectionField}, by ordinal. */
    private static final byte[][] CONNECTION_FIELDS = {ascii(""), ascii("Connection: keep-alive\r\n"),
        ascii("Connection: close\r\n")};

    private long cachedSecond = Long.MIN_VALUE;
    private byte[] dateField = EMPTY;

    /** The start of the head (status line and Content-Type) of the last few pairs of status and type. */
    private final int[] startStatuses = new int[4];
    private final String[] startTypes = new String[4];
    private final byte[][] startBytes = new byte[4][];
    private int nextStartSlot;

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
        return encode(response, false, connection, nowMillis);
    }

    /**
     * The bytes of {@code response}, from a per-second cache when the same Response object was
     * encoded this second. The returned array must not be modified.
     *
     * <p>The cache is keyed by identity, which is sound because a Response is a value (its body is
     * its own copy; see {@link Response}): the same object always encodes to the same bytes within
     * a second. Equal but distinct responses are each encoded (right, only not cached). It holds
     * at most four responses, each with a body of at most {@value #CACHED_BODY_BYTES} bytes (a
     * larger one is encoded and not kept).
     */
    public byte[] encodeCached(Response response, ConnectionField connection, long nowMillis) {
        if (response.bodyBytes().length > CACHED_BODY_BYTES) {
            return encode(response, connection, nowMillis);
        }
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
        forgetEncodings(slot);
        variant[slot] = encoded;
        return encoded;
    }

    private void forgetEncodings(int slot) {
        for (byte[][] variant : cachedEncodings) {
            variant[slot] = null;
        }
    }

    /** The head of a chunked response: the status line and fields, ending with the empty line. */
    public byte[] chunkedHead(Response response, ConnectionField connection, long nowMillis) {
        return encode(response, true, connection, nowMillis);
    }

    /**
     * The head, and for a Content-Length response the body after it, in one array of exactly
     * their size: copies of precomputed bytes (the status line with the Content-Type field, the
     * Date field of this second, the Connection field) and the few that change (the length's
     * digits, the response's own fields, the body).
     */
    private byte[] encode(Response response, boolean chunked, ConnectionField connection, long nowMillis) {
        byte[] start = statusLineAndType(response);
        byte[] body = chunked ? EMPTY : response.bodyBytes();
        boolean length = !chunked && sendsContentLength(response.status());
        byte[] framing = chunked ? TRANSFER_ENCODING_CHUNKED : length ? CONTENT_LENGTH : EMPTY;
        int digits = length ? decimalDigits(body.length) : 0;
        byte[] date = dateField(nowMillis);
        byte[] connectionField = CONNECTION_FIELDS[connection.ordinal()];
        int size = start.length + framing.length + (length ? digits + 2 : 0) + fieldsLength(response) + date.length
                + connectionField.length + 2 + body.length;
        byte[] out = new byte[size];
        int at = put(out, 0, start);
        at = put(out, at, framing);
        if (length) {
            at = putDecimal(out, at, body.length, digits);
            at = put(out, at, CRLF);
        }
        for (Response.Field field : response.fields()) {
            at = putAscii(out, at, field.name());
            out[at++] = ':';
            out[at++] = ' ';
            at = putAscii(out, at, field.value());
            at = put(out, at, CRLF);
        }
        at = put(out, at, date);
        at = put(out, at, connectionField);
        at = put(out, at, CRLF);
        put(out, at, body);
        return out;
    }

    /**
     * Whether a response with {@code status} carries Content-Length: not a 204 (RFC 9110 section
     * 8.6 forbids it) nor a 304, whose Content-Length would have to be the length of the content a
     * 200 would have had, which the server does not know. A 205 says {@code Content-Length: 0}.
     */
    private static boolean sendsContentLength(int status) {
        return status != 204 && status != 304;
    }

    /**
     * {@code HTTP/1.1 <status> <reason>} and the Content-Type field, as bytes: made once per
     * status and content type among the last few used, not per response.
     */
    private byte[] statusLineAndType(Response response) {
        int status = response.status();
        String type = response.contentType();
        for (int i = 0; i < startTypes.length; i++) {
            if (startBytes[i] != null && startStatuses[i] == status && Objects.equals(startTypes[i], type)) {
                return startBytes[i];
            }
        }
        byte[] made = ("HTTP/1.1 " + status + ' ' + reason(status) + "\r\nContent-Type: " + type + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        int slot = nextStartSlot;
        nextStartSlot = (slot + 1) % startTypes.length;
        startStatuses[slot] = status;
        startTypes[slot] = type;
        startBytes[slot] = made;
        return made;
    }

    private static int fieldsLength(Response response) {
        int length = 0;
        for (Response.Field field : response.fields()) {
            length += field.name().length() + 2 + field.value().length() + 2;
        }
        return length;
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** Puts a string of ASCII characters (field names and values are checked to be) as bytes. */
    private static int putAscii(byte[] out, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out[at + i] = (byte) ascii.charAt(i);
        }
        return at + ascii.length();
    }

    private static int decimalDigits(int n) {
        int digits = 1;
        for (int rest = n / 10; rest > 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    /** Puts the {@code digits} decimal digits of {@code n}, which is not negative. */
    private static int putDecimal(byte[] out, int at, int n, int digits) {
        int rest = n;
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        return at + digits;
    }

    /** {@code Date: <IMF-fixdate>} and its line end, as bytes: made once per second. */
    private byte[] dateField(long nowMillis) {
        long second = Math.floorDiv(nowMillis, 1000);
        if (second != cachedSecond) {
            cachedSecond = second;
            dateField = ("Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(second)) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }
        return dateField;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The reason phrase of {@code status}: RFC 9110's for the common ones, {@code Unknown} for the rest (clients ignore it). */
    public static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 205 -> "Reset Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Unknown";
        };
    }
}
