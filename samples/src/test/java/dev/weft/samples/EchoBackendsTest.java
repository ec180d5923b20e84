package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One application, two backends: {@link EchoServer#echo} served over TCP on io-unix and over a
 * vchan between two domains of the Xen model, each client on a loop of its own, through the same
 * tests.
 */
@Timeout(120)
class EchoBackendsTest {
    private static final long PATIENCE_SECONDS = 60;

    /** The backends {@code EchoServer --backend} offers that run without Xen. */
    enum Backend {
        TCP, SIM_VCHAN;

        Rig open() {
            return this == TCP ? new TcpRig() : new VchanRig();
        }
    }

    /** A running echo server and a way to run a client session against it. */
    interface Rig extends AutoCloseable {
        /** Connects a client on its own loop, runs {@code session}, closes the client's flow. */
        <T> CompletableFuture<T> withClient(Function<Flow, Promise<T>> session);

        @Override
        void close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theEchoClientSeesEveryOneOfFiveHundredMessagesComeBack(Backend backend) throws Exception {
        try (Rig rig = backend.open()) {
            int roundTrips = rig.withClient(flow -> EchoClient.pingPong(flow, 0, 500))
                    .get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            assertEquals(500, roundTrips);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void fourMebibytesWrittenWhileReadingComeBackIntact(Backend backend) throws Exception {
        int total = 4 << 20;
        try (Rig rig = backend.open()) {
            List<Long> crcs = rig.withClient(flow -> {
                Promise<Long> received = receive(flow, total, new CRC32C(), 0);
                return send(flow, total, new CRC32C(), 0).flatMap(sent -> received.map(got -> List.of(sent, got)));
            }).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            assertEquals(crcs.get(0), crcs.get(1));
        }
    }

    /** Writes {@code total} bytes of a counting pattern in 8 KiB pieces; the CRC of what was sent. */
    private static Promise<Long> send(Flow flow, int total, CRC32C crc, int sent) {
        if (sent == total) {
            return Promise.of(crc.getValue());
        }
        byte[] piece = new byte[Math.min(8192, total - sent)];
        for (int i = 0; i < piece.length; i++) {
            piece[i] = (byte) ((sent + i) * 31 >>> 3);
        }
        crc.update(piece);
        return flow.write(MemorySegment.ofArray(piece)).flatMap(v -> send(flow, total, crc, sent + piece.length));
    }

    /** Reads exactly {@code total} bytes; the CRC of what came. */
    private static Promise<Long> receive(Flow flow, int total, CRC32C crc, int received) {
        if (received == total) {
            return Promise.of(crc.getValue());
        }
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> {
                crc.update(bytes.asByteBuffer());
                yield receive(flow, total, crc, received + (int) bytes.byteSize());
            }
            case Flow.EndOfStream end -> Promise.rejected(new IllegalStateException(
                    "the echo ended after " + received + " of " + total + " bytes"));
        });
    }

    /** {@code --backend sim-vchan}: the server and the client domains of the Xen model. */
    private static final class VchanRig implements Rig {
        private final VchanEcho model = new VchanEcho();

        @Override
        public <T> CompletableFuture<T> withClient(Function<Flow, Promise<T>> session) {
            return model.withClient(session);
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /** {@code --backend tcp}: the accept loop on one epoll loop, the client on another. */
    private static final class TcpRig implements Rig {
        private final Loop serverLoop;
        private final Engine clientEngine = Engines.open(EngineKind.EPOLL);
        private final Loop clientLoop = Loop.builder().name("echo-client").engine(clientEngine).build();
        private final TcpListener listener;

        TcpRig() {
            var serverEngine = Engines.open(EngineKind.EPOLL);
            serverLoop = Loop.builder().name("echo-server").engine(serverEngine).build();
            serverLoop.start();
            listener = serverLoop.submit(() -> Promise.of(Sockets.on(serverLoop).listen(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenOptions.DEFAULT)))
                    .join();
            // Closing the loop closes the listener, which rejects the pending accept: expected here.
            serverLoop.execute(() -> Promise.async(() -> EchoServer.acceptLoop(listener)
                    .recover(closed -> Promise.unit())));
            clientLoop.start();
        }

        @Override
        public <T> CompletableFuture<T> withClient(Function<Flow, Promise<T>> session) {
            return clientLoop.submit(() -> Sockets.on(clientLoop)
                    .connect(listener.localAddress(), Duration.ofSeconds(10))
                    .flatMap(flow -> session.apply(flow).andFinally(flow::close)));
        }

        @Override
        public void close() {
            clientLoop.close();
            serverLoop.close();
        }
    }
}
