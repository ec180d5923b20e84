package dev.weft.bench.xen;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Two connected ends of a byte stream, each a {@link Flow} on a loop of its own thread: what {@link
 * VchanBench} measures, on a vchan of the hypervisor model or a TCP loopback connection.
 */
abstract sealed class FlowPair implements AutoCloseable permits VchanOnModel, TcpLoopback {
    /** The end the load is driven from. Client loop thread only. */
    abstract Flow client();

    /** The end that drains or echoes. Server loop thread only. */
    abstract Flow server();

    /** The client's loop. */
    abstract Loop clientLoop();

    /** The server's loop. */
    abstract Loop serverLoop();

    /** What this transport is, for the table. */
    abstract String name();

    @Override
    public abstract void close();

    /** Runs {@code work} with the client's flow on the client's loop. Any thread. */
    final <T> CompletableFuture<T> onClient(Function<Flow, Promise<T>> work) {
        return clientLoop().submit(() -> work.apply(client()));
    }

    /** Runs {@code work} with the server's flow on the server's loop. Any thread. */
    final <T> CompletableFuture<T> onServer(Function<Flow, Promise<T>> work) {
        return serverLoop().submit(() -> work.apply(server()));
    }
}
