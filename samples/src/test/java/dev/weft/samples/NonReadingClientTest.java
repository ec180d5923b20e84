package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that POSTs large bodies to /echo and never reads: the server's queued output stays
 * bounded (Sockets' peak queued bytes, not a timing), and the write timeout closes the connection
 * (Sockets' write-timeout count, and the client's write failing).
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
}
