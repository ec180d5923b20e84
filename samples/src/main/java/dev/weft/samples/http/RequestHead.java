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

    /**
     * The target's path: the target up to its query string. For an absolute-form target
     * ({@code http://host/path?q}, RFC 9112 section 3.2.2) the path after the authority, or
     * {@code /} when it has none.
     */
    public String path() {
        int from = 0;
        if (target.charAt(0) != '/' && isAbsoluteForm(target)) {
            int authority = target.indexOf("://") + 3;
            int slash = target.indexOf('/', authority);
            int query = target.indexOf('?', authority);
            if (slash < 0 || query >= 0 && query < slash) {
                return "/";
            }
            from = slash;
        }
        int query = target.indexOf('?', from);
        return query < 0 ? (from == 0 ? target : target.substring(from)) : target.substring(from, query);
    }

    /** Whether {@code target} is an absolute URI with an authority: a scheme, then {@code ://}. */
    static boolean isAbsoluteForm(String target) {
        int colon = target.indexOf("://");
        if (colon <= 0 || !isAsciiLetter(target.charAt(0))) {
            return false;
        }
        for (int i = 1; i < colon; i++) {
            char c = target.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
