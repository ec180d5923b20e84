package dev.weft.bench.promise;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Weft's peers on the promise workloads described in {@link dev.weft.bench.promise}:
 * {@link CompletableFuture}, Reactor's {@link Mono}, and Netty's {@code DefaultPromise} on
 * {@link ImmediateEventExecutor} (listeners run on the thread that completes the promise, as Weft's
 * callbacks run on the loop's). Runs on JMH's benchmark thread only. Weft's own rows are in
 * {@link WeftPromiseBench}, measured in the same run.
 *
 * <p>Reactor is lazy: its chain runs when subscribed, so its rows include subscription, which is how
 * an application would pay for it. Netty's future has no map or bind; its rows chain listeners that
 * complete the next promise, the shortest faithful equivalent.
 */
public class PromiseBench extends PromiseBenchSettings {

    private static final EventExecutor IMMEDIATE = ImmediateEventExecutor.INSTANCE;

    /** Creates the benchmark; JMH calls this. */
    public PromiseBench() {}

    /** {@value #SIZE} maps on a completed CompletableFuture. */
    @Benchmark
    public Integer mapResolved_completableFuture() {
        CompletableFuture<Integer> f = CompletableFuture.completedFuture(0);
        for (int i = 0; i < SIZE; i++) {
            f = f.thenApply(x -> x + 1);
        }
        return f.join();
    }

    /** {@value #SIZE} maps on {@code Mono.just}, then subscribed. */
    @Benchmark
    public Integer mapResolved_mono() {
        Mono<Integer> m = Mono.just(0);
        for (int i = 0; i < SIZE; i++) {
            m = m.map(x -> x + 1);
        }
        return m.block();
    }

    /** {@value #SIZE} listener-mapped promises on a succeeded Netty future. */
    @Benchmark
    public Integer mapResolved_netty() {
        Future<Integer> f = IMMEDIATE.newSucceededFuture(0);
        for (int i = 0; i < SIZE; i++) {
            f = nettyMap(f, x -> x + 1);
        }
        return f.getNow();
    }

    /** {@value #SIZE} thenCompose on a pending CompletableFuture, then the head completed. */
    @Benchmark
    public Integer bindPending_completableFuture() {
        CompletableFuture<Integer> head = new CompletableFuture<>();
        CompletableFuture<Integer> f = head;
        for (int i = 0; i < SIZE; i++) {
            f = f.thenCompose(x -> CompletableFuture.completedFuture(x + 1));
        }
        head.complete(0);
        return f.join();
    }

    /** {@value #SIZE} flatMaps on a pending sink's Mono, subscribed, then the sink emits. */
    @Benchmark
    public Integer bindPending_mono() {
        Sinks.One<Integer> head = Sinks.one();
        Mono<Integer> m = head.asMono();
        for (int i = 0; i < SIZE; i++) {
            m = m.flatMap(x -> Mono.just(x + 1));
        }
        Integer[] result = new Integer[1];
        m.subscribe(v -> result[0] = v);
        head.tryEmitValue(0).orThrow();
        return result[0];
    }

    /** {@value #SIZE} listener-bound promises on a pending Netty promise, then the head succeeded. */
    @Benchmark
    public Integer bindPending_netty() {
        Promise<Integer> head = IMMEDIATE.newPromise();
        Future<Integer> f = head;
        for (int i = 0; i < SIZE; i++) {
            f = nettyFlatMap(f, x -> IMMEDIATE.newSucceededFuture(x + 1));
        }
        head.setSuccess(0);
        return f.getNow();
    }

    /** {@value #SIZE} pending CompletableFutures joined by allOf, then completed in order. */
    @Benchmark
    public List<Integer> allPending_completableFuture() {
        List<CompletableFuture<Integer>> fs = new ArrayList<>(SIZE);
        CompletableFuture<?>[] forAllOf = new CompletableFuture<?>[SIZE];
        for (int i = 0; i < SIZE; i++) {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            fs.add(f);
            forAllOf[i] = f;
        }
        CompletableFuture<List<Integer>> all = CompletableFuture.allOf(forAllOf).thenApply(v -> joinAll(fs));
        for (int i = 0; i < SIZE; i++) {
            fs.get(i).complete(i);
        }
        return all.join();
    }

    /** {@value #SIZE} pending sinks joined by {@code Mono.zip}, subscribed, then emitted in order. */
    @Benchmark
    public List<Integer> allPending_mono() {
        List<Sinks.One<Integer>> sinks = new ArrayList<>(SIZE);
        List<Mono<Integer>> monos = new ArrayList<>(SIZE);
        for (int i = 0; i < SIZE; i++) {
            Sinks.One<Integer> sink = Sinks.one();
            sinks.add(sink);
            monos.add(sink.asMono());
        }
        @SuppressWarnings("unchecked") // zip hands back the values of Mono<Integer> sources
        Mono<List<Integer>> all = Mono.zip(monos, values -> (List<Integer>) (List<?>) Arrays.asList(values));
        List<List<Integer>> result = new ArrayList<>(1);
        all.subscribe(result::add);
        for (int i = 0; i < SIZE; i++) {
            sinks.get(i).tryEmitValue(i).orThrow();
        }
        return result.getFirst();
    }

    /** {@value #SIZE} pending Netty promises joined by PromiseCombiner, then succeeded in order. */
    @Benchmark
    public List<Integer> allPending_netty() {
        List<Promise<Integer>> ps = new ArrayList<>(SIZE);
        PromiseCombiner combiner = new PromiseCombiner(IMMEDIATE);
        for (int i = 0; i < SIZE; i++) {
            Promise<Integer> p = IMMEDIATE.newPromise();
            ps.add(p);
            combiner.add((Future<Integer>) p); // add(Promise) is deprecated in favour of add(Future)
        }
        Promise<Void> done = IMMEDIATE.newPromise();
        Promise<List<Integer>> all = IMMEDIATE.newPromise();
        done.addListener(ignored -> all.setSuccess(nowAll(ps)));
        combiner.finish(done);
        for (int i = 0; i < SIZE; i++) {
            ps.get(i).setSuccess(i);
        }
        return all.getNow();
    }

    private static List<Integer> joinAll(List<CompletableFuture<Integer>> fs) {
        List<Integer> values = new ArrayList<>(fs.size());
        for (CompletableFuture<Integer> f : fs) {
            values.add(f.join());
        }
        return values;
    }

    private static List<Integer> nowAll(List<Promise<Integer>> ps) {
        List<Integer> values = new ArrayList<>(ps.size());
        for (Promise<Integer> p : ps) {
            values.add(p.getNow());
        }
        return values;
    }

    /** Netty's map: a new promise that the source's listener completes with {@code f(value)}. */
    private static <T, U> Future<U> nettyMap(Future<T> source, Function<? super T, ? extends U> f) {
        Promise<U> next = IMMEDIATE.newPromise();
        source.addListener((Future<T> done) -> {
            if (done.isSuccess()) {
                next.setSuccess(f.apply(done.getNow()));
            } else {
                next.setFailure(done.cause());
            }
        });
        return next;
    }

    /** Netty's bind: a new promise that follows the future {@code f} returns for the source's value. */
    private static <T, U> Future<U> nettyFlatMap(Future<T> source, Function<? super T, ? extends Future<U>> f) {
        Promise<U> next = IMMEDIATE.newPromise();
        source.addListener((Future<T> done) -> {
            if (done.isSuccess()) {
                f.apply(done.getNow()).addListener((Future<U> inner) -> {
                    if (inner.isSuccess()) {
                        next.setSuccess(inner.getNow());
                    } else {
                        next.setFailure(inner.cause());
                    }
                });
            } else {
                next.setFailure(done.cause());
            }
        });
        return next;
    }
}
