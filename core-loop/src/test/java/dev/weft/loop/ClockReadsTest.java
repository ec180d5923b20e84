package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How often an iteration reads the loop's clock: steps 3 and 4 share one reading while nothing
 * runs between them, and take a new one once a timer has fired (see "Clock reads" in {@link
 * Loop}'s class notes).
 */
class ClockReadsTest {

    /** A clock that stands still where the test puts it and counts its monotonic reads. */
    private static final class CountingClock implements Clock {
        long nanos = 1_000_000_000L;
        int reads;

        @Override
        public long nanoTime() {
            reads++;
            return nanos;
        }

        @Override
        public long wallTimeMillis() {
            return 0;
        }
    }

    private final CountingClock clock = new CountingClock();

    @Test
    void anIterationThatMayBlockWithATimerPendingReadsTheClockOnce() {
        try (Loop loop = Loop.builder().clock(clock).build()) {
            loop.sleep(Duration.ofHours(1));
            clock.reads = 0;

            loop.runOnce(1_000); // may block for 1 µs: steps 3 (nothing due) and 4 (the timeout)

            assertEquals(1, clock.reads);
        }
    }

    @Test
    void anIterationWithNoTimersReadsTheClockNever() {
        try (Loop loop = Loop.builder().clock(clock).build()) {
            clock.reads = 0;

            loop.runOnce(1_000);

            assertEquals(0, clock.reads);
        }
    }

    @Test
    void aTimerThatFiresMakesTheTimeoutReadTheClockAgain() {
        try (Loop loop = Loop.builder().clock(clock).build()) {
            Promise<Void> due = loop.sleep(Duration.ofMillis(1));
            loop.sleep(Duration.ofHours(1));
            clock.nanos += 2_000_000L; // the first sleep is now due
            clock.reads = 0;

            loop.runOnce(1_000);

            assertTrue(due.isFulfilled());
            assertEquals(2, clock.reads, "one reading to fire the due timer, a new one for the timeout");
        }
    }
}
