package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The front and back halves as ring.h's macros behave, driven by hand on one thread. */
class RingHalvesTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(4096, 4096);
    private final SharedRing ring = SharedRing.over(page, 16).initialise(0);
    private final FrontRing front = ring.front();
    private final BackRing back = ring.back();
    private final MemorySegment copy = MemorySegment.ofArray(new long[2]);

    @AfterEach
    void freePage() {
        arena.close();
    }

    private void sendRequest(long value) {
        front.requestSlot().set(ValueLayout.JAVA_LONG, 8, value);
        front.produceRequest();
    }

    private void answerOne(long value) {
        back.responseSlot().set(ValueLayout.JAVA_LONG, 8, value);
        back.produceResponse();
    }

    @Test
    void theFirstPushNotifiesBecauseTheBackWaitsAtIndexOne() {
        sendRequest(1);
        assertTrue(front.pushRequestsAndCheckNotify());
    }

    @Test
    void pushesBeforeTheBackReArmsDoNotNotifyAgain() {
        sendRequest(1);
        front.pushRequestsAndCheckNotify();
        sendRequest(2);
        assertFalse(front.pushRequestsAndCheckNotify());
    }

    @Test
    void aProducedButUnpushedRequestIsInvisibleToTheBack() {
        sendRequest(1);
        assertEquals(0, back.unconsumedRequests());
        front.pushRequestsAndCheckNotify();
        assertEquals(1, back.unconsumedRequests());
    }

    @Test
    void finalCheckOnAnEmptyRingArmsTheEventAtConsPlusOne() {
        sendRequest(1);
        front.pushRequestsAndCheckNotify();
        back.unconsumedRequests();
        back.takeRequest(copy);

        assertFalse(back.finalCheckForRequests());
        assertEquals(2, page.get(ValueLayout.JAVA_INT, SharedRing.REQ_EVENT));
        sendRequest(2);
        assertTrue(front.pushRequestsAndCheckNotify(), "the event armed by the final check fires");
    }

    @Test
    void finalCheckFindsWorkThatArrivedAndLeavesTheEventAlone() {
        sendRequest(1);
        front.pushRequestsAndCheckNotify();
        assertTrue(back.finalCheckForRequests());
        assertEquals(1, page.get(ValueLayout.JAVA_INT, SharedRing.REQ_EVENT));
    }

    @Test
    void requestsAndResponsesTravelThroughTheSameSlots() {
        sendRequest(41);
        front.pushRequestsAndCheckNotify();
        back.unconsumedRequests();
        assertEquals(41, back.takeRequest(copy).get(ValueLayout.JAVA_LONG, 8));
        answerOne(42);
        assertTrue(back.pushResponsesAndCheckNotify());

        assertEquals(1, front.unconsumedResponses());
        assertEquals(42, front.takeResponse(copy).get(ValueLayout.JAVA_LONG, 8));
        assertFalse(front.finalCheckForResponses());
    }

    @Test
    void theFrontIsFullAfterSizeRequestsWithoutResponses() {
        for (int i = 0; i < ring.size(); i++) {
            sendRequest(i);
        }
        assertTrue(front.isFull());
        assertEquals(0, front.freeRequests());
        assertThrows(IllegalStateException.class, front::requestSlot);
    }

    @Test
    void theBackCannotAnswerMoreThanItConsumed() {
        assertThrows(IllegalStateException.class, back::responseSlot);
    }

    @Test
    void aPassTakesOnlyWhatItsOneReadOfTheIndexAnnounced() {
        sendRequest(1);
        front.pushRequestsAndCheckNotify();
        assertEquals(1, back.unconsumedRequests());
        sendRequest(2);
        front.pushRequestsAndCheckNotify();
        back.takeRequest(copy);

        assertThrows(IllegalStateException.class, () -> back.takeRequest(copy));
        assertEquals(1, back.unconsumedRequests());
    }

    @Test
    void indicesStartedBelowTheWrapCarryOnPastIt() {
        int start = -3;
        SharedRing wrapping = SharedRing.over(page, 16).initialise(start);
        FrontRing f = wrapping.front(start);
        BackRing b = wrapping.back(start);
        for (long value = 0; value < 10; value++) {
            f.requestSlot().set(ValueLayout.JAVA_LONG, 8, value);
            f.produceRequest();
            f.pushRequestsAndCheckNotify();
            assertEquals(1, b.unconsumedRequests());
            assertEquals(value, b.takeRequest(copy).get(ValueLayout.JAVA_LONG, 8));
            b.responseSlot().set(ValueLayout.JAVA_LONG, 8, value * 2);
            b.produceResponse();
            b.pushResponsesAndCheckNotify();
            assertEquals(1, f.unconsumedResponses());
            assertEquals(value * 2, f.takeResponse(copy).get(ValueLayout.JAVA_LONG, 8));
        }
        assertEquals(7, page.get(ValueLayout.JAVA_INT, SharedRing.REQ_PROD));
    }

    @Test
    void moreResponsesThanOutstandingRequestsBreakTheFront() {
        sendRequest(1);
        front.pushRequestsAndCheckNotify();
        page.set(ValueLayout.JAVA_INT, SharedRing.RSP_PROD, 2);

        RingBroken broken = assertThrows(RingBroken.class, front::unconsumedResponses);
        assertEquals(RingBroken.Reason.INDEX_OVERFLOW, broken.reason());
        assertThrows(RingBroken.class, () -> front.takeResponse(copy));
    }

    @Test
    void moreRequestsThanTheRingHoldsBreakTheBack() {
        page.set(ValueLayout.JAVA_INT, SharedRing.REQ_PROD, ring.size() + 1);
        RingBroken broken = assertThrows(RingBroken.class, back::unconsumedRequests);
        assertEquals(RingBroken.Reason.INDEX_OVERFLOW, broken.reason());
    }

    @Test
    void aRequestIndexThatMovesBackwardsBreaksTheBack() {
        sendRequest(1);
        sendRequest(2);
        front.pushRequestsAndCheckNotify();
        back.unconsumedRequests();
        back.takeRequest(copy);
        back.takeRequest(copy);
        page.set(ValueLayout.JAVA_INT, SharedRing.REQ_PROD, 1);

        assertThrows(RingBroken.class, back::unconsumedRequests);
    }
}
