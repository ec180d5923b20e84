/**
 * JMH benchmarks of event loops: Weft's {@code Loop} beside Netty's event loop (and, where they are
 * the natural peer, virtual threads, Netty's {@code HashedWheelTimer} and the JDK's {@code
 * ScheduledThreadPoolExecutor}), on the same workloads, in the same run.
 *
 * <ul>
 *   <li>{@link dev.weft.bench.loop.PauseBench}: yielding to the next loop iteration, {@value
 *       dev.weft.bench.loop.LoopBenchSettings#STEPS} times per operation;</li>
 *   <li>{@link dev.weft.bench.loop.TimerBench}: scheduling a timer and cancelling it, {@value
 *       dev.weft.bench.loop.LoopBenchSettings#STEPS} pairs per operation;</li>
 *   <li>{@link dev.weft.bench.loop.SubmitBench}: tasks handed to the loop from other threads, as
 *       throughput (1 and 2 producers) and as submit-to-run round-trip latency.</li>
 * </ul>
 * Benchmark names are {@code workload_library}; {@code ./weft bench loop} prints them as a table.
 * Every operation is one whole workload: the benchmark thread waits until the loop has run all of
 * it, so a row can never time work the loop has not done yet.
 */
package dev.weft.bench.loop;
