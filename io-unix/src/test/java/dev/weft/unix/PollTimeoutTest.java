package dev.weft.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PollTimeoutTest {

    @Test
    void aSubMillisecondTimeoutRoundsUpToOneMillisecondNotZero() {
        assertEquals(1, PollTimeout.toMillis(300_000));
    }

    @Test
    void aWholeNumberOfMillisecondsIsKept() {
        assertEquals(5, PollTimeout.toMillis(5_000_000));
    }

    @Test
    void anyRemainderRoundsUp() {
        assertEquals(6, PollTimeout.toMillis(5_000_001));
    }

    @Test
    void zeroMeansDoNotBlock() {
        assertEquals(0, PollTimeout.toMillis(0));
    }

    @Test
    void negativeMeansNoLimit() {
        assertEquals(-1, PollTimeout.toMillis(-42));
    }

    @Test
    void hugeTimeoutsSaturate() {
        assertEquals(Integer.MAX_VALUE, PollTimeout.toMillis(Long.MAX_VALUE));
    }

    @Test
    void theMostNegativeTimeoutMeansNoLimit() {
        assertEquals(-1, PollTimeout.toMillis(Long.MIN_VALUE));
    }

    @Test
    void oneNanosecondRoundsUpToOneMillisecond() {
        assertEquals(1, PollTimeout.toMillis(1));
    }

    @Test
    void everyTimeoutAroundAMillisecondBoundaryRoundsUpToTheNextWholeMillisecond() {
        for (long millis : new long[] {1, 2, 999, 1_000, 2_147_483, Integer.MAX_VALUE - 1L}) {
            long boundary = millis * 1_000_000;
            assertEquals(millis, PollTimeout.toMillis(boundary - 1), "one ns under " + millis + " ms");
            assertEquals(millis, PollTimeout.toMillis(boundary), millis + " ms exactly");
            assertEquals(Math.min(millis + 1, Integer.MAX_VALUE), PollTimeout.toMillis(boundary + 1),
                    "one ns over " + millis + " ms");
        }
    }

    @Test
    void aTimeoutJustOverTheLargestMillisecondCountSaturates() {
        assertEquals(Integer.MAX_VALUE, PollTimeout.toMillis(Integer.MAX_VALUE * 1_000_000L + 1));
    }
}
