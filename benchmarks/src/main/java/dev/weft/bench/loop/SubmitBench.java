package dev.weft.bench.loop;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;

/**
 * Tasks handed to a loop from other threads with {@code execute}: Weft's {@code Loop} beside
 * Netty's event loop, in the same shapes. Benchmark threads are the producers; the tasks run on
 * the loop's own thread.
 *
 * <ul>
 *   <li>{@code throughput1}, {@code throughput2}: 1 or 2 producers, each handing over batches of
 *       {@value #BATCH} tasks and waiting until the loop has run the whole batch; reported as
 *       tasks run on the loop per microsecond, so a loop that falls behind its producers is
 *       slower here, not hidden in a queue;</li>
 *   <li>{@code latency}: one producer hands over one task and waits until the loop has run it and
 *       unparked the producer: the round trip submit, wake the loop, run, wake the producer.</li>
 * </ul>
 */
public class SubmitBench extends LoopBenchSettings {

    /** Creates the benchmark; JMH calls this. */
    public SubmitBench() {}

    /** One producer, batches of {@value #BATCH} tasks, on Weft's loop. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    @Threads(1)
    public long throughput1_weft(WeftLoopState state, Producer producer) {
        producer.sendAndAwait(state.loop, BATCH);
        return producer.ran();
    }

    /** One producer, batches of {@value #BATCH} tasks, on Netty's event loop. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    @Threads(1)
    public long throughput1_netty(NettyLoopState state, Producer producer) {
        producer.sendAndAwait(state.loop, BATCH);
        return producer.ran();
    }

    /** Two producers, batches of {@value #BATCH} tasks each, on Weft's loop. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    @Threads(2)
    public long throughput2_weft(WeftLoopState state, Producer producer) {
        producer.sendAndAwait(state.loop, BATCH);
        return producer.ran();
    }

    /** Two producers, batches of {@value #BATCH} tasks each, on Netty's event loop. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    @Threads(2)
    public long throughput2_netty(NettyLoopState state, Producer producer) {
        producer.sendAndAwait(state.loop, BATCH);
        return producer.ran();
    }

    /** One task's round trip through Weft's loop. */
    @Benchmark
    @Threads(1)
    public long latency_weft(WeftLoopState state, Producer producer) {
        producer.sendAndAwait(state.loop, 1);
        return producer.ran();
    }

    /** One task's round trip through Netty's event loop. */
    @Benchmark
    @Threads(1)
    public long latency_netty(NettyLoopState state, Producer producer) {
        producer.sendAndAwait(state.loop, 1);
        return producer.ran();
    }
}
