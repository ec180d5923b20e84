package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The offsets and sizes Xen's headers define, written out as numbers so a change cannot hide. */
class RingLayoutTest {

    @Test
    void xenstoreDomainInterfaceMatchesXsWire() {
        assertEquals(0, XenstoreRingPage.REQ);
        assertEquals(1024, XenstoreRingPage.RSP);
        assertEquals(2048, XenstoreRingPage.REQ_CONS);
        assertEquals(2052, XenstoreRingPage.REQ_PROD);
        assertEquals(2056, XenstoreRingPage.RSP_CONS);
        assertEquals(2060, XenstoreRingPage.RSP_PROD);
        assertEquals(2064, XenstoreRingPage.SERVER_FEATURES);
        assertEquals(2068, XenstoreRingPage.CONNECTION);
        assertEquals(2072, XenstoreRingPage.ERROR);
        assertEquals(2076, XenstoreRingPage.BYTES);
    }

    @Test
    void xenconsInterfaceMatchesConsoleH() {
        assertEquals(0, ConsoleRingPage.IN);
        assertEquals(1024, ConsoleRingPage.OUT);
        assertEquals(3072, ConsoleRingPage.IN_CONS);
        assertEquals(3076, ConsoleRingPage.IN_PROD);
        assertEquals(3080, ConsoleRingPage.OUT_CONS);
        assertEquals(3084, ConsoleRingPage.OUT_PROD);
        assertEquals(3088, ConsoleRingPage.BYTES);
    }
}
