package dev.weft.bench.promise;

import dev.weft.promise.ContextKey;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Weft's rows of the promise workloads described in {@link dev.weft.bench.promise}, measured in the
 * same run as its peers in {@link PromiseBench}. Runs on JMH's benchmark thread only; Weft's promises
 * need no loop for these workloads, since nothing is paused and nothing crosses threads.
 *
 * <p>Kept in its own class so that the peers' rows build and run while Weft's promise core is
 * unavailable (see the {@code peers-only} profile in this module's POM).
 */
public class WeftPromiseBench extends PromiseBenchSettings {

    private static final ContextKey<String> REQUEST_ID = ContextKey.named("request-id");

    /** Creates the benchmark; JMH calls this. */
    public WeftPromiseBench() {}

    /** {@value #SIZE} maps on {@code Promise.of}. */
    @Benchmark
    public Integer mapResolved_weft() {
        Promise<Integer> p = Promise.of(0);
        for (int i = 0; i < SIZE; i++) {
            p = p.map(x -> x + 1);
        }
        return p.value();
    }

    /** {@value #SIZE} flatMaps on a pending promise, then its resolver resolves it. */
    @Benchmark
    public Integer bindPending_weft() {
        Resolver<Integer> head = Promise.pending();
        Promise<Integer> p = head.promise();
        for (int i = 0; i < SIZE; i++) {
            p = p.flatMap(x -> Promise.of(x + 1));
        }
        head.resolve(0);
        return p.value();
    }

    /**
     * {@link #bindPending_weft} with a value bound by {@code Promise.withValue}: the cost of context
     * when it is used (each flatMap captures it, each step runs under it). No peer has this row.
     */
    @Benchmark
    public Integer bindPendingWithValue_weft() {
        Resolver<Integer> head = Promise.pending();
        Promise<Integer> p = Promise.withValue(REQUEST_ID, "r1", () -> {
            Promise<Integer> chain = head.promise();
            for (int i = 0; i < SIZE; i++) {
                chain = chain.flatMap(x -> Promise.of(x + 1));
            }
            return chain;
        });
        head.resolve(0);
        return p.value();
    }

    /** {@value #SIZE} pending promises joined by {@code Promise.all}, then resolved in order. */
    @Benchmark
    public List<Integer> allPending_weft() {
        List<Resolver<Integer>> resolvers = new ArrayList<>(SIZE);
        List<Promise<Integer>> promises = new ArrayList<>(SIZE);
        for (int i = 0; i < SIZE; i++) {
            Resolver<Integer> r = Promise.pending();
            resolvers.add(r);
            promises.add(r.promise());
        }
        Promise<List<Integer>> all = Promise.all(promises);
        for (int i = 0; i < SIZE; i++) {
            resolvers.get(i).resolve(i);
        }
        return all.value();
    }
}
