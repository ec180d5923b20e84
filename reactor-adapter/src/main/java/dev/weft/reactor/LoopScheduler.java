package dev.weft.reactor;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.Exceptions;
import reactor.core.scheduler.Scheduler;

/**
 * A Reactor {@link Scheduler} whose tasks run on a Weft loop's thread: {@code publishOn} and
 * {@code subscribeOn} with it move a pipeline onto the loop, where it may touch promises. Made by
 * {@link ReactorBridges#scheduler}.
 *
 * <p><b>Threading: every method is ANY THREAD; every task runs on the loop thread.</b> Tasks of
 * one worker run one at a time in the order scheduled from one thread, as the loop runs
 * everything. Delays, periods and {@link #now} use the loop's timers and clock (a loop with
 * virtual time schedules and measures in virtual time). A task that throws goes to the loop's
 * async-exception hook; a periodic one runs on at its next period, as with Reactor's own
 * schedulers.
 *
 * <p>The scheduler does not own the loop: {@link #dispose()} does nothing, and the scheduler
 * counts as disposed once the loop is closed, when scheduling throws {@link LoopClosed} (a
 * {@link java.util.concurrent.RejectedExecutionException}, as Reactor expects). A worker keeps no
 * task the loop refused or whose delay the close cut off.
 */
public final class LoopScheduler implements Scheduler {
    private final Loop loop;

    LoopScheduler(Loop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    @Override
    public Disposable schedule(Runnable task) {
        return LoopTask.start(loop, task, 0, 0, null);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        return LoopTask.start(loop, task, unit.toNanos(delay), 0, null);
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return LoopTask.start(loop, task, unit.toNanos(initialDelay), periodNanos(period, unit), null);
    }

    @Override
    public Worker createWorker() {
        return new LoopWorker(loop);
    }

    /**
     * The wall time of the loop's clock, the clock its delays run on: so operators that measure
     * time ({@code elapsed}, {@code timestamp}, {@code cache} with a time to live) agree with the
     * delays, in virtual time as in real time. Reactor's default reads the system's clock.
     */
    @Override
    public long now(TimeUnit unit) {
        return unit.convert(Duration.between(Instant.EPOCH, loop.clock().wallTime()));
    }

    /** Whether the loop is closed. */
    @Override
    public boolean isDisposed() {
        return loop.isClosed();
    }

    /** Does nothing: the loop belongs to whoever made it, who closes it. */
    @Override
    public void dispose() {}

    @Override
    public String toString() {
        return "LoopScheduler(" + loop.name() + ")";
    }

    private static long periodNanos(long period, TimeUnit unit) {
        if (period <= 0) {
            throw new IllegalArgumentException("LoopScheduler: the period must be positive, got " + period);
        }
        return unit.toNanos(period);
    }

    /** A worker: its tasks are disposed together when it is. ANY THREAD. */
    static final class LoopWorker implements Worker {
        private final Loop loop;
        private final Disposable.Composite tasks = Disposables.composite();

        LoopWorker(Loop loop) {
            this.loop = loop;
        }

        @Override
        public Disposable schedule(Runnable task) {
            return start(task, 0, 0);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return start(task, unit.toNanos(delay), 0);
        }

        @Override
        public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
            return start(task, unit.toNanos(initialDelay), periodNanos(period, unit));
        }

        private Disposable start(Runnable task, long delayNanos, long periodNanos) {
            if (tasks.isDisposed()) {
                throw Exceptions.failWithRejected();
            }
            return LoopTask.start(loop, task, delayNanos, periodNanos, tasks);
        }

        @Override
        public void dispose() {
            tasks.dispose();
        }

        @Override
        public boolean isDisposed() {
            return tasks.isDisposed();
        }

        /** The tasks the worker would dispose now: scheduled, not yet run, refused or cut off. */
        int tasksHeld() {
            return tasks.size();
        }
    }

    /**
     * One scheduled task. {@code disposed} may be set by any thread; the timer is armed, fired and
     * cancelled on the loop thread only.
     */
    private static final class LoopTask implements Disposable {
        private final Loop loop;
        private final Runnable action;
        private final long periodNanos;
        private final Disposable.Composite owner;
        private final boolean delayed;
        private volatile boolean disposed;

        // Loop thread only.
        private Promise<Void> timer;
        private long deadline;

        private LoopTask(Loop loop, Runnable action, long delayNanos, long periodNanos,
                Disposable.Composite owner) {
            this.loop = loop;
            this.delayed = delayNanos > 0 || periodNanos > 0;
            this.action = Objects.requireNonNull(action, "task");
            this.periodNanos = periodNanos;
            this.owner = owner;
        }

        static LoopTask start(Loop loop, Runnable action, long delayNanos, long periodNanos,
                Disposable.Composite owner) {
            LoopTask task = new LoopTask(loop, action, delayNanos, periodNanos, owner);
            if (owner != null && !owner.add(task)) {
                throw Exceptions.failWithRejected();
            }
            try {
                if (!task.delayed) {
                    loop.execute(task::runOnce);
                } else {
                    loop.execute(() -> task.arm(delayNanos));
                }
            } catch (LoopClosed refused) {
                task.disposed = true; // never runs: the worker must not keep it
                task.forget();
                throw refused; // a RejectedExecutionException, as Reactor's Scheduler contract asks
            }
            return task;
        }

        /** Loop thread. */
        private void runOnce() {
            if (!disposed) {
                forget();
                action.run();
            }
        }

        /** Loop thread: fire after {@code delayNanos}, then every period if there is one. */
        private void arm(long delayNanos) {
            if (disposed) {
                return;
            }
            deadline = saturatedSum(loop.clock().nanoTime(), Math.max(0, delayNanos));
            waitForDeadline();
        }

        private void waitForDeadline() {
            timer = loop.at(deadline);
            // a timer that fails was cut off by the loop's close (or cancelled by dispose, which
            // forgot the task already): the task will never run, so the worker lets it go
            timer.onAny(ignored -> fire(), cutOff -> forget());
        }

        private void fire() {
            timer = null;
            if (disposed) {
                return;
            }
            if (periodNanos == 0) {
                forget();
                action.run();
                return;
            }
            // fixed rate: the next deadline does not drift with the task's run time
            deadline = saturatedSum(deadline, periodNanos);
            try {
                action.run();
            } catch (Throwable failure) {
                // reported, and the period goes on, as with Reactor's own schedulers
                LoopHooks.reportAsyncException(failure);
            }
            if (!disposed) {
                waitForDeadline();
            }
        }

        /**
         * {@code time + nanos} ({@code nanos >= 0}), or {@link Long#MAX_VALUE} where it would
         * overflow: Reactor saturates far delays at {@code Long.MAX_VALUE} ns, and a wrapped
         * deadline lies in the past, so the task would run at once, and a period run in a spin.
         */
        private static long saturatedSum(long time, long nanos) {
            long sum = time + nanos;
            return ((time ^ sum) & (nanos ^ sum)) < 0 ? Long.MAX_VALUE : sum;
        }

        private void forget() {
            if (owner != null) {
                owner.remove(this);
            }
        }

        @Override
        public void dispose() {
            if (disposed) {
                return;
            }
            disposed = true;
            forget();
            if (delayed) {
                // submit, not execute: a cancellation still queued when the loop closes is moot
                // (the timers go with the loop), and a failed future says so without a report.
                loop.submit(this::cancelTimer);
            }
        }

        /** Loop thread: free the timer wheel slot of a disposed delayed task. */
        private Promise<Void> cancelTimer() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            return Promise.unit();
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }
}
