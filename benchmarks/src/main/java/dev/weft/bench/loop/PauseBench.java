package dev.weft.bench.loop;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * Yielding to the next loop iteration, {@value #STEPS} times per operation, reported per yield:
 * Weft's {@code Promise.pause()} chain, its pause without a promise ({@code Promise.pauseThen}),
 * a Netty task that re-submits itself to its event loop, and
 * a virtual thread calling {@code Thread.yield()}. Each operation starts with one hand-off from the
 * benchmark thread (a submit, an execute, a virtual thread's start) and ends when the benchmark
 * thread has the result, so every row pays the same two cross-thread hops per {@value #STEPS}
 * yields. Benchmark threads only; the loops run on their own threads.
 *
 * <p>What each loop does between two yields differs in one respect, its I/O fairness. Weft polls
 * its engine after at most 256 pause rounds or 50 µs ({@code Loop}'s class notes): on NIO one
 * {@code selectNow} per 256 pauses of the chain; on epoll, after the first few of those polls, none
 * at all while nothing becomes ready, as the engine then answers them from its io_uring readiness
 * probe ({@code EpollEngine}'s class notes), or one {@code epoll_wait} per 256 pauses where the
 * kernel offers no io_uring. Netty 4.2's loop runs its task queue for up to
 * its task quantum between two I/O polls ({@code io.netty.eventLoop.maxTaskProcessingQuantumMs},
 * 1 s by default; the property cannot set it below 100 ms), reading the clock every 64 tasks:
 * while a task keeps re-submitting itself it does not poll at all, so its row pays no system call
 * in an operation.
 *
 * <p>The {@code pauseLong} rows are the like-for-like rows again with {@value #LONG_STEPS} yields
 * per operation: the two hand-offs, tens of microseconds when the loop and the benchmark thread
 * each wait for the other in the kernel, are then under a nanosecond per yield instead of tens,
 * so those rows measure the yield itself and the {@code pause} rows the yield plus the hand-off
 * a short burst of work pays.
 */
public class PauseBench extends LoopBenchSettings {

    /** Yields per operation of the {@code pauseLong} rows: enough that the hand-offs vanish. */
    static final int LONG_STEPS = 100_000;

    /** Creates the benchmark; JMH calls this. */
    public PauseBench() {}

    /** {@value #STEPS} {@code Promise.pause().flatMap(...)} steps inside one submit. */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public Integer pause_weft(WeftLoopState state) {
        return state.loop.submit(() -> pauses(0)).join();
    }

    /**
     * Weft's like-for-like with Netty's row: one callback that pauses again from inside itself
     * ({@code Promise.pause().onSuccess(this)}) {@value #STEPS} times, with no promise chain to
     * build; the chain row above is what Lwt-style code looks like, this one is the loop's cost.
     */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public Integer pause_weftCallback(WeftLoopState state) {
        return repauses(state, STEPS);
    }

    /** {@link #pause_weftCallback} with {@value #LONG_STEPS} pauses per operation. */
    @Benchmark
    @OperationsPerInvocation(LONG_STEPS)
    public Integer pauseLong_weftCallback(WeftLoopState state) {
        return repauses(state, LONG_STEPS);
    }

    /**
     * Weft's task row: one {@code Runnable} that re-schedules itself with {@code
     * Promise.pauseThen(this)} {@value #STEPS} times, the pause without a promise: the same shape
     * as Netty's row, which re-submits one {@code Runnable} with {@code execute(this)}.
     */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public Integer pause_weftTask(WeftLoopState state) {
        return retasks(state, STEPS);
    }

    /** {@link #pause_weftTask} with {@value #LONG_STEPS} pauses per operation. */
    @Benchmark
    @OperationsPerInvocation(LONG_STEPS)
    public Integer pauseLong_weftTask(WeftLoopState state) {
        return retasks(state, LONG_STEPS);
    }

    /** A task that re-submits itself {@value #STEPS} times with {@code EventLoop.execute}. */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public Integer pause_netty(NettyLoopState state) {
        return resubmissions(state, STEPS);
    }

    /** {@link #pause_netty} with {@value #LONG_STEPS} re-submissions per operation. */
    @Benchmark
    @OperationsPerInvocation(LONG_STEPS)
    public Integer pauseLong_netty(NettyLoopState state) {
        return resubmissions(state, LONG_STEPS);
    }

    /**
     * A virtual thread calling {@code Thread.yield()} {@value #STEPS} times. The scheduler gets one
     * carrier, as a loop has one thread; other virtual threads (none here) would be its other work.
     */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    @Fork(value = 2, jvmArgsAppend = "-Djdk.virtualThreadScheduler.parallelism=1")
    public Integer pause_virtualThread() throws InterruptedException {
        YieldingTask task = new YieldingTask();
        Thread.ofVirtual().start(task).join();
        return task.done;
    }

    /** One operation of Weft's callback row: {@code steps} pauses inside one submit. */
    private static Integer repauses(WeftLoopState state, int steps) {
        return state.loop.submit(() -> {
            Repause repause = new Repause(steps);
            Promise.pause().onSuccess(repause);
            return repause.finished;
        }).join();
    }

    /** One operation of Weft's task row: {@code steps} pauseThen calls inside one submit. */
    private static Integer retasks(WeftLoopState state, int steps) {
        return state.loop.submit(() -> {
            Retask retask = new Retask(steps);
            Promise.pauseThen(retask);
            return retask.finished;
        }).join();
    }

    /** One operation of Netty's row: a task that re-submits itself {@code steps} times. */
    private static Integer resubmissions(NettyLoopState state, int steps) {
        Resubmission task = new Resubmission(state.loop, steps);
        state.loop.execute(task);
        return task.finished.join();
    }

    /** The chain: each step pauses, then binds the next; resolved with the number of steps run. */
    static Promise<Integer> pauses(int done) {
        if (done == STEPS) {
            return Promise.of(done);
        }
        return Promise.pause().flatMap(ignored -> pauses(done + 1));
    }

    /** Weft's callback row: pauses again each time it runs, counting. Loop thread only. */
    static final class Repause implements Consumer<Void> {
        private final int steps;
        private int done;
        final Resolver<Integer> finisher = Promise.task();
        final Promise<Integer> finished = finisher.promise();

        Repause(int steps) {
            this.steps = steps;
        }

        @Override
        public void accept(Void ignored) {
            if (++done == steps) {
                finisher.resolve(done);
                return;
            }
            Promise.pause().onSuccess(this);
        }
    }

    /** Weft's task row: re-schedules itself with pauseThen each time it runs, counting. Loop thread only. */
    static final class Retask implements Runnable {
        private final int steps;
        private int done;
        final Resolver<Integer> finisher = Promise.task();
        final Promise<Integer> finished = finisher.promise();

        Retask(int steps) {
            this.steps = steps;
        }

        @Override
        public void run() {
            if (++done == steps) {
                finisher.resolve(done);
                return;
            }
            Promise.pauseThen(this);
        }
    }

    /** Netty's row: runs on the event loop, counting its own re-submissions. Loop thread only. */
    static final class Resubmission implements Runnable {
        private final Executor loop;
        private final int steps;
        private int done;
        final CompletableFuture<Integer> finished = new CompletableFuture<>();

        Resubmission(Executor loop, int steps) {
            this.loop = loop;
            this.steps = steps;
        }

        @Override
        public void run() {
            if (done == steps) {
                finished.complete(done);
                return;
            }
            done++;
            loop.execute(this);
        }
    }

    /** The virtual thread's row; {@code done} is read after {@code join()}, which orders it. */
    static final class YieldingTask implements Runnable {
        int done;

        @Override
        public void run() {
            for (int i = 0; i < STEPS; i++) {
                Thread.yield();
                done++;
            }
        }
    }
}
