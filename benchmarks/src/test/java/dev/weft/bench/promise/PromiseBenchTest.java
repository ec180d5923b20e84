package dev.weft.bench.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Each peer's benchmark computes the whole workload, so its time is the time of the full chain. */
class PromiseBenchTest {

    private static final Integer CHAIN_END = PromiseBenchSettings.SIZE;
    private static final List<Integer> ALL_VALUES =
            IntStream.range(0, PromiseBenchSettings.SIZE).boxed().toList();

    private final PromiseBench bench = new PromiseBench();

    @Test
    void completableFutureRunsEveryMapOnAResolvedValue() {
        assertEquals(CHAIN_END, bench.mapResolved_completableFuture());
    }

    @Test
    void monoRunsEveryMapOnAResolvedValue() {
        assertEquals(CHAIN_END, bench.mapResolved_mono());
    }

    @Test
    void nettyRunsEveryMapOnAResolvedValue() {
        assertEquals(CHAIN_END, bench.mapResolved_netty());
    }

    @Test
    void completableFutureRunsEveryBindOnceTheHeadResolves() {
        assertEquals(CHAIN_END, bench.bindPending_completableFuture());
    }

    @Test
    void monoRunsEveryBindOnceTheHeadResolves() {
        assertEquals(CHAIN_END, bench.bindPending_mono());
    }

    @Test
    void nettyRunsEveryBindOnceTheHeadResolves() {
        assertEquals(CHAIN_END, bench.bindPending_netty());
    }

    @Test
    void completableFutureAllHoldsEveryValueInOrder() {
        assertEquals(ALL_VALUES, bench.allPending_completableFuture());
    }

    @Test
    void monoZipHoldsEveryValueInOrder() {
        assertEquals(ALL_VALUES, bench.allPending_mono());
    }

    @Test
    void nettyCombinerHoldsEveryValueInOrder() {
        assertEquals(ALL_VALUES, bench.allPending_netty());
    }
}
