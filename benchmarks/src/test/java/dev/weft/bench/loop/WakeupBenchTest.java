package dev.weft.bench.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each row of WakeupBench dispatches every one of its ready sources in every iteration. */
class WakeupBenchTest {

    private final WakeupBench bench = new WakeupBench();

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    void everyIterationDispatchesEveryReadySource(String engine) throws IOException {
        WakeupBench.One one = new WakeupBench.One();
        WakeupBench.Sixteen sixteen = new WakeupBench.Sixteen();
        WakeupBench.TwoHundredFiftySix many = new WakeupBench.TwoHundredFiftySix();
        for (ReadySources sources : new ReadySources[] {one, sixteen, many}) {
            sources.engine = engine;
            sources.open();
        }
        try {
            for (int i = 0; i < 3; i++) {
                assertEquals(1, bench.ready1_weft(one));
                assertEquals(16, bench.ready16_weft(sixteen));
                assertEquals(256, bench.ready256_weft(many));
            }
            assertEquals(3 * 256, many.handled);
        } finally {
            one.close();
            sixteen.close();
            many.close();
        }
    }
}
