package dev.weft.unix.blocking;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs blocking calls (DNS lookups, file I/O, a blocking library) on a bounded pool of threads
 * outside the loop, and resolves a promise on the loop when they finish (Lwt_preemptive.detach).
 * The loop thread itself never blocks except in its engine.
 *
 * <p><b>Threading: {@link #detach} is LOOP THREAD ONLY</b> (its promise is the loop's);
 * {@link #close()} may be called from any thread. The work runs on a pool thread and must not
 * touch the loop's promises or sockets; its result comes back through {@link Loop#execute}, so
 * whatever the work wrote before returning is visible to the loop thread when the promise
 * resolves.
 *
 * <p><b>Bounds.</b> At most {@code threads} calls run at once and at most {@code queueCapacity}
 * wait; past that {@code detach} is rejected with {@link RejectedExecutionException} rather than
 * growing without limit. Idle threads end after 30 s and are made again on demand.
 */
public final class BlockingPool implements AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Loop loop;
    private final ThreadPoolExecutor executor;

    private BlockingPool(Loop loop, int threads, int queueCapacity) {
        this.loop = loop;
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), daemonThreads("weft-blocking-" + POOLS.incrementAndGet()));
        executor.allowCoreThreadTimeOut(true);
    }

    /**
     * A pool of at most {@code threads} threads and {@code queueCapacity} waiting calls that
     * resolves its promises on {@code loop}. Its threads are daemons.
     *
     * @throws IllegalArgumentException if {@code threads} or {@code queueCapacity} is below 1
     */
    public static BlockingPool create(Loop loop, int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("threads and queueCapacity must be >= 1, were " + threads + ", " + queueCapacity);
        }
        return new BlockingPool(loop, threads, queueCapacity);
    }

    /**
     * Runs {@code work} on a pool thread; the promise is fulfilled with its result, or rejected
     * with what it threw, on the loop thread. Rejected at once with
     * {@link RejectedExecutionException} if the pool is full or closed. Cancelling the promise
     * interrupts the work if it is running (it may or may not stop) and drops its result.
     */
    public <T> Promise<T> detach(Callable<? extends T> work) {
        Resolver<T> resolver = Promise.task();
        Future<?> future;
        try {
            future = executor.submit(() -> runAndReport(work, resolver));
        } catch (RejectedExecutionException e) {
            return Promise.rejected(new RejectedExecutionException(executor.isShutdown()
                    ? "the blocking pool is closed"
                    : "the blocking pool is full: " + executor.getMaximumPoolSize() + " calls running and "
                            + executor.getQueue().size() + " waiting; wait for some to finish or make a larger pool", e));
        }
        resolver.promise().onCancel(() -> future.cancel(true));
        return resolver.promise();
    }

    /** On a pool thread: runs the work and sends the outcome to the loop. */
    private <T> void runAndReport(Callable<? extends T> work, Resolver<T> resolver) {
        T value;
        try {
            value = work.call();
        } catch (Throwable failure) {
            report(() -> resolver.reject(failure));
            return;
        }
        report(() -> resolver.resolve(value));
    }

    private void report(Runnable onLoop) {
        try {
            loop.execute(onLoop);
        } catch (LoopClosed ignored) {
            // The loop is gone and took its promises with it.
        }
    }

    /**
     * Stops taking work and interrupts the running calls; their promises stay pending unless the
     * calls finish. Any thread. Idempotent.
     */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
