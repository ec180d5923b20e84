package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.samples.http.HelloRoutes;
import dev.weft.samples.http.HttpLimits;
import dev.weft.samples.http.HttpServer;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.FlowOptions;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that POSTs large bodies to /echo and never reads: the server's queued output stays
 * bounded (Sockets' peak queued bytes, not a timing), and the write timeout closes the connection
 * (Sockets' write-timeout count, and the client's write failing), also when the server's answers
 * have all gone into its kernel and it waits for the client to send more.
 */
@Timeout(120)
class NonReadingClientTest {
    private static final int BODY = 256 * 1024;
    /** 64 MiB: far more than the kernel buffers of one loopback connection hold. */
    private static final int MAX_REQUESTS = 256;

    private Loop loop;

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aClientThatNeverReadsKeepsTheQueueBoundedAndIsClosedByTheWriteTimeout(EngineKind kind) throws Exception {
        Engine engine = Engines.open(kind);
        loop = Loop.builder().name("non-reading-test").engine(engine).build();
        loop.start();
        FlowOptions options = FlowOptions.DEFAULT.withWriteTimeout(Duration.ofMillis(300));
        Sockets sockets = loop.submit(() -> Promise.of(Sockets.on(loop, options))).get(30, TimeUnit.SECONDS);
        HttpServer server = loop.submit(() -> Promise.of(HttpServer.start(loop,
                sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenOptions.DEFAULT),
                new HelloRoutes(), HttpLimits.defaults()))).get(30, TimeUnit.SECONDS);
        int port = ((InetSocketAddress) server.address()).getPort();

        AtomicReference<IOException> closed = new AtomicReference<>();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setReceiveBufferSize(16 * 1024);
            byte[] request = EchoRequests.post(new byte[BODY]);
            for (int i = 0; i < MAX_REQUESTS && closed.get() == null; i++) {
                try {
                    client.getOutputStream().write(request);
                } catch (IOException e) {
                    closed.set(e);
                }
            }
        }
        long[] seen = loop.submit(() -> Promise.of(new long[] {sockets.peakQueuedBytes(), sockets.writeTimeouts()}))
                .get(30, TimeUnit.SECONDS);

        assertTrue(closed.get() != null, "the server closed the connection while the client was still sending");
        assertEquals(1, seen[1], "closed by the write timeout");
        long bound = 2L * (BODY + 1024);
        assertTrue(seen[0] <= bound, "queued " + seen[0] + " bytes at the peak, bound " + bound);
    }

    /**
     * A client that sends a request and half of the next, and reads nothing. The server's answer
     * to the first goes into its kernel (on loopback the kernel takes megabytes), the server
     * waits for the rest of the second body (its request timeouts ten minutes away), and the
     * client acknowledges none of the answer: the write timeout must end it, with a reset the
     * client sees. This is the state ServerReliabilityTest's non-reading clients ended in 1 run in
     * 20 (there the client's kernel stopped sending the body; here the client stops), made on
     * purpose. Epoll only: the NIO engine cannot see what the kernel holds (FlowOptions).
     *
     * <p>The connection is served by {@link HttpServer#serve}, as a listener's are, because its
     * promise tells when the connection is closed: the test waits for that, not for a count
     * polled from here. (The client cannot wait by reading: a client that reads acknowledges the
     * answer and keeps the connection alive.)
     */
    @Test
    void aClientThatStopsInTheMiddleOfARequestWithoutReadingIsResetByTheWriteTimeout() throws Exception {
        loop = Loop.builder().name("half-request-test").engine(Engines.open(EngineKind.EPOLL)).build();
        loop.start();
        FlowOptions options = FlowOptions.DEFAULT.withWriteTimeout(Duration.ofMillis(300));
        Sockets sockets = loop.submit(() -> Promise.of(Sockets.on(loop, options))).get(30, TimeUnit.SECONDS);
        TcpListener listener = loop.submit(() -> Promise.of(sockets.listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenOptions.DEFAULT))).get(30, TimeUnit.SECONDS);
        Duration never = Duration.ofMinutes(10);
        HttpLimits patient = new HttpLimits(8192, 1 << 20, never, never, never);
        CompletableFuture<Void> served = loop.submit(() -> listener.accept()
                .flatMap(flow -> HttpServer.serve(loop, flow, new HelloRoutes(), patient)));

        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.setSoTimeout(30_000);
            client.connect(listener.localAddress());
            byte[] request = EchoRequests.post(new byte[BODY]);
            client.getOutputStream().write(request);
            client.getOutputStream().write(request, 0, request.length / 2);

            served.get(30, TimeUnit.SECONDS); // the server closed the connection (else TimeoutException)
            assertEquals(1, loop.submit(() -> Promise.of(sockets.writeTimeouts())).get(30, TimeUnit.SECONDS),
                    "by the write timeout");
            assertThrows(SocketException.class, () -> readToTheEnd(client.getInputStream()),
                    "the client sees a reset, not an end of stream after its answer");
        }
    }

    private static void readToTheEnd(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        while (in.read(sink) >= 0) {
            // the answer the server's kernel had sent before the reset
        }
    }
}
