package dev.weft.unix;

/**
 * Converts an {@link dev.weft.loop.Engine#poll} timeout in nanoseconds to the whole milliseconds
 * epoll_wait and {@link java.nio.channels.Selector} take, rounding up so a poll never returns
 * before its timeout.
 *
 * <p>Stateless, any thread. Rounding down would turn a 0.3 ms timeout into a non-blocking poll and
 * the loop into a busy spin until the timer is due; rounding up costs at most 1 ms of lateness,
 * which is the granularity the loop's timers promise anyway.
 */
public final class PollTimeout {

    private PollTimeout() {}

    /**
     * The timeout in milliseconds.
     *
     * @param timeoutNanos negative for "no limit", {@code 0} for "do not block", else a duration
     * @return {@code -1} for no limit, {@code 0} for do not block, else the duration rounded up
     *     to a whole millisecond and capped at {@link Integer#MAX_VALUE}
     */
    public static int toMillis(long timeoutNanos) {
        // Arithmetic, no branch. This runs inlined in the loop's compiled iteration, and C2
        // compiles a branch its profile never saw taken as a trap: with "is the remainder 0" a
        // branch, the first timeout that happened to be a whole number of milliseconds, at random
        // minutes into a server's life, threw the compiled loop away for a recompilation.
        long notPositive = ((timeoutNanos - 1) | timeoutNanos) >> 63; // all ones if <= 0, else 0
        long roundedUp = Math.min((timeoutNanos - 1) / 1_000_000 + 1, Integer.MAX_VALUE); // if > 0
        long noWaitOrNoLimit = timeoutNanos >> 63; // 0 for 0, -1 for negative
        return (int) ((roundedUp & ~notPositive) | (noWaitOrNoLimit & notPositive));
    }
}
