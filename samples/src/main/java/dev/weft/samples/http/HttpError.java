package dev.weft.samples.http;

import java.io.Serial;

/**
 * A request the server refuses, with the status to answer it by (400, 413, 431, 501, 505). After
 * one of these the connection is answered and closed: the parser's position in the byte stream
 * can no longer be trusted.
 */
public final class HttpError extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * Creates the error.
     *
     * @param status the HTTP status code to answer with
     * @param reason what was wrong with the request, for the response body and logs
     */
    public HttpError(int status, String reason) {
        super(status + " " + reason, null, false, false);
        this.status = status;
    }

    /** The HTTP status code to answer with. */
    public int status() {
        return status;
    }

    /** 400: the request does not follow HTTP/1.1's syntax. */
    static HttpError badRequest(String reason) {
        return new HttpError(400, reason);
    }
}
