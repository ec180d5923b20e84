package dev.weft.bench.loop;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH settings and workload sizes shared by every loop benchmark, so that Weft and its peers
 * are measured under the same conditions. Holds no state; nothing here is shared between threads.
 *
 * <p>JMH annotations are inherited, so a subclass states only its benchmark methods (and a mode
 * where it differs). The defaults keep {@code ./weft bench loop} near six minutes on a 2-CPU
 * machine; JMH's command-line options ({@code -f -wi -i -w -r}) override them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
abstract class LoopBenchSettings {

    /** Pauses, or schedule+cancel pairs, per operation; results are reported per step. */
    static final int STEPS = 1_000;

    /** Tasks per operation of the throughput rows; results are reported per task. */
    static final int BATCH = 1_000;

    /** Timer delay: far enough that no timer fires before it is cancelled. */
    static final long DELAY_SECONDS = 1;
}
