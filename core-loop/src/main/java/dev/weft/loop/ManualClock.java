package dev.weft.loop;

import java.time.Instant;

/**
 * A virtual clock that moves only when told to: the time source of deterministic tests and of the
 * virtual-time engine, which jumps it to the next timer deadline whenever the loop has nothing
 * ready. Wall time moves in step with monotonic time from a fixed starting instant.
 *
 * <p><b>Threading: reads are safe from any thread; advance it from one thread at a time</b>
 * (normally the loop's, or the test's while the loop is not running). The time is a volatile
 * field so a reader on another thread sees the latest advance without a lock.
 */
public final class ManualClock implements Clock {

    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final long startNanos;
    private final long startWallMillis;
    /** Volatile: written by the one advancing thread, read by any (see the class comment). */
    private volatile long nanos;

    /** A clock at monotonic time 0 whose wall time starts at the Unix epoch. */
    public ManualClock() {
        this(0L, Instant.EPOCH);
    }

    /**
     * A clock at monotonic time {@code startNanos} whose wall time starts at {@code startWall}
     * (truncated to the millisecond).
     */
    public ManualClock(long startNanos, Instant startWall) {
        this.startNanos = startNanos;
        this.startWallMillis = startWall.toEpochMilli();
        this.nanos = startNanos;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long wallTimeMillis() {
        return startWallMillis + Math.floorDiv(nanos - startNanos, NANOS_PER_MILLI);
    }

    @Override
    public Instant wallTime() {
        return Instant.ofEpochMilli(startWallMillis).plusNanos(nanos - startNanos);
    }

    /**
     * Moves the clock to {@code targetNanos}; moving to the current time is allowed and does
     * nothing.
     *
     * @throws IllegalArgumentException if {@code targetNanos} is earlier than the current time,
     *     since monotonic time never goes back
     */
    public void advanceTo(long targetNanos) {
        long current = nanos;
        if (targetNanos < current) {
            throw new IllegalArgumentException("ManualClock cannot go back: asked for "
                    + targetNanos + " ns but it already reads " + current
                    + " ns (use advanceBy with a non-negative amount)");
        }
        nanos = targetNanos;
    }

    /**
     * Moves the clock forward by {@code deltaNanos}.
     *
     * @throws IllegalArgumentException if {@code deltaNanos} is negative
     * @throws ArithmeticException if the new time would overflow a long
     */
    public void advanceBy(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("ManualClock cannot go back: advanceBy("
                    + deltaNanos + ") needs a non-negative amount");
        }
        nanos = Math.addExact(nanos, deltaNanos);
    }

    @Override
    public String toString() {
        return "ManualClock[" + nanos + " ns]";
    }
}
