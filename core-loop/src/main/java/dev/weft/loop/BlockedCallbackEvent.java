package dev.weft.loop;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event for a callback that has held the loop thread longer than the watchdog's threshold
 * ({@link Loop.Builder#watchdog}), committed by the watchdog thread once per such callback,
 * while it still runs, beside the {@link LoopBlocked} report. Enabled by default (it is rare);
 * recorded only by loops that have a watchdog. The event's own stack trace would be the
 * watchdog's, so it is off; {@link #loopStack} holds the loop thread's.
 */
@Name("dev.weft.loop.BlockedCallback")
@Label("Blocked Loop Callback")
@Category({"Weft", "Loop"})
@Description("A callback ran on the loop thread longer than the watchdog threshold")
@StackTrace(false)
final class BlockedCallbackEvent extends Event {

    /** The most frames of the loop thread's stack kept in {@link #loopStack}. */
    static final int MAX_FRAMES = 64;

    @Label("Loop")
    String loop;

    @Label("Loop Thread")
    Thread loopThread;

    @Label("Running For")
    @Description("How long the callback had run when the watchdog saw it")
    @Timespan(Timespan.NANOSECONDS)
    long runningFor;

    @Label("Threshold")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;

    @Label("Loop Stack")
    @Description("The loop thread's stack, innermost frame first, taken while the callback ran")
    String loopStack;

    /** Commits one event if a recording wants it. Watchdog thread. */
    static void commit(String loopName, Thread loopThread, long runningNanos, long thresholdNanos,
            StackTraceElement[] stack) {
        BlockedCallbackEvent event = new BlockedCallbackEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.loop = loopName;
        event.loopThread = loopThread;
        event.runningFor = runningNanos;
        event.threshold = thresholdNanos;
        event.loopStack = frames(stack);
        event.commit();
    }

    private static String frames(StackTraceElement[] stack) {
        StringBuilder text = new StringBuilder();
        int shown = Math.min(stack.length, MAX_FRAMES);
        for (int i = 0; i < shown; i++) {
            text.append(stack[i]).append('\n');
        }
        if (stack.length > shown) {
            text.append("... ").append(stack.length - shown).append(" more\n");
        }
        return text.toString();
    }
}
