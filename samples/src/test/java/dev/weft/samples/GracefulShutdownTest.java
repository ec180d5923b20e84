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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./weft serve}'s graceful shutdown, in process, the signal replaced by a direct call of
 * what the signal triggers ({@link HttpServerMain.Running#stop}): stop accepting, answer the
 * requests in flight, close idle keep-alive connections, then release every fd; with one loop and
 * with the default loop count, where every loop stops accepting in its own exit hook. The signal
 * path itself and the exit status are {@link HttpServerMainTest}'s.
 */
@Timeout(120)
class GracefulShutdownTest {
    private static final String BODY = "the body of a request in flight";

    /**
     * The server's arguments with {@code loops} loops: one, or the default (one per processor),
     * where each loop stops accepting in its own exit hook.
     */
    private static String[] args(String loops) {
        return loops.equals("default") ? new String[] {"--port", "0", "--grace-ms", "20000"}
                : new String[] {"--port", "0", "--grace-ms", "20000", "--loops", loops};
    }

    @ParameterizedTest(name = "loops: {0}")
    @ValueSource(strings = {"1", "default"})
    void aRequestInFlightWhenShutdownStartsGetsItsFullResponse(String loops) throws Exception {
        HttpServerMain.start(args(loops)).stop(); // classes loaded (and their jars opened) before counting
        long fdsBefore = OpenFds.count();
        HttpServerMain.Running server = HttpServerMain.start(args(loops));
        try (Socket client = connect(server)) {
            sendHeadAndAwaitContinue(client);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);
            server.draining().get(30, TimeUnit.SECONDS);

            client.getOutputStream().write(BODY.getBytes(StandardCharsets.US_ASCII));
            String response = readToEnd(client.getInputStream());

            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.toLowerCase().contains("connection: close"), response);
            assertTrue(response.endsWith(BODY), response);
            client.shutdownOutput(); // as a client does at end of stream: the server's linger ends with it
            stopped.get(30, TimeUnit.SECONDS);
        }
        assertTrue(server.group().isClosed());
        assertEquals(fdsBefore, OpenFds.count(), "every socket, epoll and eventfd is released");
    }

    @ParameterizedTest(name = "loops: {0}")
    @ValueSource(strings = {"1", "default"})
    void newConnectionsAreRefusedOnceShutdownHasStarted(String loops) throws Exception {
        HttpServerMain.Running server = HttpServerMain.start(args(loops));
        try (Socket inFlight = connect(server)) {
            sendHeadAndAwaitContinue(inFlight); // keeps the drain, and so the shutdown, going
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);
            server.draining().get(30, TimeUnit.SECONDS);

            assertThrows(ConnectException.class, () -> connect(server).close());

            inFlight.getOutputStream().write(BODY.getBytes(StandardCharsets.US_ASCII));
            readToEnd(inFlight.getInputStream());
            inFlight.shutdownOutput(); // as a client does at end of stream: the server's linger ends with it
            stopped.get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "loops: {0}")
    @ValueSource(strings = {"1", "default"})
    void anIdleKeepAliveConnectionIsClosedByTheShutdown(String loops) throws Exception {
        HttpServerMain.Running server = HttpServerMain.start(args(loops));
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
}
