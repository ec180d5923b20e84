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
}
