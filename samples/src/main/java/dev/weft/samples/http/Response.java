package dev.weft.samples.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A response to send: a status, a content type and either a body sent with Content-Length, or
 * chunks sent with the chunked transfer coding (when {@code chunks} is not null).
 *
 * @param status the HTTP status code
 * @param contentType the Content-Type value
 * @param body the body for a Content-Length response; ignored when chunked
 * @param chunks the chunks of a chunked response, or null
 */
public record Response(int status, String contentType, byte[] body, List<byte[]> chunks) {

    /** A response with a text body in UTF-8. */
    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), null);
    }

    /** A response sent with the chunked transfer coding, one chunk per element. */
    public static Response chunked(int status, String contentType, List<byte[]> chunks) {
        return new Response(status, contentType, new byte[0], List.copyOf(chunks));
    }

    /** Whether this response is sent chunked. */
    public boolean isChunked() {
        return chunks != null;
    }
}
