package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP sample over real loopback sockets on both engines, with real clients: Java's
 * HttpClient, curl, and raw sockets for what clients will not send. The loop runs on its own
 * thread; every client wait is bounded by a socket timeout, never a sleep.
 */
@Timeout(120)
class HttpServerTest {
    private static final HttpLimits LIMITS =
            new HttpLimits(8192, 1 << 20, Duration.ofMillis(500), Duration.ofSeconds(30));

    private Loop loop;
    private HttpServer server;
    private int port;

    private void start(EngineKind kind) throws Exception {
        start(kind, new HelloRoutes());
    }

    private void start(EngineKind kind, HttpHandler handler) throws Exception {
        Engine engine = Engines.open(kind);
        loop = Loop.builder().name("http-test").engine(engine).build();
        loop.start();
        server = loop.submit(() -> {
            Sockets sockets = Sockets.on(loop);
            var listener = sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenOptions.DEFAULT);
            return Promise.of(HttpServer.start(loop, listener, handler, LIMITS));
        }).get(30, TimeUnit.SECONDS);
        port = ((InetSocketAddress) server.address()).getPort();
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Sends raw bytes and reads until the server closes the connection. */
    private String exchangeUntilClose(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aResponseThatClosesTheConnectionArrivesWholeThoughTheClientSendsMoreMeanwhile(EngineKind kind)
            throws Exception {
        start(kind);
        String body = "e".repeat(1 << 20);
        String closing = "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // the response cannot all be in flight at once
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(closing.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String start = new String(in.readNBytes(17), StandardCharsets.ISO_8859_1); // the server is answering

            // a request the server will never read: it closes after this response
            socket.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);

            assertEquals("HTTP/1.1 200 OK\r\n", start);
            assertTrue(rest.endsWith(body), "the whole echo arrived: " + rest.length() + " bytes after the status line");
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void javaHttpClientGetsPlaintextAndJsonOverOneKeptAliveConnection(EngineKind kind) throws Exception {
        start(kind);
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> plain = client.send(HttpRequest.newBuilder(uri("/plaintext")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, plain.statusCode());
                assertEquals("Hello, World!", plain.body());
                assertEquals("text/plain", plain.headers().firstValue("content-type").orElseThrow());
            }
            HttpResponse<String> json = client.send(HttpRequest.newBuilder(uri("/json")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"message\":\"Hello, World!\"}", json.body());
            assertEquals(1, loop.submit(() -> Promise.of(server.openConnections())).get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void javaHttpClientPostsABodyThatComesBack(EngineKind kind) throws Exception {
        start(kind);
        byte[] body = new byte[200_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<byte[]> echoed = client.send(HttpRequest.newBuilder(uri("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, echoed.statusCode());
            assertTrue(java.util.Arrays.equals(body, echoed.body()));
        }
    }

    private static Path curl() {
        Path curl = Path.of("/usr/bin/curl");
        Assumptions.assumeTrue(Files.isExecutable(curl), "curl is not installed (apt-get install curl): skipped");
        return curl;
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "curl did not finish");
        assertEquals(0, process.exitValue(), out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void curlGetsPlaintextTwiceOnOneConnectionAndPostsAChunkedBody(EngineKind kind) throws Exception {
        Path curl = curl();
        start(kind);
        String twice = run(List.of(curl.toString(), "-sS", "--max-time", "30", uri("/plaintext").toString(),
                uri("/plaintext").toString()));
        assertEquals("Hello, World!Hello, World!", twice);
        String chunked = run(List.of(curl.toString(), "-sS", "--max-time", "30", "-H", "Transfer-Encoding: chunked",
                "--data-binary", "sent in chunks", uri("/echo").toString()));
        assertEquals("sent in chunks", chunked);
        String streamed = run(List.of(curl.toString(), "-sS", "--max-time", "30", uri("/chunked").toString()));
        assertEquals("Hello, chunked World!", streamed);
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void pipelinedRequestsAreAnsweredInOrder(EngineKind kind) throws Exception {
        start(kind);
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            batch.append("GET ").append(i % 2 == 0 ? "/plaintext" : "/json").append(" HTTP/1.1\r\nHost: t\r\n\r\n");
        }
        batch.append("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        String out = exchangeUntilClose(batch.toString());
        int from = 0;
        for (int i = 0; i < 17; i++) {
            String expected = i % 2 == 0 ? "Hello, World!" : "{\"message\":\"Hello, World!\"}";
            int at = out.indexOf(expected, from);
            assertTrue(at >= 0, "response " + i + " missing or out of order: " + out);
            from = at + expected.length();
        }
        assertEquals(out.length(), from, "nothing after the last response");
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void malformedOversizedAndUnsupportedRequestsGetTheirStatusAndAClose(EngineKind kind) throws Exception {
        start(kind);
        assertTrue(exchangeUntilClose("GET / HTTP/1.1\r\nHost : t\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchangeUntilClose("GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchangeUntilClose("GET / HTTP/1.1\r\nHost: t\r\nX: " + "a".repeat(10_000) + "\r\n\r\n")
                .startsWith("HTTP/1.1 431 "));
        assertTrue(exchangeUntilClose("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n")
                .startsWith("HTTP/1.1 413 "));
        assertTrue(exchangeUntilClose("GET / HTTP/3.0\r\nHost: t\r\n\r\n").startsWith("HTTP/1.1 505 "));
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aSlowlorisConnectionGets408AndIsClosedAfterTheHeaderTimeout(EngineKind kind) throws Exception {
        start(kind);
        long start = System.nanoTime();
        String out = exchangeUntilClose("GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Slow: ");
        long waited = System.nanoTime() - start;
        assertTrue(out.startsWith("HTTP/1.1 408 "), out);
        assertTrue(waited >= LIMITS.headerTimeout().toNanos(), "closed before the header timeout");
    }

    /**
     * After refusing a request the server lingers: a client still sending when the error goes out
     * reads the error instead of a reset. Closing at once, with unread bytes in the socket, makes
     * the kernel answer with RST, and the client's next write or read fails.
     */
    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aClientStillSendingAnOversizedHeadReadsThe431(EngineKind kind) throws Exception {
        start(kind);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Big: ".getBytes(StandardCharsets.US_ASCII));
            byte[] more = new byte[64 * 1024];
            Arrays.fill(more, (byte) 'y');
            for (int i = 0; i < 16; i++) {
                out.write(more); // 1 MiB in all: long after the server answered at 8 KiB
            }
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), response);
            assertTrue(response.contains("Connection: close\r\n"), response);
        }
    }

    /**
     * The soak's "Connection reset by peer" under a full heap: an OutOfMemoryError while serving
     * one request used to close the connection at once, with the client's next request unread, so
     * the kernel reset it under a client still sending. Now the client reads a 503.
     */
    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aClientStillSendingWhenTheServerRunsOutOfMemoryReadsA503(EngineKind kind) throws Exception {
        start(kind, request -> {
            throw new OutOfMemoryError("Java heap space (thrown by the test)");
        });
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx".getBytes(StandardCharsets.US_ASCII));
            out.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] more = new byte[64 * 1024];
            for (int i = 0; i < 16; i++) {
                out.write(more); // the next request's body, sent after the server failed the first
            }
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), response);
            assertTrue(response.contains("Connection: close\r\n"), response);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void shutdownClosesIdleConnectionsAndResolves(EngineKind kind) throws Exception {
        start(kind);
        try (Socket idle = new Socket(InetAddress.getLoopbackAddress(), port)) {
            idle.setSoTimeout(20_000);
            OutputStream out = idle.getOutputStream();
            out.write("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = idle.getInputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            while (!seen.toString(StandardCharsets.ISO_8859_1).endsWith("Hello, World!")) {
                seen.write(in.read());
            }
            loop.submit(() -> server.shutdown(Duration.ofSeconds(10))).get(30, TimeUnit.SECONDS);
            assertEquals(-1, in.read(), "the idle connection was closed");
            assertEquals(0, loop.submit(() -> Promise.of(server.openConnections())).get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void shutdownClosesAConnectionWhoseHandlerOutlivesTheGrace(EngineKind kind)
            throws Exception {
        CompletableFuture<Void> handlerCalled = new CompletableFuture<>();
        start(kind, request -> {
            handlerCalled.complete(null);
            return Promise.<Response>pending().promise(); // never answered, and not cancelable
        });
        try (Socket busy = new Socket(InetAddress.getLoopbackAddress(), port)) {
            busy.setSoTimeout(20_000);
            busy.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            handlerCalled.get(20, TimeUnit.SECONDS);

            loop.submit(() -> server.shutdown(Duration.ofMillis(100))).get(30, TimeUnit.SECONDS);

            assertEquals(-1, busy.getInputStream().read(), "closed once the grace ran out, with nothing sent");
            assertEquals(0, loop.submit(() -> Promise.of(server.openConnections())).get(10, TimeUnit.SECONDS));
        }
    }
}
