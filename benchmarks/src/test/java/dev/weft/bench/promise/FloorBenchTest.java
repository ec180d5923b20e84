package dev.weft.bench.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The floor row computes the whole workload, like the libraries' rows it bounds. */
class FloorBenchTest {

    @Test
    void theFloorRunsEveryMapOnAResolvedValue() {
        assertEquals(PromiseBenchSettings.SIZE, new FloorBench().mapResolved_floor());
    }
}
