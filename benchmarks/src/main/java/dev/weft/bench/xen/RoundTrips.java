package dev.weft.bench.xen;

import dev.weft.bench.load.LatencyHistogram;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One transport under test: a client on one loop that sends a 16-byte request carrying a value and
 * gets back a 16-byte response carrying the value plus one, and a server on another loop that
 * records, for each request, how long after the client sent it the server saw it (the value is
 * the client's {@link System#nanoTime()} at sending).
 */
abstract sealed class RoundTrips implements AutoCloseable permits RingOnModel, UnixSocketPair {
    /** Server loop only. */
    private LatencyHistogram histogram = new LatencyHistogram();
    /** Signals each end sent its peer (event-channel notifies, or socket writes); each end's loop only. */
    private long clientSignals;
    private long serverSignals;

    /** Sends {@code value}; the promise of the server's response. Client loop thread. */
    abstract Promise<Long> request(long value);

    /** What this transport is, for the table. */
    abstract String name();

    /** The loop the client runs on. */
    abstract Loop clientLoop();

    /** The loop the server runs on. */
    abstract Loop serverLoop();

    @Override
    public abstract void close() throws IOException;

    /** The server's work per request, on the server loop: note the one-way delay, add one. */
    final long answer(long sentAt) {
        histogram.record(System.nanoTime() - sentAt);
        return sentAt + 1;
    }

    /** Counts one signal (a notify or a write) from the client to the server. Client loop only. */
    final void clientSignalled() {
        clientSignals++;
    }

    /** Counts one signal from the server to the client. Server loop only. */
    final void serverSignalled() {
        serverSignals++;
    }

    /** The signals both ends sent since the last call, and resets them. Any thread, between runs. */
    final long takeSignals() throws Exception {
        long client = clientLoop().submit(() -> {
            long count = clientSignals;
            clientSignals = 0;
            return Promise.of(count);
        }).get(10, TimeUnit.SECONDS);
        long server = serverLoop().submit(() -> {
            long count = serverSignals;
            serverSignals = 0;
            return Promise.of(count);
        }).get(10, TimeUnit.SECONDS);
        return client + server;
    }

    /** Runs {@code work} on the client's loop. Any thread. */
    final <T> CompletableFuture<T> onClient(Supplier<Promise<T>> work) {
        return clientLoop().submit(work);
    }

    /** Replaces the server's one-way delay histogram with a fresh one and returns the old one. Any thread. */
    final LatencyHistogram swapHistogram() throws Exception {
        return serverLoop().submit(() -> {
            LatencyHistogram old = histogram;
            histogram = new LatencyHistogram();
            return Promise.of(old);
        }).get(10, TimeUnit.SECONDS);
    }
}
