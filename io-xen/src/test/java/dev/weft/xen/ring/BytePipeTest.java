package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BytePipeTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(4096, 4096);

    @AfterEach
    void freePage() {
        arena.close();
    }

    private static byte[] counting(int length, int from) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (from + i);
        }
        return bytes;
    }

    @Test
    void xenstoreClientRequestsReachTheServerAndRepliesComeBack() {
        XenstoreRingPage layout = XenstoreRingPage.of(page);
        BytePipe client = layout.client();
        BytePipe server = layout.server();

        assertEquals(5, client.write("hello".getBytes(), 0, 5));
        byte[] request = new byte[16];
        int got = server.read(request, 0, request.length);
        assertEquals("hello", new String(request, 0, got));
        assertEquals(2, server.write("ok".getBytes(), 0, 2));
        byte[] reply = new byte[16];
        assertEquals("ok", new String(reply, 0, client.read(reply, 0, reply.length)));
    }

    @Test
    void xenstoreBytesLandInTheRingsAndIndicesOfTheLayout() {
        XenstoreRingPage layout = XenstoreRingPage.of(page);
        layout.client().write(new byte[] {7, 8, 9}, 0, 3);
        layout.server().write(new byte[] {1}, 0, 1);

        assertEquals(7, page.get(ValueLayout.JAVA_BYTE, XenstoreRingPage.REQ));
        assertEquals(3, page.get(ValueLayout.JAVA_INT, XenstoreRingPage.REQ_PROD));
        assertEquals(1, page.get(ValueLayout.JAVA_BYTE, XenstoreRingPage.RSP));
        assertEquals(1, page.get(ValueLayout.JAVA_INT, XenstoreRingPage.RSP_PROD));
    }

    @Test
    void consoleOutputGoesOutAndKeyboardInputComesIn() {
        ConsoleRingPage layout = ConsoleRingPage.of(page);
        BytePipe guest = layout.frontend();
        BytePipe backend = layout.backend();
        guest.write("boot\n".getBytes(), 0, 5);
        backend.write("k".getBytes(), 0, 1);

        assertEquals('b', page.get(ValueLayout.JAVA_BYTE, ConsoleRingPage.OUT));
        assertEquals(5, page.get(ValueLayout.JAVA_INT, ConsoleRingPage.OUT_PROD));
        assertEquals('k', page.get(ValueLayout.JAVA_BYTE, ConsoleRingPage.IN));
        assertEquals(1, page.get(ValueLayout.JAVA_INT, ConsoleRingPage.IN_PROD));
        assertEquals(2048, guest.outboundCapacity());
        assertEquals(1024, guest.inboundCapacity());
    }

    @Test
    void aFullRingTakesOnlyWhatFitsThenMoreAfterTheReaderFreesSpace() {
        XenstoreRingPage layout = XenstoreRingPage.of(page);
        BytePipe client = layout.client();
        BytePipe server = layout.server();

        assertEquals(1024, client.write(new byte[1500], 0, 1500));
        assertEquals(0, client.writable());
        assertEquals(0, client.write(new byte[1], 0, 1));
        server.read(new byte[100], 0, 100);
        assertEquals(100, client.writable());
    }

    @Test
    void bytesRoundTripAcrossTheWrapOfBufferAndIndices() {
        // indices start 10 bytes below 2^32 and at an odd buffer offset, so both the buffer and the
        // u32 index wrap during the run
        int start = -10;
        page.set(ValueLayout.JAVA_INT, XenstoreRingPage.REQ_PROD, start);
        page.set(ValueLayout.JAVA_INT, XenstoreRingPage.REQ_CONS, start);
        XenstoreRingPage layout = XenstoreRingPage.of(page);
        BytePipe client = layout.client();
        BytePipe server = layout.server();

        int sent = 0;
        for (int round = 0; round < 20; round++) {
            byte[] chunk = counting(700, sent);
            assertEquals(700, client.write(chunk, 0, chunk.length));
            byte[] back = new byte[700];
            assertEquals(700, server.read(back, 0, back.length));
            assertArrayEquals(chunk, back);
            sent += 700;
        }
        assertEquals(start + sent, page.get(ValueLayout.JAVA_INT, XenstoreRingPage.REQ_CONS));
    }

    @Test
    void aPeerIndexFurtherAheadThanTheRingBreaksThePipeForGood() {
        XenstoreRingPage layout = XenstoreRingPage.of(page);
        BytePipe client = layout.client();
        page.set(ValueLayout.JAVA_INT, XenstoreRingPage.RSP_PROD, 1025);

        RingBroken broken = assertThrows(RingBroken.class, () -> client.read(new byte[8], 0, 8));
        assertEquals(RingBroken.Reason.INDEX_OVERFLOW, broken.reason());
        page.set(ValueLayout.JAVA_INT, XenstoreRingPage.RSP_PROD, 0);
        assertSame(broken, assertThrows(RingBroken.class, () -> client.write(new byte[1], 0, 1)));
        assertSame(broken, client.failure().orElseThrow());
    }

    @Test
    void aConsumerIndexBehindOurProducerByMoreThanTheRingBreaksTheWriter() {
        XenstoreRingPage layout = XenstoreRingPage.of(page);
        BytePipe client = layout.client();
        page.set(ValueLayout.JAVA_INT, XenstoreRingPage.REQ_CONS, 5); // cons ahead of prod 0: 2^32-5 apart

        RingBroken broken = assertThrows(RingBroken.class, () -> client.write(new byte[1], 0, 1));
        assertEquals(RingBroken.Reason.INDEX_OVERFLOW, broken.reason());
    }

    @Test
    void aPeerScribblingOnOurOwnIndexChangesNothingWeDo() {
        XenstoreRingPage layout = XenstoreRingPage.of(page);
        BytePipe client = layout.client();
        BytePipe server = layout.server();
        client.write(new byte[] {1, 2, 3}, 0, 3);
        page.set(ValueLayout.JAVA_INT, XenstoreRingPage.REQ_PROD, 999); // the peer overwrites our prod

        client.write(new byte[] {4}, 0, 1);

        assertEquals(4, page.get(ValueLayout.JAVA_INT, XenstoreRingPage.REQ_PROD));
        byte[] back = new byte[8];
        assertEquals(4, server.read(back, 0, 8));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Arrays.copyOf(back, 4));
    }

    @Test
    void xenstorePageFieldsSitAtTheirOffsets() {
        XenstoreRingPage layout = XenstoreRingPage.of(page);
        layout.setServerFeatures(XenstoreRingPage.FEATURE_RECONNECTION | XenstoreRingPage.FEATURE_ERROR);
        layout.setConnection(XenstoreRingPage.RECONNECT);
        layout.setError(XenstoreRingPage.ERROR_PROTO);

        assertEquals(3, page.get(ValueLayout.JAVA_INT, 2064));
        assertEquals(1, page.get(ValueLayout.JAVA_INT, 2068));
        assertEquals(3, page.get(ValueLayout.JAVA_INT, 2072));
        assertEquals(3, layout.serverFeatures());
    }

    @Test
    void aPageTooSmallOrUnalignedIsRefusedUpFront() {
        assertThrows(IllegalArgumentException.class, () -> XenstoreRingPage.of(page.asSlice(0, 2000)));
        assertThrows(IllegalArgumentException.class, () -> ConsoleRingPage.of(MemorySegment.ofArray(new byte[4096])));
        assertTrue(ConsoleRingPage.of(page).frontend().writable() > 0);
    }
}
