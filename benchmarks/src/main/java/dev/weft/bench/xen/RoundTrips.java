package dev.weft.bench.xen;

import dev.weft.bench.load.LatencyHistogram;
import dev.weft.promise.Promise;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One transport under test: a client on one loop that sends a 16-byte request carrying a value and
 * gets back a 16-byte response carrying the value plus one, and a server on another loop that
 * records, for each request, how long after the client sent it the server saw it (the value is
 * the client's {@link System#nanoTime()} at sending).
 */
interface RoundTrips extends AutoCloseable {

    /** Sends {@code value}; the promise of the server's response. Client loop thread. */
    Promise<Long> request(long value);

    /** Runs {@code work} on the client's loop. Any thread. */
    <T> CompletableFuture<T> onClient(Supplier<Promise<T>> work);

    /** Replaces the server's one-way latency histogram with a fresh one and returns the old one. Any thread. */
    LatencyHistogram swapHistogram() throws Exception;

    /** What this transport is, for the table. */
    String name();

    @Override
    void close() throws IOException;
}
