package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./weft serve}'s graceful shutdown, in process, the signal replaced by a direct call of
 * what the signal triggers ({@link HttpServerMain.Running#stop}): stop accepting, answer the
 * requests in flight, close idle keep-alive connections, then release every fd. The signal path
 * itself and the exit status are {@link HttpServerMainTest}'s.
 */
@Timeout(120)
class GracefulShutdownTest {
    private static final String[] ARGS = {"--port", "0", "--loops", "1", "--grace-ms", "20000"};
    private static final String BODY = "the body of a request in flight";

    @Test
    void aRequestInFlightWhenShutdownStartsGetsItsFullResponse() throws Exception {
        HttpServerMain.start(ARGS).stop(); // classes loaded (and their jars opened) before counting
        long fdsBefore = openFds();
        HttpServerMain.Running server = HttpServerMain.start(ARGS);
        try (Socket client = connect(server)) {
            sendHeadAndAwaitContinue(client);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);
            server.draining().get(30, TimeUnit.SECONDS);

            client.getOutputStream().write(BODY.getBytes(StandardCharsets.US_ASCII));
            String response = readToEnd(client.getInputStream());

            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.toLowerCase().contains("connection: close"), response);
            assertTrue(response.endsWith(BODY), response);
            stopped.get(30, TimeUnit.SECONDS);
        }
        assertTrue(server.group().isClosed());
        assertEquals(fdsBefore, openFds(), "every socket, epoll and eventfd is released");
    }

    @Test
    void newConnectionsAreRefusedOnceShutdownHasStarted() throws Exception {
        HttpServerMain.Running server = HttpServerMain.start(ARGS);
        try (Socket inFlight = connect(server)) {
            sendHeadAndAwaitContinue(inFlight); // keeps the drain, and so the shutdown, going
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);
            server.draining().get(30, TimeUnit.SECONDS);

            assertThrows(ConnectException.class, () -> connect(server).close());

            inFlight.getOutputStream().write(BODY.getBytes(StandardCharsets.US_ASCII));
            readToEnd(inFlight.getInputStream());
            stopped.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedByTheShutdown() throws Exception {
        HttpServerMain.Running server = HttpServerMain.start(ARGS);
        try (Socket client = connect(server)) {
            client.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] first = client.getInputStream().readNBytes(17);
            assertEquals("HTTP/1.1 200 OK\r\n", new String(first, StandardCharsets.US_ASCII));

            server.stop();

            String rest = readToEnd(client.getInputStream()); // the rest of the first response, then EOF
            assertTrue(rest.endsWith("Hello, World!"), rest);
        }
    }

    private static Socket connect(HttpServerMain.Running server) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(server.address().getAddress(), server.address().getPort()), 10_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** A POST whose head asks for 100-continue: once the 100 is read, the server holds the request. */
    private static void sendHeadAndAwaitContinue(Socket client) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: " + BODY.length()
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String expected = "HTTP/1.1 100 Continue\r\n\r\n";
        assertEquals(expected, new String(client.getInputStream().readNBytes(expected.length()),
                StandardCharsets.US_ASCII));
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
