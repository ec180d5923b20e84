package dev.weft.unix.net;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.buffer.BufferPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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

    private Net(EngineKind kind, int bufferSize, FlowOptions flowOptions) {
        Engine engine = Engines.open(kind);
        this.loop = Loop.builder().engine(engine).build();
        this.pool = new BufferPool(bufferSize, 16);
        this.sockets = Sockets.on(loop, pool, flowOptions);
    }

    static Net open(EngineKind kind) {
        return new Net(kind, Sockets.DEFAULT_BUFFER_SIZE, FlowOptions.DEFAULT);
    }

    static Net open(EngineKind kind, int bufferSize) {
        return new Net(kind, bufferSize, FlowOptions.DEFAULT);
    }

    static Net open(EngineKind kind, FlowOptions flowOptions) {
        return new Net(kind, Sockets.DEFAULT_BUFFER_SIZE, flowOptions);
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
