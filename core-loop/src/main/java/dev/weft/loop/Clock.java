package dev.weft.loop;

import java.time.Instant;

/**
 * The source of time for a loop and its timers: a monotonic clock for deadlines and a wall clock
 * for dates (MirageOS's Mclock and Pclock in one interface).
 *
 * <p><b>Threading: implementations MUST be safe to read from any thread.</b> Only the loop thread
 * uses the clock to schedule and fire timers; other threads may read it to stamp events.
 *
 * <p>Monotonic time is what timers use: deadlines are {@link #nanoTime()} values and a timer with
 * deadline {@code d} fires once {@code nanoTime() >= d}. Deadlines are compared as signed longs,
 * so a clock must not wrap around during a program's life (System.nanoTime does not in practice:
 * on Linux it counts from boot). Wall time can jump (NTP, an operator); never use it for deadlines.
 */
public interface Clock {

    /**
     * The monotonic time in nanoseconds since an arbitrary origin fixed for the clock's life.
     * Successive calls never return a smaller value.
     */
    long nanoTime();

    /** The wall-clock time in milliseconds since the Unix epoch; it may jump in either direction. */
    long wallTimeMillis();

    /**
     * The wall-clock time as an {@link Instant}. The default derives it from {@link
     * #wallTimeMillis()}; implementations may return a finer one.
     */
    default Instant wallTime() {
        return Instant.ofEpochMilli(wallTimeMillis());
    }
}
