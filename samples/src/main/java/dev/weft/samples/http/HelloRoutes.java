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
    /** A 405 must say which methods the resource does allow (RFC 9110 section 15.5.6). */
    private static final Promise<Response> ONLY_GET =
            Promise.of(Response.text(405, "text/plain", "method not allowed\n").withField("Allow", "GET, HEAD"));
    private static final Promise<Response> ONLY_POST =
            Promise.of(Response.text(405, "text/plain", "method not allowed\n").withField("Allow", "POST"));

    /** Creates the routes. */
    public HelloRoutes() {}

    @Override
    public Promise<Response> handle(Request request) {
        String method = request.head().method();
        boolean get = method.equals("GET") || method.equals("HEAD");
        return switch (request.head().path()) {
            case "/plaintext" -> get ? PLAINTEXT : ONLY_GET;
            case "/json" -> get ? JSON : ONLY_GET;
            case "/chunked" -> get ? CHUNKED : ONLY_GET;
            case "/echo" -> method.equals("POST")
                    ? Promise.of(new Response(200, "application/octet-stream", request.body(), null))
                    : ONLY_POST;
            default -> NOT_FOUND;
        };
    }
}
