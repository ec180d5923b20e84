package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How often an iteration reads the loop's clock: steps 3 and 4 share one reading while nothing
 * runs between them, and take a new one once a timer has fired; on the system clock they take the
 * iteration's start reading itself while nothing has run since it (see "Clock reads" in {@link
 * Loop}'s class notes). The system clock's path is counted through a clock that reads
 * System.nanoTime and that the loop is told to treat as the system clock
 * ({@code Builder.systemTimeClock}, package-private).
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

    // ---------------------------------------------------------------- on the system clock

    /** System.nanoTime, counting the reads made through the loop's clock. */
    private static final class CountingSystemTime implements Clock {
        int reads;

        @Override
        public long nanoTime() {
            reads++;
            return System.nanoTime();
        }

        @Override
        public long wallTimeMillis() {
            return System.currentTimeMillis();
        }
    }

    private final CountingSystemTime systemTime = new CountingSystemTime();

    private Loop onSystemTime() {
        return Loop.builder().systemTimeClock(systemTime).build();
    }

    @Test
    void onTheSystemClockAnIterationThatRanNothingBeforeItsTimersReadsTheLoopClockNever() {
        try (Loop loop = onSystemTime()) {
            loop.sleep(Duration.ofHours(1));
            systemTime.reads = 0;

            loop.runOnce(1_000); // steps 3 and 4 take the iteration's start reading

            assertEquals(0, systemTime.reads);
        }
    }

    @Test
    void onTheSystemClockAnInboxTaskBeforeTheTimersMakesThemReadTheClockOnce() {
        try (Loop loop = onSystemTime()) {
            loop.sleep(Duration.ofHours(1));
            boolean[] ran = {false};
            loop.execute(() -> ran[0] = true);
            systemTime.reads = 0;

            loop.runOnce(1_000);

            assertTrue(ran[0]);
            assertEquals(1, systemTime.reads, "the start reading is stale once a task ran");
        }
    }

    @Test
    void onTheSystemClockAnEnterHookMakesTheTimersReadTheClockOnce() {
        try (Loop loop = onSystemTime()) {
            loop.sleep(Duration.ofHours(1));
            int[] entered = {0};
            loop.onEnterIteration(() -> entered[0]++);
            systemTime.reads = 0;

            loop.runOnce(1_000);

            assertEquals(1, entered[0]);
            assertEquals(1, systemTime.reads, "the start reading is stale once a hook ran");
        }
    }

    @Test
    void onTheSystemClockAPausedPromiseWokenBeforeTheTimersMakesThemReadTheClockOnce() {
        try (Loop loop = onSystemTime()) {
            loop.sleep(Duration.ofHours(1));
            Promise<Void> paused = Promise.pause();
            systemTime.reads = 0;

            loop.runOnce(1_000);

            assertTrue(paused.isFulfilled());
            assertEquals(1, systemTime.reads, "the start reading is stale once a pause round ran");
        }
    }

    @Test
    void onTheSystemClockATimerThatFiresMakesTheTimeoutReadTheClockOnce() {
        try (Loop loop = onSystemTime()) {
            Promise<Void> due = loop.sleep(Duration.ZERO); // fires in the next iteration
            loop.sleep(Duration.ofHours(1));
            systemTime.reads = 0;

            loop.runOnce(1_000);

            assertTrue(due.isFulfilled());
            assertEquals(1, systemTime.reads, "none to fire the due timer (the start reading), one for the timeout");
        }
    }
}
