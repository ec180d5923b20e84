package dev.weft.bench.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Weft's benchmarks compute the whole workload, so their time is the time of the full chain. */
class WeftPromiseBenchTest {

    private final WeftPromiseBench bench = new WeftPromiseBench();

    @Test
    void weftRunsEveryMapOnAResolvedValue() {
        assertEquals(PromiseBenchSettings.SIZE, bench.mapResolved_weft());
    }

    @Test
    void weftRunsEveryBindOnceTheHeadResolves() {
        assertEquals(PromiseBenchSettings.SIZE, bench.bindPending_weft());
    }

    @Test
    void weftAllHoldsEveryValueInOrder() {
        List<Integer> expected = IntStream.range(0, PromiseBenchSettings.SIZE).boxed().toList();
        assertEquals(expected, bench.allPending_weft());
    }
}
