package dev.weft.bench.promise;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH settings and workload size shared by every promise benchmark, so that Weft and its peers
 * are measured under exactly the same conditions. Benchmarks run on JMH's single benchmark thread;
 * nothing here is shared between threads.
 *
 * <p>JMH annotations are inherited, so a subclass states only its benchmark methods. The defaults
 * suit {@code ./weft bench promises}; JMH's command-line options ({@code -f -wi -i -w -r}) override them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
// Reactor's subscription and Netty's listener notification recurse once per step; 4 MiB of stack
// keeps a 1,000-step chain clear of StackOverflowError for every library alike. Benchmark threads are
// Netty FastThreadLocalThreads, as on a Netty event loop (see FastThreadLocalExecutor for why).
@Fork(value = 2, jvmArgsAppend = {
    "-Xss4m",
    "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=dev.weft.bench.promise.FastThreadLocalExecutor"
})
abstract class PromiseBenchSettings {

    /** Steps per operation: maps, binds, or promises joined. */
    static final int SIZE = 1_000;
}
