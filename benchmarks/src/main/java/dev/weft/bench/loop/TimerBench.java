package dev.weft.bench.loop;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Scheduling a timer {@value #DELAY_SECONDS} s away and cancelling it at once, {@value #STEPS}
 * pairs per operation, reported per pair. Weft's pairs run on its loop thread inside one submit
 * (its timers are loop-thread only), so one round trip to the loop is shared by {@value #STEPS}
 * pairs; Netty's {@link HashedWheelTimer} and the JDK's {@link ScheduledThreadPoolExecutor} are
 * called from the benchmark thread, as their users call them. Benchmark threads only.
 *
 * <p>Each row returns the number of cancels that took effect, so a test can tell that every timer
 * was really scheduled and really cancelled.
 */
public class TimerBench extends LoopBenchSettings {

    /** Pairs per operation of the {@code scheduleCancelLong} row. */
    static final int LONG_PAIRS = 100_000;

    private static final Duration DELAY = Duration.ofSeconds(DELAY_SECONDS);
    private static final TimerTask NETTY_NOTHING = timeout -> { };
    private static final Runnable NOTHING = () -> { };

    /** Creates the benchmark; JMH calls this. */
    public TimerBench() {}

    /** {@code loop.sleep(d)} then {@code cancel()}, on the loop thread. */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public Integer scheduleCancel_weft(WeftTimers timers) {
        Loop loop = timers.loop;
        return loop.submit(() -> scheduleAndCancel(loop)).join();
    }

    /**
     * {@link #scheduleCancel_weft} with {@value #LONG_PAIRS} pairs per submit: the two hand-offs
     * between the benchmark thread and the loop, which cost 5 to 50 µs on this VM depending on
     * where the scheduler put the two threads, then add well under a nanosecond per pair instead
     * of up to tens, so the row measures the pair itself, as Netty's row (no hand-off) does.
     */
    @Benchmark
    @OperationsPerInvocation(LONG_PAIRS)
    public Integer scheduleCancelLong_weft(WeftTimers timers) {
        Loop loop = timers.loop;
        return loop.submit(() -> scheduleAndCancel(loop, LONG_PAIRS)).join();
    }

    /** {@code HashedWheelTimer.newTimeout(...)} then {@code Timeout.cancel()}. */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public Integer scheduleCancel_hashedWheel(NettyTimers timers) {
        int cancelled = 0;
        for (int i = 0; i < STEPS; i++) {
            Timeout timeout = timers.timer.newTimeout(NETTY_NOTHING, DELAY_SECONDS, TimeUnit.SECONDS);
            if (timeout.cancel()) {
                cancelled++;
            }
        }
        return cancelled;
    }

    /** {@code ScheduledThreadPoolExecutor.schedule(...)} then {@code cancel(false)}, remove-on-cancel on. */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public Integer scheduleCancel_scheduledExecutor(JdkTimers timers) {
        int cancelled = 0;
        for (int i = 0; i < STEPS; i++) {
            ScheduledFuture<?> future = timers.executor.schedule(NOTHING, DELAY_SECONDS, TimeUnit.SECONDS);
            if (future.cancel(false)) {
                cancelled++;
            }
        }
        return cancelled;
    }

    /** Weft's pairs; resolved with the number of sleeps left cancelled. Loop thread only. */
    static Promise<Integer> scheduleAndCancel(Loop loop) {
        return scheduleAndCancel(loop, STEPS);
    }

    /** {@code pairs} of Weft's pairs; resolved with the number of sleeps left cancelled. Loop thread only. */
    static Promise<Integer> scheduleAndCancel(Loop loop, int pairs) {
        int cancelled = 0;
        for (int i = 0; i < pairs; i++) {
            Promise<Void> sleep = loop.sleep(DELAY);
            sleep.cancel();
            if (sleep.isCancelled()) {
                cancelled++;
            }
        }
        return Promise.of(cancelled);
    }

    /** A Weft loop on its pure engine (timers do not touch the I/O engine), on its own thread. */
    @State(Scope.Benchmark)
    public static class WeftTimers {
        Loop loop;

        /** Creates the state; JMH calls this. */
        public WeftTimers() {}

        /** Starts the loop on a daemon thread. */
        @Setup(Level.Trial)
        public void start() {
            loop = Loop.builder().name("weft-bench-timers").build();
            loop.start("weft-bench-timers", true);
        }

        /** Closes the loop. */
        @TearDown(Level.Trial)
        public void stop() {
            loop.close();
        }
    }

    /** Netty's timer with a 1 ms tick, so cancelled timeouts are reclaimed promptly by its worker. */
    @State(Scope.Benchmark)
    public static class NettyTimers {
        HashedWheelTimer timer;

        /** Creates the state; JMH calls this. */
        public NettyTimers() {}

        /** Starts the timer's worker thread. */
        @Setup(Level.Trial)
        public void start() {
            timer = new HashedWheelTimer(1, TimeUnit.MILLISECONDS);
            timer.start();
        }

        /** Stops the worker thread. */
        @TearDown(Level.Trial)
        public void stop() {
            timer.stop();
        }
    }

    /** A one-thread JDK scheduler that removes a cancelled task from its queue at once. */
    @State(Scope.Benchmark)
    public static class JdkTimers {
        ScheduledThreadPoolExecutor executor;

        /** Creates the state; JMH calls this. */
        public JdkTimers() {}

        /** Makes the executor with remove-on-cancel on (else cancelled tasks stay queued until due). */
        @Setup(Level.Trial)
        public void start() {
            executor = new ScheduledThreadPoolExecutor(1);
            executor.setRemoveOnCancelPolicy(true);
        }

        /** Shuts the executor down. */
        @TearDown(Level.Trial)
        public void stop() {
            executor.shutdownNow();
        }
    }
}
