package dev.weft.bench.loop;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The loop's cost per wake-up with N ready sources and no network stack: one {@code
 * runOnce(0)} (one iteration: hooks, steps 1 to 3 with nothing to do, one poll, N readiness
 * handlers), reported per ready source. Run with {@code -prof gc}: {@code gc.alloc.rate.norm}
 * is then bytes allocated per ready source per iteration, which should be 0. The benchmark
 * thread is the loop thread. The {@code timed} rows let the iteration block (with a timeout, as a
 * server's loop with connection timeouts pending does) and so take the timed wait's path.
 */
public class WakeupBench extends LoopBenchSettings {

    /** The timed benchmarks' wait limit; the sources are ready, so no wait lasts. */
    private static final long TIMED_WAIT_NANOS = 1_000_000_000L;

    /** Creates the benchmark; JMH calls this. */
    public WakeupBench() {}

    /** One ready source. */
    @State(Scope.Thread)
    public static class One extends ReadySources {
        /** Creates the state; JMH calls this. */
        public One() {}

        @Override
        int count() {
            return 1;
        }
    }

    /** Sixteen ready sources. */
    @State(Scope.Thread)
    public static class Sixteen extends ReadySources {
        /** Creates the state; JMH calls this. */
        public Sixteen() {}

        @Override
        int count() {
            return 16;
        }
    }

    /** 256 ready sources. */
    @State(Scope.Thread)
    public static class TwoHundredFiftySix extends ReadySources {
        /** Creates the state; JMH calls this. */
        public TwoHundredFiftySix() {}

        @Override
        int count() {
            return 256;
        }
    }

    /** An iteration that dispatches 1 ready source. */
    @Benchmark
    public int ready1_weft(One sources) {
        return sources.loop.runOnce(0);
    }

    /** An iteration that dispatches 16 ready sources, reported per source. */
    @Benchmark
    @OperationsPerInvocation(16)
    public int ready16_weft(Sixteen sources) {
        return sources.loop.runOnce(0);
    }

    /**
     * An iteration that may block (a timeout of one second) and dispatches 1 ready source: what
     * a server's loop does under load, where every wait is timed (a connection's timeout is
     * pending) and returns at once. Over {@link #ready1_weft} it adds the wakeup flag, the timed
     * wait's downcall and the clock reads that split busy from blocked time.
     */
    @Benchmark
    public int timedReady1_weft(One sources) {
        return sources.loop.runOnce(TIMED_WAIT_NANOS);
    }

    /** As {@link #timedReady1_weft} with 16 ready sources, reported per source. */
    @Benchmark
    @OperationsPerInvocation(16)
    public int timedReady16_weft(Sixteen sources) {
        return sources.loop.runOnce(TIMED_WAIT_NANOS);
    }

    /** An iteration that dispatches 256 ready sources, reported per source. */
    @Benchmark
    @OperationsPerInvocation(256)
    public int ready256_weft(TwoHundredFiftySix sources) {
        return sources.loop.runOnce(0);
    }
}
