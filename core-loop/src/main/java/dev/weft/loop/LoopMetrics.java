package dev.weft.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A live view of a loop's counters: iterations, rounds of paused promises, callbacks run, timers
 * pending, inbox depth, and time spent blocked versus busy.
 *
 * <p><b>Threading: every read is safe from any thread and never blocks the loop.</b> Only the loop
 * thread writes.
 *
 * <p>Memory ordering: each counter has a single writer, the loop thread, which stores it with an
 * opaque store (plain cost on x86 and ARM, but atomic for a long and never hoisted out of a
 * loop); readers load it with an opaque load. Opaque gives each counter on its own a coherent,
 * eventually visible, never-torn value, and nothing more: the counters are not a consistent
 * snapshot of one instant (read {@code iterations} then {@code callbacksRun} and the loop may
 * have moved between), and reading one does not make other memory written by the loop visible.
 * Counters are published at the end of every iteration ({@link #callbacksRun()} also just before
 * the loop blocks, so a blocked loop shows the work it did), except {@link #timersPending()},
 * which is published whenever a timer is scheduled, fired or cancelled; {@link #inboxDepth()} asks the
 * queue itself, and {@link #wakeups()} is a volatile counter that producers add to atomically.
 */
public final class LoopMetrics {

    private static final VarHandle ITERATIONS;
    private static final VarHandle CALLBACKS;
    private static final VarHandle TIMERS;
    private static final VarHandle BLOCKED;
    private static final VarHandle BUSY;
    private static final VarHandle PAUSE_ROUNDS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ITERATIONS = lookup.findVarHandle(LoopMetrics.class, "iterations", long.class);
            CALLBACKS = lookup.findVarHandle(LoopMetrics.class, "callbacksRun", long.class);
            TIMERS = lookup.findVarHandle(LoopMetrics.class, "timersPending", int.class);
            BLOCKED = lookup.findVarHandle(LoopMetrics.class, "nanosBlocked", long.class);
            BUSY = lookup.findVarHandle(LoopMetrics.class, "nanosBusy", long.class);
            PAUSE_ROUNDS = lookup.findVarHandle(LoopMetrics.class, "pauseRounds", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Inbox inbox;

    // Single writer (the loop thread), opaque stores; readers use opaque loads. See class notes.
    private long iterations;
    private long callbacksRun;
    private int timersPending;
    private long nanosBlocked;
    private long nanosBusy;
    private long pauseRounds;

    LoopMetrics(Inbox inbox) {
        this.inbox = inbox;
    }

    /** Iterations the loop has completed. */
    public long iterations() {
        return (long) ITERATIONS.getOpaque(this);
    }

    /**
     * Callbacks the loop has run: paused promises woken, inbox tasks (the {@code execute} tasks
     * the shutdown runs included, published once they have run; submissions it refuses are not
     * run and not counted), timers fired, readiness handlers, hooks excluded.
     */
    public long callbacksRun() {
        return (long) CALLBACKS.getOpaque(this);
    }

    /** Timers scheduled and neither fired nor cancelled (sleeps, timeouts). */
    public int timersPending() {
        return (int) TIMERS.getOpaque(this);
    }

    /** Tasks offered by {@code execute}/{@code submit} that the loop has not taken yet (approximate). */
    public int inboxDepth() {
        return inbox.size();
    }

    /**
     * Engine wakeups other threads have made to bring the loop out of a block: at most one per
     * block, however many tasks arrived during it. Read with a volatile load.
     */
    public long wakeups() {
        return inbox.wakeups();
    }

    /**
     * Wall time the loop spent inside the engine waiting for readiness, a timer or a wakeup, in
     * nanoseconds; it ends when the engine returns or calls its first readiness handler. Polls
     * with timeout 0 (work was ready) are not waits: they count as busy time.
     */
    public long nanosBlocked() {
        return (long) BLOCKED.getOpaque(this);
    }

    /** Wall time the loop spent in iterations outside {@link #nanosBlocked()}, in nanoseconds. */
    public long nanosBusy() {
        return (long) BUSY.getOpaque(this);
    }

    /** Loop thread: publishes the callbacks of steps 1 to 3, before the loop blocks, or of the shutdown. */
    void callbacksRun(long callbacks) {
        CALLBACKS.setOpaque(this, callbacksRun + callbacks);
    }

    /**
     * Rounds of paused promises the loop has run (step 1 of an iteration): one per iteration that
     * had paused promises, plus the further rounds an iteration runs, without polling the engine,
     * while paused promises are its only ready work (at most 64 per iteration; see {@link Loop}).
     */
    public long pauseRounds() {
        return (long) PAUSE_ROUNDS.getOpaque(this);
    }

    /**
     * Loop thread: publishes the readiness callbacks, the pause rounds and the times of the
     * iteration that just ended.
     */
    void endIteration(long readinessCallbacks, int rounds, long blocked, long busy) {
        ITERATIONS.setOpaque(this, iterations + 1);
        PAUSE_ROUNDS.setOpaque(this, pauseRounds + rounds);
        CALLBACKS.setOpaque(this, callbacksRun + readinessCallbacks);
        BLOCKED.setOpaque(this, nanosBlocked + blocked);
        BUSY.setOpaque(this, nanosBusy + busy);
    }

    /** Loop thread: publishes the timer count after a schedule, fire or cancel. */
    void timersPending(int pending) {
        TIMERS.setOpaque(this, pending);
    }

    @Override
    public String toString() {
        return "LoopMetrics[iterations=" + iterations() + ", pauseRounds=" + pauseRounds() + ", callbacksRun=" + callbacksRun()
                + ", timersPending=" + timersPending() + ", inboxDepth=" + inboxDepth() + ", wakeups=" + wakeups()
                + ", blockedMs=" + nanosBlocked() / 1_000_000 + ", busyMs=" + nanosBusy() / 1_000_000 + "]";
    }
}
