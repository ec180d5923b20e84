package dev.weft.bench.promise;

import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * A lower bound, not a library: the least work any promise library can do on the
 * {@code mapResolved} workload if {@code map} returns a new object, as every library measured here
 * must (the input stays observable with its own value). {@link Cell#map} allocates one 16-byte
 * object and calls the function, nothing else: no state, no checks, no callbacks. A library's
 * {@code mapResolved} row can approach this row's time but not beat it by much, so this row tells
 * how far below CompletableFuture any library can get on that workload.
 */
public class FloorBench extends PromiseBenchSettings {

    /** Creates the benchmark; JMH calls this. */
    public FloorBench() {}

    /** An immutable holder whose map is one allocation and one call. */
    record Cell<T>(T value) {
        <U> Cell<U> map(Function<? super T, ? extends U> f) {
            return new Cell<>(f.apply(value));
        }
    }

    /** {@value #SIZE} maps on a {@link Cell}: the floor of {@code mapResolved}. */
    @Benchmark
    public Integer mapResolved_floor() {
        Cell<Integer> c = new Cell<>(0);
        for (int i = 0; i < SIZE; i++) {
            c = c.map(x -> x + 1);
        }
        return c.value();
    }
}
