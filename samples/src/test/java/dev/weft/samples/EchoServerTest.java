package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.ConnectionException;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.buffer.BufferPool;
import dev.weft.unix.net.FlowOptions;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void cancellingAnEchoClosesItsFlow(EngineKind kind) throws Exception {
        try (Loop loop = Loop.builder().engine(Engines.open(kind)).build()) {
            loop.start(); // running while the client waits: NIO closes a registered channel's fd at its next select
            TcpListener listener = loop.submit(() -> Promise.of(Sockets.on(loop)
                    .listen(LOOPBACK_ANY_PORT, ListenOptions.DEFAULT))).get(30, TimeUnit.SECONDS);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                    ((InetSocketAddress) listener.localAddress()).getPort())) {
                client.setSoTimeout(30_000);

                loop.submit(() -> listener.accept().map(flow -> {
                    EchoServer.echo(flow).cancel();
                    return null;
                })).get(30, TimeUnit.SECONDS);

                assertEquals(-1, client.getInputStream().read(), "the server closed the connection");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aClientThatSendsButNeverReadsIsResetByTheWriteTimeoutAndLeavesNoFdOrBufferBehind(EngineKind kind)
            throws Exception {
        try (BufferPool buffers = new BufferPool(4096, 4); // closed after the loop, which reads into it
                Loop loop = Loop.builder().engine(Engines.open(kind)).build()) {
            loop.start();
            FlowOptions options = FlowOptions.DEFAULT.withWriteTimeout(Duration.ofMillis(200));
            TcpListener listener = loop.submit(() -> Promise.of(Sockets.on(loop, buffers, options)
                    .listen(LOOPBACK_ANY_PORT, ListenOptions.DEFAULT))).get(30, TimeUnit.SECONDS);
            loop.execute(() -> Promise.async(() -> EchoServer.acceptLoop(listener)));
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            echoOnce(port); // the JDK's client classes and lazy fds, before counting
            long fdsBefore = OpenFds.count();

            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                IOException reset = CompletableFuture.supplyAsync(() -> sendUntilRefused(client)).get(60, TimeUnit.SECONDS);
                assertNotNull(reset);
            }

            assertEquals(fdsBefore, OpenFds.count(), "the server closed its side");
            assertEquals(4, loop.submit(() -> Promise.of(buffers.available())).get(30, TimeUnit.SECONDS),
                    "the chunk held by the stalled write is back in the pool");
        }
    }

    /** One echo, then a half-close; returns once the server has closed its side (its end of stream arrived). */
    private static void echoOnce(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write('x');
            assertEquals('x', socket.getInputStream().read());
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    /** Writes without reading until the server refuses more (its reset); returns that failure. */
    private static IOException sendUntilRefused(Socket socket) {
        byte[] chunk = new byte[1 << 16];
        try {
            OutputStream out = socket.getOutputStream();
            while (true) {
                out.write(chunk);
            }
        } catch (IOException refused) {
            return refused;
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
