package dev.weft.bench.loop;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link SubmitBench}'s {@code latency} row as a plain program: N cross-thread hand-offs (the
 * main thread {@code execute}s one task, the task unparks it), on a Weft loop or a Netty event
 * loop, after WARMUP more. It prints the CPU time per hand-off of the loop thread and of the main
 * thread, which other load on the machine barely moves (a preempted thread accrues none), where
 * the round trip's wall time is mostly the scheduler's. Not JMH, which forks and warms up around
 * what it times: under {@code strace -f -c}, the difference between two runs with different N is
 * the system calls of that many hand-offs, JVM start and shutdown cancelling out.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.weft.bench.loop.HandOffs ROW N [WARMUP]}, ROW one
 * of {@code weft-pure}, {@code weft-epoll}, {@code weft-nio}, {@code netty-epoll}, {@code
 * netty-nio}; WARMUP defaults to 0. Main thread only; the loop runs on its own thread.
 */
public final class HandOffs {

    private HandOffs() {}

    /**
     * Runs WARMUP, then N measured hand-offs on one row's loop, and prints the CPU per hand-off.
     *
     * @param args ROW, N and optionally WARMUP (see the class notes)
     */
    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: HandOffs weft-pure|weft-epoll|weft-nio|netty-epoll|netty-nio N [WARMUP]");
            System.exit(2);
        }
        String row = args[0];
        int handOffs = Integer.parseInt(args[1]);
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        if (row.startsWith("weft-")) {
            WeftLoopState state = new WeftLoopState();
            state.engine = row.substring("weft-".length());
            state.start();
            try {
                measure(row, state.loop::execute, handOffs, warmup);
            } finally {
                state.stop();
            }
        } else {
            NettyLoopState state = new NettyLoopState();
            state.transport = row.substring(row.indexOf('-') + 1);
            state.start();
            try {
                measure(row, state.loop, handOffs, warmup);
            } finally {
                state.stop();
            }
        }
    }

    private static void measure(String row, Executor loop, int handOffs, int warmup) {
        CompletableFuture<Thread> loopThread = new CompletableFuture<>();
        loop.execute(() -> loopThread.complete(Thread.currentThread()));
        long loopId = loopThread.join().threadId();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Producer producer = new Producer();
        handOff(loop, producer, warmup);
        long loopCpu = threads.getThreadCpuTime(loopId);
        long mainCpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        handOff(loop, producer, handOffs);
        double per = handOffs;
        System.out.printf("%s: %,d hand-offs; per hand-off: loop thread %.0f CPU ns, main thread %.0f CPU ns, wall %.0f ns%n",
                row, handOffs, (threads.getThreadCpuTime(loopId) - loopCpu) / per,
                (threads.getCurrentThreadCpuTime() - mainCpu) / per, (System.nanoTime() - wall) / per);
    }

    private static void handOff(Executor loop, Producer producer, int handOffs) {
        for (int i = 0; i < handOffs; i++) {
            producer.sendAndAwait(loop, 1);
        }
    }
}
