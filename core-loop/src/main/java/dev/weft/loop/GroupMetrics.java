package dev.weft.loop;

/**
 * A {@link LoopGroup}'s counters summed over its loops (see {@link LoopMetrics} for each one's
 * meaning). A value read at one moment; not a consistent snapshot of one instant.
 *
 * @param loops how many loops were summed
 * @param iterations iterations completed
 * @param callbacksRun callbacks run
 * @param timersPending timers pending
 * @param inboxDepth tasks queued and not yet taken
 * @param wakeups engine wakeups made by other threads
 * @param nanosBlocked time spent blocked in the engines
 * @param nanosBusy time spent in iterations outside blocking
 */
public record GroupMetrics(int loops, long iterations, long callbacksRun, long timersPending, long inboxDepth,
        long wakeups, long nanosBlocked, long nanosBusy) {}
