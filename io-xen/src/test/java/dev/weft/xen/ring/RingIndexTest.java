package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RingIndexTest {

    @Test
    void distanceCountsAcrossTheWrapOfTwoToTheThirtyTwo() {
        assertEquals(0x20, RingIndex.distance(0xFFFF_FFF0, 0x10));
        assertEquals(1, RingIndex.distance(-1, 0));
        assertEquals(0, RingIndex.distance(0x8000_0000, 0x8000_0000));
    }

    @Test
    void aDistanceBackwardsIsHugeUnsignedSoItExceedsAnySize() {
        int backwards = RingIndex.distance(10, 9);
        assertTrue(RingIndex.exceeds(backwards, 1 << 30));
        assertFalse(RingIndex.exceeds(32, 32));
        assertTrue(RingIndex.exceeds(33, 32));
    }

    @Test
    void roundingDownIsRD32() {
        assertEquals(32, RingIndex.roundDownToPowerOfTwo(36));
        assertEquals(64, RingIndex.roundDownToPowerOfTwo(64));
        assertEquals(0, RingIndex.roundDownToPowerOfTwo(0));
        assertEquals(1 << 30, RingIndex.roundDownToPowerOfTwo((1 << 30) + 5));
    }

    @Test
    void unsignedShowPrintsIndicesAboveTwoToTheThirtyOne() {
        assertEquals("4294967295", RingIndex.show(-1));
    }
}
