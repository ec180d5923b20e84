package dev.weft.bench.profile;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the benchmark JVM's user and kernel CPU time per operation
 * ({@code process.cpu.user.norm}, {@code process.cpu.sys.norm}, in ns/op: named apart from
 * {@link ThreadCpuProfiler}'s, so both can run in one JMH run), from {@code
 * getrusage(RUSAGE_SELF)} before and after each iteration. Use it where {@code -prof perfnorm} cannot run (this project's
 * machines are VMs without a PMU): CPU time is far less disturbed by other load than the wall
 * time JMH scores, so before/after comparisons on a busy machine stay readable.
 *
 * <p>Counts every thread of the forked JVM (JIT and GC included, and loop threads a benchmark
 * starts itself), so measure after warm-up; {@link ThreadCpuProfiler} counts JMH's worker threads
 * only, and splits user from total by thread rather than by tick.
 * Linux's split of CPU time into user and kernel is sampled at the tick, so either part alone is
 * exact only over iterations of many ticks (seconds). Run with
 * {@code -prof dev.weft.bench.profile.ProcessCpuProfiler}; JMH calls it on its own threads, around
 * the iterations.
 */
public final class ProcessCpuProfiler implements InternalProfiler {
    private static final int RUSAGE_SELF = 0;
    /** struct rusage: two timevals (16 bytes each), then 14 longs. */
    private static final long RUSAGE_BYTES = 2 * 16 + 14 * 8;
    private static final MethodHandle GETRUSAGE = getrusage();

    private final MemorySegment usage = Arena.ofAuto().allocate(RUSAGE_BYTES, 8);
    private long userNanosBefore;
    private long sysNanosBefore;

    /** Creates the profiler; JMH calls this. */
    public ProcessCpuProfiler() {}

    @Override
    public String getDescription() {
        return "user and kernel CPU time of the benchmark JVM per operation (getrusage)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        readUsage();
        userNanosBefore = timevalNanos(0);
        sysNanosBefore = timevalNanos(16);
    }

    @Override
    public List<ScalarResult> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        readUsage();
        double ops = Math.max(1, result.getMetadata().getAllOps());
        return List.of(
                new ScalarResult("process.cpu.user.norm", (timevalNanos(0) - userNanosBefore) / ops, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("process.cpu.sys.norm", (timevalNanos(16) - sysNanosBefore) / ops, "ns/op", AggregationPolicy.AVG));
    }

    @SuppressWarnings("restricted") // a libc call with a buffer of its own: the benchmark JVM allows native access
    private static MethodHandle getrusage() {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find("getrusage").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private void readUsage() {
        int rc;
        try {
            rc = (int) GETRUSAGE.invokeExact(RUSAGE_SELF, usage);
        } catch (Throwable e) {
            throw new IllegalStateException("getrusage failed", e);
        }
        if (rc != 0) {
            throw new IllegalStateException("getrusage returned " + rc);
        }
    }

    /** The timeval at {@code offset} of the rusage struct, in nanoseconds. */
    private long timevalNanos(long offset) {
        long seconds = usage.get(ValueLayout.JAVA_LONG, offset);
        long micros = usage.get(ValueLayout.JAVA_LONG, offset + 8);
        return seconds * 1_000_000_000L + micros * 1_000L;
    }
}
