package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** ring.h's sring layout and __RING_SIZE, as numbers. */
class SharedRingLayoutTest {

    @Test
    void headerFieldsSitWhereRingHPutsThem() {
        assertEquals(0, SharedRing.REQ_PROD);
        assertEquals(4, SharedRing.REQ_EVENT);
        assertEquals(8, SharedRing.RSP_PROD);
        assertEquals(12, SharedRing.RSP_EVENT);
        assertEquals(16, SharedRing.PVT);
        assertEquals(64, SharedRing.HEADER_BYTES);
    }

    @Test
    void entriesAreWhatFitsAfterTheHeaderRoundedDownToAPowerOfTwo() {
        assertEquals(32, SharedRing.entryCount(4096, 112)); // blkif: 4032 / 112 = 36
        assertEquals(256, SharedRing.entryCount(4096, 12)); // netif tx: 336
        assertEquals(256, SharedRing.entryCount(4096, 8)); // netif rx: 504
        assertEquals(32, SharedRing.entryCount(4096, 64)); // 63
        assertEquals(64, SharedRing.entryCount(4096, 63)); // exactly 64
        assertEquals(2048, SharedRing.entryCount(4096, 1)); // 4032
        assertEquals(64, SharedRing.entryCount(2 * 4096, 112)); // two pages: 72
        assertEquals(1, SharedRing.entryCount(4096, 4032));
        assertEquals(0, SharedRing.entryCount(4096, 4033));
    }

    @Test
    void initialiseWritesEmptyIndicesEventsOnePastAndZeroPadding() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            page.fill((byte) 0x5a);

            SharedRing ring = SharedRing.over(page, 16).initialise(0);

            assertEquals(0, page.get(ValueLayout.JAVA_INT, 0));
            assertEquals(1, page.get(ValueLayout.JAVA_INT, 4));
            assertEquals(0, page.get(ValueLayout.JAVA_INT, 8));
            assertEquals(1, page.get(ValueLayout.JAVA_INT, 12));
            for (int offset = 16; offset < 64; offset++) {
                assertEquals(0, page.get(ValueLayout.JAVA_BYTE, offset), "byte " + offset);
            }
            assertEquals(0x5a, page.get(ValueLayout.JAVA_BYTE, 64), "entries are not the header's");
            assertEquals(128, ring.size());
        }
    }

    @Test
    void theFirstRequestGoesIntoTheEntryRightAfterTheHeader() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            FrontRing front = SharedRing.over(page, 16).initialise(0).front();

            front.requestSlot().set(ValueLayout.JAVA_LONG, 0, 77);

            assertEquals(77, page.get(ValueLayout.JAVA_LONG, 64));
        }
    }

    @Test
    void memoryTooSmallForOneEntryIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            assertThrows(IllegalArgumentException.class, () -> SharedRing.over(page.asSlice(0, 70), 16));
            assertThrows(IllegalArgumentException.class, () -> SharedRing.over(page, 0));
        }
    }
}
