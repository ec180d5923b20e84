package dev.weft.loop;

import java.time.Instant;

/**
 * The operating system's clocks: {@link System#nanoTime()} (CLOCK_MONOTONIC on Linux) and {@link
 * System#currentTimeMillis()}. The default {@link Clock} of a loop.
 *
 * <p><b>Threading: safe from any thread</b>; it holds no state.
 */
public final class SystemClock implements Clock {

    /** The one instance; the class has no state, so one is all a program needs. */
    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    /** Returns {@link System#nanoTime()}. */
    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    /** Returns {@link System#currentTimeMillis()}. */
    @Override
    public long wallTimeMillis() {
        return System.currentTimeMillis();
    }

    /** Returns {@link Instant#now()}, which is finer than a millisecond on most systems. */
    @Override
    public Instant wallTime() {
        return Instant.now();
    }

    @Override
    public String toString() {
        return "SystemClock";
    }
}
