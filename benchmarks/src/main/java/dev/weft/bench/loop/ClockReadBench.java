package dev.weft.bench.loop;

import dev.weft.loop.SystemClock;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * What one read of the loop's clock costs ({@link SystemClock#nanoTime()}, i.e. {@link
 * System#nanoTime()}: CLOCK_MONOTONIC through the vDSO on Linux), the unit in which {@code Loop}'s
 * class notes count an iteration's clock reads. Stateless; any thread.
 */
public class ClockReadBench extends LoopBenchSettings {

    /** Creates the benchmark; JMH calls this. */
    public ClockReadBench() {}

    /** One read of the system clock. */
    @Benchmark
    public long nanoTime_weft() {
        return SystemClock.INSTANCE.nanoTime();
    }
}
