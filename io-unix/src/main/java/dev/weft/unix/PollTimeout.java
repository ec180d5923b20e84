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
        if (timeoutNanos <= 0) {
            return timeoutNanos == 0 ? 0 : -1;
        }
        long millis = timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1);
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }
}
