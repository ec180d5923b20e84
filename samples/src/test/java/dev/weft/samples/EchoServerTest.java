package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.ConnectionException;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.buffer.BufferPool;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The echo sample with a blocking Java client: bytes come back intact, and half-close works. */
@Timeout(120)
class EchoServerTest {
    private static final int TOTAL = 64 << 20;
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void sixtyFourMebibytesComeBackIntactAndAHalfCloseEndsTheEcho(EngineKind kind) throws Exception {
        Engine engine = Engines.open(kind);
        try (Loop loop = Loop.builder().engine(engine).build()) {
            loop.start();
            TcpListener listener = loop.submit(() -> Promise.of(Sockets.on(loop)
                    .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenOptions.DEFAULT)))
                    .get(30, TimeUnit.SECONDS);
            loop.execute(() -> Promise.async(() -> EchoServer.acceptLoop(listener)));
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(),
                    ((InetSocketAddress) listener.localAddress()).getPort())) {
                socket.setSoTimeout(60_000);
                CRC32C sent = new CRC32C();
                CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> readAll(socket));
                byte[] chunk = new byte[1 << 16];
                Random random = new Random(7);
                for (int n = 0; n < TOTAL; n += chunk.length) {
                    random.nextBytes(chunk);
                    sent.update(chunk);
                    socket.getOutputStream().write(chunk);
                }
                socket.shutdownOutput();
                assertEquals(sent.getValue(), received.get(60, TimeUnit.SECONDS));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void theEchoClientChecksEveryEchoOnFourConnectionsAtOnce(EngineKind kind) {
        Engine engine = Engines.open(kind);
        try (Loop loop = Loop.builder().engine(engine).build()) {
            Sockets sockets = Sockets.on(loop);
            TcpListener listener = sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    ListenOptions.DEFAULT);
            Promise.async(() -> EchoServer.acceptLoop(listener));
            List<Promise<Integer>> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int connection = c;
                clients.add(sockets.connect(listener.localAddress(), Duration.ofSeconds(10))
                        .flatMap(flow -> EchoClient.pingPong(flow, connection, 500).andFinally(flow::close)));
            }
            List<Integer> roundTrips = loop.run(loop.withTimeout(Duration.ofSeconds(60), Promise.all(clients)));
            assertEquals(List.of(500, 500, 500, 500), roundTrips);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void echoReleasesTheConnectionsFdAndReadBufferWhenThePeerResetsIt(EngineKind kind) throws IOException {
        try (Loop loop = Loop.builder().engine(Engines.open(kind)).build();
                BufferPool buffers = new BufferPool(4096, 4)) {
            TcpListener listener = Sockets.on(loop, buffers).listen(LOOPBACK_ANY_PORT, ListenOptions.DEFAULT);
            echoUntilThePeerResets(loop, listener); // the JDK's client classes and lazy fds, before counting
            long fdsBefore = OpenFds.count();

            echoUntilThePeerResets(loop, listener);

            assertEquals(fdsBefore, OpenFds.count(), "the reset connection's socket is closed");
            assertEquals(4, buffers.available(), "its read buffer is back in the pool");
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void echoRejectedByAResetReportsTheReset(EngineKind kind) throws IOException {
        try (Loop loop = Loop.builder().engine(Engines.open(kind)).build()) {
            TcpListener listener = Sockets.on(loop).listen(LOOPBACK_ANY_PORT, ListenOptions.DEFAULT);

            Throwable failure = echoUntilThePeerResets(loop, listener);

            assertInstanceOf(ConnectionException.class, failure);
        }
    }

    /** Accepts one connection, echoes it, resets it from the client side; returns what the echo was rejected with. */
    private static Throwable echoUntilThePeerResets(Loop loop, TcpListener listener) throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listener.localAddress()).getPort());
        try {
            SocketFlow accepted = loop.run(listener.accept());
            Promise<Void> echoing = EchoServer.echo(accepted);
            client.setSoLinger(true, 0); // the close sends a reset
            client.close();
            return loop.run(echoing.tryBind(v -> Promise.<Throwable>of(null), Promise::of));
        } finally {
            client.close(); // idempotent: here for a failure before the reset
        }
    }

    /** Reads to end of stream (which the server sends after our half-close) and returns the CRC. */
    private static long readAll(Socket socket) {
        try {
            CRC32C crc = new CRC32C();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                crc.update(buffer, 0, n);
                total += n;
            }
            assertEquals(TOTAL, total);
            return crc.getValue();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
