package dev.weft.samples.http;

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

    private long cachedSecond = Long.MIN_VALUE;
    private String date = "";

    /**
     * The last few responses encoded this second, by identity: a server answering with constant
     * Response objects (a hello route) encodes each once per second, not once per request.
     */
    private final Response[] cachedResponses = new Response[4];
    private final byte[][] cachedKeepAlive = new byte[4][];
    private final byte[][] cachedClose = new byte[4][];
    private long cacheSecond = Long.MIN_VALUE;
    private int nextCacheSlot;

    /** Creates an encoder with an empty Date cache. */
    public Responses() {}

    /**
     * The bytes of a complete response.
     *
     * @param status the status code
     * @param contentType the Content-Type value
     * @param body the body (may be empty)
     * @param keepAlive false to add {@code Connection: close}
     * @param nowMillis the wall-clock time, for the Date field
     */
    public byte[] encode(int status, String contentType, byte[] body, boolean keepAlive, long nowMillis) {
        StringBuilder head = new StringBuilder(128)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Date: ").append(date(nowMillis)).append("\r\n");
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] response = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, response, 0, headBytes.length);
        System.arraycopy(body, 0, response, headBytes.length, body.length);
        return response;
    }

    /**
     * The bytes of {@code response}, from a per-second cache when the same Response object was
     * encoded this second. The returned array must not be modified.
     */
    public byte[] encodeCached(Response response, boolean keepAlive, long nowMillis) {
        long second = Math.floorDiv(nowMillis, 1000);
        if (second != cacheSecond) {
            cacheSecond = second;
            Arrays.fill(cachedResponses, null);
            Arrays.fill(cachedKeepAlive, null);
            Arrays.fill(cachedClose, null);
        }
        for (int i = 0; i < cachedResponses.length; i++) {
            if (cachedResponses[i] == response) {
                byte[][] variant = keepAlive ? cachedKeepAlive : cachedClose;
                if (variant[i] == null) {
                    variant[i] = encode(response.status(), response.contentType(), response.body(), keepAlive, nowMillis);
                }
                return variant[i];
            }
        }
        byte[] encoded = encode(response.status(), response.contentType(), response.body(), keepAlive, nowMillis);
        int slot = nextCacheSlot;
        nextCacheSlot = (slot + 1) % cachedResponses.length;
        cachedResponses[slot] = response;
        cachedKeepAlive[slot] = keepAlive ? encoded : null;
        cachedClose[slot] = keepAlive ? null : encoded;
        return encoded;
    }

    /** The head of a chunked response: the status line and fields, ending with the empty line. */
    public byte[] chunkedHead(int status, String contentType, boolean keepAlive, long nowMillis) {
        StringBuilder head = new StringBuilder(128)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Transfer-Encoding: chunked\r\n")
                .append("Date: ").append(date(nowMillis)).append("\r\n");
        if (!keepAlive) {
            head.append("Connection: close\r\n");
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
