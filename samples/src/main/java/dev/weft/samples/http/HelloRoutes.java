package dev.weft.samples.http;

import dev.weft.promise.Promise;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The sample's routes: {@code GET /plaintext} (the benchmark route), {@code GET /json},
 * {@code POST /echo} (answers with the request body) and {@code GET /chunked} (a chunked
 * response). Other paths are 404; other methods on these paths are 405. HEAD works wherever GET
 * does.
 */
public final class HelloRoutes implements HttpHandler {
    private static final Promise<Response> PLAINTEXT =
            Promise.of(Response.text(200, "text/plain", "Hello, World!"));
    private static final Promise<Response> JSON =
            Promise.of(Response.text(200, "application/json", "{\"message\":\"Hello, World!\"}"));
    private static final Promise<Response> CHUNKED = Promise.of(Response.chunked(200, "text/plain", List.of(
            "Hello, ".getBytes(StandardCharsets.US_ASCII),
            "chunked ".getBytes(StandardCharsets.US_ASCII),
            "World!".getBytes(StandardCharsets.US_ASCII))));
    private static final Promise<Response> NOT_FOUND = Promise.of(Response.text(404, "text/plain", "not found\n"));
    private static final Promise<Response> NOT_ALLOWED =
            Promise.of(Response.text(405, "text/plain", "method not allowed\n"));

    /** Creates the routes. */
    public HelloRoutes() {}

    @Override
    public Promise<Response> handle(Request request) {
        String method = request.head().method();
        boolean get = method.equals("GET") || method.equals("HEAD");
        return switch (request.head().path()) {
            case "/plaintext" -> get ? PLAINTEXT : NOT_ALLOWED;
            case "/json" -> get ? JSON : NOT_ALLOWED;
            case "/chunked" -> get ? CHUNKED : NOT_ALLOWED;
            case "/echo" -> method.equals("POST")
                    ? Promise.of(new Response(200, "application/octet-stream", request.body(), null))
                    : NOT_ALLOWED;
            default -> NOT_FOUND;
        };
    }
}
