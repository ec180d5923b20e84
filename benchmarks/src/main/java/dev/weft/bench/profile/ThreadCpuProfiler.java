package dev.weft.bench.profile;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the CPU time JMH's worker threads spent per operation: {@code
 * cpu.user.norm} (user mode) and {@code cpu.total.norm} (user and kernel), in ns/op. Use it as
 * {@code -prof dev.weft.bench.profile.ThreadCpuProfiler}.
 *
 * <p>Why: on a machine shared with other work a benchmark thread waits for a CPU for part of each
 * iteration, which JMH's wall-clock score counts and CPU time does not; where hardware counters
 * ({@code -prof perfnorm}) are unavailable, as in this project's VMs, CPU time per operation is
 * the most load-robust measure left. It still moves with cache and SMT contention, so compare
 * rows of one run. It counts the worker threads only (the benchmark's loop threads when the loop
 * runs on the benchmark thread, not threads the benchmark starts itself).
 *
 * <p>Threading: JMH calls both methods on its control thread, between iterations; the fields
 * are written and read only there.
 */
public final class ThreadCpuProfiler implements InternalProfiler {

    private static final String WORKER = "-jmh-worker-";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long userBefore;
    private long totalBefore;

    /** Creates the profiler; JMH calls this. */
    public ThreadCpuProfiler() {}

    @Override
    public String getDescription() {
        return "CPU time of JMH's worker threads per operation (user, and user plus kernel)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
        long[] now = workerCpuNanos();
        userBefore = now[0];
        totalBefore = now[1];
    }

    @Override
    public List<ScalarResult> afterIteration(BenchmarkParams benchmark, IterationParams iteration,
                                       IterationResult result) {
        long[] now = workerCpuNanos();
        long ops = result.getMetadata().getAllOps();
        if (ops <= 0) {
            return List.of();
        }
        return List.of(
                new ScalarResult("cpu.user.norm", (double) (now[0] - userBefore) / ops, "ns/op",
                        AggregationPolicy.AVG),
                new ScalarResult("cpu.total.norm", (double) (now[1] - totalBefore) / ops, "ns/op",
                        AggregationPolicy.AVG));
    }

    /** User and total CPU nanoseconds of the live worker threads, summed. */
    private long[] workerCpuNanos() {
        long user = 0;
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null || !info.getThreadName().contains(WORKER)) {
                continue;
            }
            long id = info.getThreadId();
            user += Math.max(0, threads.getThreadUserTime(id));
            total += Math.max(0, threads.getThreadCpuTime(id));
        }
        return new long[] {user, total};
    }
}
