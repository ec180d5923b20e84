package dev.weft.samples.http;

/**
 * The request line and headers of one HTTP/1.x request, as {@link RequestHeadParser} read them.
 *
 * @param method the method token, e.g. {@code GET}
 * @param target the request target as sent, e.g. {@code /plaintext?x=1}
 * @param minorVersion 1 for HTTP/1.1, 0 for HTTP/1.0
 * @param headers the header fields in arrival order
 * @param keepAlive whether the connection may carry another request after this one
 * @param contentLength the body length from Content-Length, or -1 if absent
 * @param chunked whether the body uses the chunked transfer coding
 */
public record RequestHead(String method, String target, int minorVersion, Headers headers,
        boolean keepAlive, long contentLength, boolean chunked) {

    /** Whether a body follows the head. */
    public boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /** The target's path: the target up to its query string. */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }
}
