package dev.weft.bench.loop;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * I/O latency behind code that pauses: one 1-byte echo round trip over a Unix-domain socket (the
 * benchmark thread writes, blocks in read; the loop echoes with {@code read}/{@code write}) while,
 * with {@code load=pause}, another chain on the same loop pauses in an endless loop, so the loop
 * never blocks and the readable socket competes with pause rounds ({@code load=pauseThen}: the
 * same with a task that re-schedules itself with {@code Promise.pauseThen}, the pause without a
 * promise). {@code maxPauseRounds=1} is the
 * loop before pause rounds (one pause per engine poll, as Lwt), {@code 64} the default before
 * issue 11 item 9's last step, {@code 256} the default now; the three in one run show what the
 * rounds cost I/O. The loop runs on its own thread.
 */
public class EchoUnderPauseBench extends LoopBenchSettings {

    /** Creates the benchmark; JMH calls this. */
    public EchoUnderPauseBench() {}

    /** A loop echoing one Unix-domain connection, with or without a pausing chain beside it. */
    @State(Scope.Benchmark)
    public static class Echo {
        /** The engine: {@code epoll} or {@code nio}. */
        @Param({"epoll", "nio"})
        public String engine;

        /** The loop's bound on pause rounds per poll: 1 is the loop before the rounds, 256 the default. */
        @Param({"1", "64", "256"})
        public int maxPauseRounds;

        /**
         * {@code pause}: a chain pauses in a loop beside the echo; {@code pauseThen}: a task
         * re-schedules itself with {@code Promise.pauseThen} beside it; {@code none}: nothing else.
         */
        @Param({"pause", "pauseThen", "none"})
        public String load;

        Loop loop;
        private SocketChannel client;
        private final ByteBuffer out = ByteBuffer.allocateDirect(1);
        private final ByteBuffer in = ByteBuffer.allocateDirect(1);
        private Path directory;
        /** Loop thread only: ends the pausing chain. */
        private boolean stopPausing;
        /** The {@code pauseThen} load's task, made once so that its pauses allocate nothing. */
        private final Runnable pauseThenStep = this::pauseThenUntilStopped;
        /** Loop thread only: pauses made by the chain (shown by the test). */
        long pauses;

        /** Creates the state; JMH calls this. */
        public Echo() {}

        /** Starts the loop, its echo and (with {@code load=pause}) the chain, then connects. */
        @Setup(Level.Trial)
        public void start() throws IOException, InterruptedException, ExecutionException, TimeoutException {
            Engine chosen = Engines.open(switch (engine) {
                case "epoll" -> EngineKind.EPOLL;
                case "nio" -> EngineKind.NIO;
                default -> throw new IllegalArgumentException("engine=" + engine + ": use epoll or nio");
            });
            loop = Loop.builder().name("echo-under-pause").engine(chosen).maxPauseRounds(maxPauseRounds).build();
            loop.start("echo-under-pause", true);
            directory = Files.createTempDirectory("weft-echo-pause");
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("echo"));
            loop.submit(() -> {
                TcpListener listener = Sockets.on(loop, chosen).listen(address);
                listener.accept().onSuccess(flow -> {
                    listener.close();
                    echo(flow);
                });
                switch (load) {
                    case "pause" -> pauseUntilStopped();
                    case "pauseThen" -> Promise.pauseThen(pauseThenStep);
                    case "none" -> { }
                    default -> throw new IllegalArgumentException("load=" + load + ": use pause, pauseThen or none");
                }
                return Promise.unit();
            }).get(10, TimeUnit.SECONDS);
            client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(address);
        }

        private static Promise<Void> echo(Flow flow) {
            return flow.read().flatMap(read -> switch (read) {
                case Flow.Data(var bytes) -> flow.write(bytes).flatMap(v -> echo(flow));
                case Flow.EndOfStream end -> flow.close();
            });
        }

        private Promise<Void> pauseUntilStopped() {
            return Promise.pause().flatMap(v -> {
                pauses++;
                return stopPausing ? Promise.unit() : pauseUntilStopped();
            });
        }

        private void pauseThenUntilStopped() {
            pauses++;
            if (!stopPausing) {
                Promise.pauseThen(pauseThenStep);
            }
        }

        /** One round trip: write a byte, read it back. Benchmark thread. */
        byte roundTrip() throws IOException {
            out.clear();
            out.put(0, (byte) 42);
            while (out.hasRemaining()) {
                client.write(out);
            }
            in.clear();
            while (in.hasRemaining()) {
                if (client.read(in) < 0) {
                    throw new IOException("the echo closed the connection");
                }
            }
            return in.get(0);
        }

        /** Ends the chain, closes the connection and the loop. */
        @TearDown(Level.Trial)
        public void stop() throws IOException, InterruptedException, ExecutionException, TimeoutException {
            loop.submit(() -> {
                stopPausing = true;
                return Promise.unit();
            }).get(10, TimeUnit.SECONDS);
            client.close();
            loop.close();
            Files.deleteIfExists(directory.resolve("echo"));
            Files.deleteIfExists(directory);
        }
    }

    /** One 1-byte echo round trip through the loop. */
    @Benchmark
    public byte echo_weft(Echo echo) throws IOException {
        return echo.roundTrip();
    }
}
