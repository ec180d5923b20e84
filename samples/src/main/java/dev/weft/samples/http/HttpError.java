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
     * @param status the HTTP status code to answer with: a client or server error, 400 to 599
     * @param reason what was wrong with the request, for the response body and logs
     * @throws IllegalArgumentException naming the status if it is not 400 to 599
     */
    public HttpError(int status, String reason) {
        super(status + " " + reason, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status " + status + " is not an error status: 400 to 599");
        }
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
