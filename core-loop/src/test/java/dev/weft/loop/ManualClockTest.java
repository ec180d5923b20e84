package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void staysPutUntilAdvanced() {
        ManualClock clock = new ManualClock(500L, Instant.EPOCH);

        assertEquals(500L, clock.nanoTime());
        assertEquals(500L, clock.nanoTime());
    }

    @Test
    void advanceByMovesMonotonicAndWallTimeTogether() {
        ManualClock clock = new ManualClock(1_000L, Instant.ofEpochSecond(100));

        clock.advanceBy(2_500_000_000L);

        assertEquals(2_500_001_000L, clock.nanoTime());
        assertEquals(102_500L, clock.wallTimeMillis());
        assertEquals(Instant.ofEpochSecond(102, 500_000_000), clock.wallTime());
    }

    @Test
    void advanceToJumpsToTheTarget() {
        ManualClock clock = new ManualClock();

        clock.advanceTo(7_000_000L);

        assertEquals(7_000_000L, clock.nanoTime());
        assertEquals(7L, clock.wallTimeMillis());
    }

    @Test
    void advanceToTheCurrentTimeIsAllowed() {
        ManualClock clock = new ManualClock();
        clock.advanceTo(5L);

        clock.advanceTo(5L);

        assertEquals(5L, clock.nanoTime());
    }

    @Test
    void advanceToAnEarlierTimeIsRejected() {
        ManualClock clock = new ManualClock();
        clock.advanceTo(10L);

        assertThrows(IllegalArgumentException.class, () -> clock.advanceTo(9L));
        assertEquals(10L, clock.nanoTime());
    }

    @Test
    void advanceByANegativeAmountIsRejected() {
        ManualClock clock = new ManualClock();

        assertThrows(IllegalArgumentException.class, () -> clock.advanceBy(-1L));
    }
}
