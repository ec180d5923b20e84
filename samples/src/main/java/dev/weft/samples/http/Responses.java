package dev.weft.samples.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'").withZone(ZoneOffset.UTC);

    private long cachedSecond = Long.MIN_VALUE;
    private String date = "";

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

    /** Whether {@code nowMillis} falls in a later second than the cached Date field. */
    public boolean dateChanged(long nowMillis) {
        return Math.floorDiv(nowMillis, 1000) != cachedSecond;
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
