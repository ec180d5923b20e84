package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.Clock;
import org.junit.jupiter.api.Test;

class ResponsesTest {

    /** A clock the test moves by hand; counts how often its wall clock is read. */
    private static final class HandClock implements Clock {
        long nanos = 5_000_000_000L;
        long wallMillis = 1_700_000_000_250L; // a quarter of a second into a wall second
        int wallReads;

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public long wallTimeMillis() {
            wallReads++;
            return wallMillis;
        }

        void advanceMillis(long millis) {
            nanos += millis * 1_000_000L;
            wallMillis += millis;
        }
    }

    private final HandClock clock = new HandClock();
    private final Responses responses = new Responses();

    @Test
    void wallTimeReadsTheWallClockOncePerWallSecond() {
        assertEquals(1_700_000_000_000L, responses.wallTimeMillis(clock, clock.nanoTime()));
        clock.advanceMillis(700); // 950 ms into the same second
        assertEquals(1_700_000_000_000L, responses.wallTimeMillis(clock, clock.nanoTime()));
        assertEquals(1, clock.wallReads);

        clock.advanceMillis(60); // 10 ms into the next second
        assertEquals(1_700_000_001_000L, responses.wallTimeMillis(clock, clock.nanoTime()));
        assertEquals(2, clock.wallReads);
    }

    @Test
    void wallTimeFollowsAStepOfTheWallClockFromTheEndOfTheSecond() {
        responses.wallTimeMillis(clock, clock.nanoTime());
        clock.wallMillis += 3_600_000L; // an operator sets the clock an hour ahead
        assertEquals(1_700_000_000_000L, responses.wallTimeMillis(clock, clock.nanoTime()));

        clock.advanceMillis(750); // the monotonic second read last has ended
        assertEquals(1_700_003_601_000L, responses.wallTimeMillis(clock, clock.nanoTime()));
    }
}
