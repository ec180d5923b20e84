package dev.weft.loop;

import java.io.Serial;

/**
 * A watchdog report: one callback has been running on the loop thread for longer than the
 * threshold, so every other callback of the loop is waiting (Vert.x's blocked-thread warning).
 *
 * <p>It is not thrown: the watchdog hands it to its sink ({@link Loop.Builder#watchdog}). Its stack
 * trace is the loop thread's stack sampled while the callback was still running, so the frame of
 * the blocking callback is in it. What to do: move the blocking call off the loop (a thread pool
 * whose result comes back through {@link Loop#execute}) or make it non-blocking.
 */
public final class LoopBlocked extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long blockedNanos;

    LoopBlocked(Thread loopThread, long blockedNanos, long thresholdNanos, StackTraceElement[] stack) {
        super("loop thread " + loopThread.getName() + " has been running one callback for "
                + blockedNanos / 1_000_000 + " ms (threshold " + thresholdNanos / 1_000_000
                + " ms); every other callback waits. Its stack, sampled while it runs, follows;"
                + " move blocking work off the loop", null, false, true);
        this.blockedNanos = blockedNanos;
        setStackTrace(stack);
    }

    /** How long the callback had been running when it was sampled, in nanoseconds. */
    public long blockedNanos() {
        return blockedNanos;
    }
}
