package dev.weft.xen.vchan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control page byte by byte, against xen/include/public/io/libxenvchan.h, and the ring sizes
 * libxenvchan's server picks (tools/libs/vchan/init.c).
 */
class VchanLayoutTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment memory = arena.allocate(4096, 4096);
    private final VchanPage page = new VchanPage(memory);

    @AfterEach
    void free() {
        arena.close();
    }

    private byte at(int offset) {
        return memory.get(ValueLayout.JAVA_BYTE, offset);
    }

    @Test
    void fieldsSitWhereStructVchanInterfacePutsThem() {
        assertArrayEquals(new int[] {0, 8, 16, 18, 20, 21, 22, 23, 24}, new int[] {VchanPage.LEFT, VchanPage.RIGHT,
                VchanPage.LEFT_ORDER, VchanPage.RIGHT_ORDER, VchanPage.CLI_LIVE, VchanPage.SRV_LIVE,
                VchanPage.CLI_NOTIFY, VchanPage.SRV_NOTIFY, VchanPage.GRANTS});
        assertEquals(1, VchanPage.NOTIFY_WRITE);
        assertEquals(2, VchanPage.NOTIFY_READ);
    }

    @Test
    void ordersAreLittleEndianU16sAndGrantsU32sFromOffset24() {
        page.setOrder(VchanPage.LEFT_ORDER, 11);
        page.setOrder(VchanPage.RIGHT_ORDER, 20);
        page.setGrant(1, 0x01020304);

        assertArrayEquals(new byte[] {11, 0, 20, 0}, memory.asSlice(16, 4).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0x01020304, memory.get(ValueLayout.JAVA_INT, 28));
        assertEquals(4, at(28));
    }

    @Test
    void requestingANotificationSetsOneBitOfOneByteAndLeavesItsNeighboursAlone() {
        memory.setAtIndex(ValueLayout.JAVA_BYTE, 20, (byte) 1);
        memory.setAtIndex(ValueLayout.JAVA_BYTE, 21, (byte) 2);
        memory.setAtIndex(ValueLayout.JAVA_BYTE, 23, (byte) 2);

        page.requestNotify(VchanPage.CLI_NOTIFY, VchanPage.NOTIFY_WRITE);

        assertArrayEquals(new byte[] {1, 2, 1, 2}, memory.asSlice(20, 4).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void takingARequestClearsOnlyThatBitAndSaysWhetherItWasSet() {
        memory.setAtIndex(ValueLayout.JAVA_BYTE, 23, (byte) (VchanPage.NOTIFY_READ | VchanPage.NOTIFY_WRITE));
        memory.setAtIndex(ValueLayout.JAVA_BYTE, 22, (byte) VchanPage.NOTIFY_READ);

        assertTrue(page.takeNotifyRequest(VchanPage.SRV_NOTIFY, VchanPage.NOTIFY_READ));
        assertFalse(page.takeNotifyRequest(VchanPage.SRV_NOTIFY, VchanPage.NOTIFY_READ));

        assertEquals(VchanPage.NOTIFY_WRITE, at(23));
        assertEquals(VchanPage.NOTIFY_READ, at(22));
    }

    @Test
    void liveBytesAreSingleBytesAt20And21() {
        page.setLive(VchanPage.CLI_LIVE, VchanPage.LIVE_NOT_YET);
        page.setLive(VchanPage.SRV_LIVE, VchanPage.LIVE_CONNECTED);

        assertEquals(2, at(20));
        assertEquals(1, at(21));
        assertEquals(VchanPage.LIVE_NOT_YET, page.live(VchanPage.CLI_LIVE));
    }

    @Test
    void ringsOfOrder10And11LieInsideThePageAt1024And2048AndLargerOnesOnTheirOwnPages() {
        assertEquals(1024, VchanPage.inPageOffset(10));
        assertEquals(2048, VchanPage.inPageOffset(11));
        assertEquals(-1, VchanPage.inPageOffset(12));
        assertEquals(0, VchanPage.separatePages(11));
        assertEquals(1, VchanPage.separatePages(12));
        assertEquals(256, VchanPage.separatePages(20));
    }

    @Test
    void theServerPicksRingOrdersAsLibxenvchanDoes() {
        assertArrayEquals(new int[] {10, 11}, VchanServer.orders(0, 0));
        assertArrayEquals(new int[] {10, 11}, VchanServer.orders(1024, 2048));
        assertArrayEquals(new int[] {11, 10}, VchanServer.orders(2048, 1024));
        assertArrayEquals(new int[] {11, 12}, VchanServer.orders(1025, 1025));
        assertArrayEquals(new int[] {13, 11}, VchanServer.orders(5000, 2048));
        assertArrayEquals(new int[] {12, 12}, VchanServer.orders(4096, 4096));
        assertArrayEquals(new int[] {20, 16}, VchanServer.orders(1 << 20, 65536));
    }
}
