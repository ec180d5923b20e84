package dev.weft.bench.loop;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import io.netty.channel.EventLoop;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@link PauseBench}'s like-for-like rows measured in the loop thread's CPU time instead of wall
 * time: a Weft callback that does {@code Promise.pause().onSuccess(this)}, or a Netty task that
 * re-submits itself with {@code EventLoop.execute}, {@code steps} times in a row, timed from inside
 * the loop thread with {@link ThreadMXBean#getCurrentThreadCpuTime()}. Not JMH: what it reports
 * leaves out the two cross-thread hand-offs per operation that dominate PauseBench's rows at 1,000
 * steps, and CPU time barely moves when other processes load the machine (a preempted thread
 * accrues none), so it compares the two loops' cost per yield on a shared machine, where wall
 * times do not. One row per JVM, as JMH forks one per row, so that no row's code shapes
 * another's profile.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.weft.bench.loop.PauseCpu ROW [REPS [STEPS]]}, ROW
 * one of {@code weft-pure}, {@code weft-epoll}, {@code weft-nio} (a {@code pause().onSuccess(this)}
 * callback), {@code weftTask-pure}, {@code weftTask-epoll}, {@code weftTask-nio} (a task that
 * re-schedules itself with {@code Promise.pauseThen(this)}), {@code netty-epoll}, {@code
 * netty-nio}; REPS runs (default 12), STEPS yields each (default 2,000,000). Prints the median and
 * the least of the second half of the runs (the first half warms the JIT up), in CPU ns per yield.
 * With {@code -Dpausecpu.wall=true} the same runs are timed with {@link System#nanoTime()}
 * instead (wall ns per yield, under the same label), to tell time the loop thread spends off its
 * CPU (in a system call's wait, or preempted) from time it computes.
 * Main thread only; each row's loop runs on its own thread.
 */
public final class PauseCpu {

    private PauseCpu() {}

    /**
     * Runs one row and prints its CPU ns per yield.
     *
     * @param args ROW, then optionally REPS and STEPS (see the class notes)
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: PauseCpu weft-ENGINE|weftTask-ENGINE|netty-epoll|netty-nio [reps] [steps]"
                    + " (ENGINE: pure, epoll or nio)");
            System.exit(2);
        }
        String row = args[0];
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 2_000_000;
        double[] nanosPerYield = row.startsWith("weft-")
                ? weft(row.substring("weft-".length()), false, reps, steps)
                : row.startsWith("weftTask-")
                ? weft(row.substring("weftTask-".length()), true, reps, steps)
                : netty(row.substring(row.indexOf('-') + 1), reps, steps);
        double[] warm = Arrays.copyOfRange(nanosPerYield, reps / 2, reps);
        Arrays.sort(warm);
        System.out.printf("%s: %.1f CPU ns per yield (median of the last %d of %d runs of %,d yields; least %.1f)%n",
                row, warm[warm.length / 2], warm.length, reps, steps, warm[0]);
    }

    private static double[] weft(String engine, boolean task, int reps, int steps) {
        WeftLoopState state = new WeftLoopState();
        state.engine = engine;
        state.start();
        try {
            double[] result = new double[reps];
            for (int i = 0; i < reps; i++) {
                result[i] = state.loop.submit(() -> {
                    if (task) {
                        Retask retask = new Retask(steps);
                        Promise.pauseThen(retask);
                        return retask.cpuNanos.promise();
                    }
                    Repause repause = new Repause(steps);
                    Promise.pause().onSuccess(repause);
                    return repause.cpuNanos.promise();
                }).join() / (double) steps;
            }
            return result;
        } finally {
            state.stop();
        }
    }

    private static double[] netty(String transport, int reps, int steps) {
        NettyLoopState state = new NettyLoopState();
        state.transport = transport;
        state.start();
        try {
            double[] result = new double[reps];
            for (int i = 0; i < reps; i++) {
                Resubmission task = new Resubmission(state.loop, steps);
                state.loop.execute(task::start);
                result[i] = task.cpuNanos.join() / (double) steps;
            }
            return result;
        } finally {
            state.stop();
        }
    }

    /** Whether the runs are timed in wall time rather than CPU time (see the class notes). */
    private static final boolean WALL = Boolean.getBoolean("pausecpu.wall");

    private static long cpuNanos() {
        if (WALL) {
            return System.nanoTime();
        }
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** Weft's row: pauses again each time it runs, then resolves with the CPU time it took. Loop thread only. */
    private static final class Repause implements Consumer<Void> {
        private final int steps;
        private final long start = cpuNanos();
        private int done;
        final Resolver<Long> cpuNanos = Promise.task();

        Repause(int steps) {
            this.steps = steps;
        }

        @Override
        public void accept(Void ignored) {
            if (++done == steps) {
                cpuNanos.resolve(cpuNanos() - start);
                return;
            }
            Promise.pause().onSuccess(this);
        }
    }

    /** Weft's task row: re-schedules itself with pauseThen, then resolves with the CPU time it took. Loop thread only. */
    private static final class Retask implements Runnable {
        private final int steps;
        private final long start = cpuNanos();
        private int done;
        final Resolver<Long> cpuNanos = Promise.task();

        Retask(int steps) {
            this.steps = steps;
        }

        @Override
        public void run() {
            if (++done == steps) {
                cpuNanos.resolve(cpuNanos() - start);
                return;
            }
            Promise.pauseThen(this);
        }
    }

    /** Netty's row: re-submits itself, then completes with the CPU time it took. Loop thread only. */
    private static final class Resubmission implements Runnable {
        private final EventLoop loop;
        private final int steps;
        private long start;
        private int done;
        final CompletableFuture<Long> cpuNanos = new CompletableFuture<>();

        Resubmission(EventLoop loop, int steps) {
            this.loop = loop;
            this.steps = steps;
        }

        void start() {
            start = cpuNanos();
            run();
        }

        @Override
        public void run() {
            if (done == steps) {
                cpuNanos.complete(cpuNanos() - start);
                return;
            }
            done++;
            loop.execute(this);
        }
    }
}
