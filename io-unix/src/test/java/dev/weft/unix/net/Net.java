package dev.weft.unix.net;

import dev.weft.loop.Clock;
import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.SystemClock;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.buffer.BufferPool;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * A test fixture: a loop on one engine with sockets, run on the test's thread. Every wait is
 * bounded so that a bug fails the test instead of hanging the build.
 */
final class Net implements AutoCloseable {

    static final Duration PATIENCE = Duration.ofSeconds(30);
    static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    final Loop loop;
    final Sockets sockets;
    final BufferPool pool;

    private Net(EngineKind kind, int bufferSize, FlowOptions flowOptions, Clock clock) {
        Engine engine = Engines.open(kind);
        this.loop = Loop.builder().engine(engine).clock(clock).build();
        this.pool = new BufferPool(bufferSize, 16);
        this.sockets = Sockets.on(loop, pool, flowOptions);
    }

    static Net open(EngineKind kind) {
        return new Net(kind, Sockets.DEFAULT_BUFFER_SIZE, FlowOptions.DEFAULT, SystemClock.INSTANCE);
    }

    static Net open(EngineKind kind, int bufferSize) {
        return new Net(kind, bufferSize, FlowOptions.DEFAULT, SystemClock.INSTANCE);
    }

    static Net open(EngineKind kind, FlowOptions flowOptions) {
        return new Net(kind, Sockets.DEFAULT_BUFFER_SIZE, flowOptions, SystemClock.INSTANCE);
    }

    /**
     * Read buffers of {@code bufferSize} bytes, and a loop whose timers read {@code clock} (a
     * ManualClock: time moves only when the test moves it, while the sockets are real), so
     * {@link #PATIENCE} is on that clock too.
     */
    static Net open(EngineKind kind, int bufferSize, FlowOptions flowOptions, Clock clock) {
        return new Net(kind, bufferSize, flowOptions, clock);
    }

    /** Runs the loop until {@code promise} resolves (at most {@link #PATIENCE}); returns its value or throws its failure. */
    <T> T run(Promise<T> promise) {
        return loop.run(loop.withTimeout(PATIENCE, promise));
    }

    /** Runs the loop until {@code promise} is rejected, and returns the failure. */
    Throwable failureOf(Promise<?> promise) {
        Promise<Throwable> failure = promise.tryBind(
                value -> Promise.rejected(new AssertionError("expected a failure, got " + value)),
                Promise::of);
        return run(failure);
    }

    /** A connected pair: [client, server]. */
    SocketFlow[] connectedPair(TcpListener listener) {
        Promise<SocketFlow> accepted = listener.accept();
        SocketFlow client = run(sockets.connect(listener.localAddress(), PATIENCE));
        return new SocketFlow[] {client, run(accepted)};
    }

    /**
     * A connected pair, [client, server], with the client's receive buffer and the server's send
     * buffer set (Linux doubles each): small ones make a peer that reads slowly the bottleneck.
     */
    SocketFlow[] connectedPair(TcpListener listener, int clientReceiveBuffer, int serverSendBuffer) {
        SocketFlow[] pair = connectedPair(listener);
        pair[0].setOption(StandardSocketOptions.SO_RCVBUF, clientReceiveBuffer);
        pair[1].setOption(StandardSocketOptions.SO_SNDBUF, serverSendBuffer);
        return pair;
    }

    /** How many fds this process has open (the listing's own fd counts the same each time). */
    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Reads until {@code count} bytes arrived (or end of stream) and returns them as a string. */
    String readString(SocketFlow flow, int count) {
        StringBuilder text = new StringBuilder();
        while (text.length() < count) {
            if (!(run(flow.read()) instanceof dev.weft.loop.device.Flow.Data data)) {
                break;
            }
            text.append(new String(data.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    static MemorySegment text(String text) {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.UTF_8));
    }

    static MemorySegment offHeap(long size) {
        return Arena.ofAuto().allocate(size, 64);
    }

    @Override
    public void close() {
        loop.close();
        pool.close();
    }
}
