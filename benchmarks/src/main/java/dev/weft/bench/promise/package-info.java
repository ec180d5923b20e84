/**
 * JMH benchmarks of promise cores: Weft's promises beside CompletableFuture, Reactor's Mono and
 * Netty's DefaultPromise, on the same three workloads, in the same run.
 *
 * <p>The workloads, each over {@link dev.weft.bench.promise.PromiseBenchSettings#SIZE} steps:
 * <ul>
 *   <li>{@code mapResolved}: that many maps chained on an already-resolved promise;</li>
 *   <li>{@code bindPending}: that many binds chained on a pending promise, then the head resolved;</li>
 *   <li>{@code allPending}: that many pending promises joined by the library's "all", then each resolved
 *       in order.</li>
 * </ul>
 * Each step adds one to a boxed {@code Integer}, so every row pays the same boxing.
 * Benchmark names are {@code workload_library}; {@code ./weft bench promises} prints them as a table.
 */
package dev.weft.bench.promise;
