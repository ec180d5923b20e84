package dev.weft.bench.promise;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor JMH runs the promise benchmarks on ({@code -Djmh.executor=CUSTOM}): its threads are
 * Netty {@link FastThreadLocalThread}s, the kind of thread Netty's listeners run on in a real server.
 * Thread-safe as any {@link ThreadPoolExecutor}; JMH creates it reflectively, once per fork.
 *
 * <p>Why: on a plain thread, Netty's {@code FastThreadLocal} falls back to a {@code ThreadLocal}
 * lookup, which profiling showed to be most of {@code bindPending_netty}'s time. Netty would be
 * measured on a path it never takes in production. Other libraries do not care what thread they run on.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {

    /**
     * Creates a fixed pool of {@code threads} threads named after {@code prefix}; JMH's CUSTOM executor
     * contract.
     *
     * @param threads the number of benchmark threads
     * @param prefix the thread name prefix JMH chose
     */
    public FastThreadLocalExecutor(int threads, String prefix) {
        super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), fastThreads(prefix));
    }

    private static ThreadFactory fastThreads(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return task -> new FastThreadLocalThread(task, prefix + "-" + next.incrementAndGet());
    }
}
