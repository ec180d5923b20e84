package dev.weft.samples.http;

import dev.weft.promise.Promise;

/**
 * The application side of the HTTP server: a function from a request to a promised response.
 * Called on the loop thread, one request at a time per connection, in arrival order (pipelined
 * requests are answered in order). A rejected promise becomes a 500 response.
 */
@FunctionalInterface
public interface HttpHandler {
    /**
     * Answers one request.
     *
     * @param request the request, body included
     * @return the response, possibly later
     */
    Promise<Response> handle(Request request);
}
