package dev.weft.xen.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** xenbus.h's states and their strict decimal form in xenstore. */
class XenbusStateTest {

    @Test
    void statesHaveTheCodesOfXenbusH() {
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), List.of(XenbusState.UNKNOWN.code(),
                XenbusState.INITIALISING.code(), XenbusState.INIT_WAIT.code(), XenbusState.INITIALISED.code(),
                XenbusState.CONNECTED.code(), XenbusState.CLOSING.code(), XenbusState.CLOSED.code(),
                XenbusState.RECONFIGURING.code(), XenbusState.RECONFIGURED.code()));
    }

    @Test
    void everyStateRoundTripsThroughItsStoreValue() {
        for (XenbusState state : XenbusState.values()) {
            assertEquals(state, XenbusState.parse(state.toStoreValue()));
        }
    }

    @Test
    void theStoreValueIsTheDecimalCode() {
        assertEquals("4", XenbusState.CONNECTED.toStoreValue());
    }

    @Test
    void anythingButOneDecimalDigitFromZeroToEightIsRefused() {
        for (String bad : List.of("", "9", "-1", "04", " 4", "4 ", "4\n", "4\0", "+4", "four", "10", "٤")) {
            assertThrows(IllegalArgumentException.class, () -> XenbusState.parse(bad), bad);
        }
    }
}
