package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lwt_mvar's behaviour (test_lwt_mvar.ml and lwt_mvar.ml), plus FIFO orders. */
class MailboxTest {
    @Test
    void takeFromAFullBoxReturnsTheValueAtOnce() {
        assertEquals(0, Mailbox.create(0).take().value());
    }

    @Test
    void takeAvailableOnAFullBoxReturnsTheValue() {
        assertEquals(Optional.of(0), Mailbox.create(0).takeAvailable());
    }

    @Test
    void takeAvailableOnAnEmptyBoxReturnsEmpty() {
        assertEquals(Optional.empty(), Mailbox.createEmpty().takeAvailable());
    }

    @Test
    void secondTakeAvailableFindsTheBoxEmpty() {
        Mailbox<Integer> box = Mailbox.create(0);
        box.takeAvailable();
        assertEquals(Optional.empty(), box.takeAvailable());
    }

    @Test
    void fullBoxIsNotEmpty() {
        assertFalse(Mailbox.create(0).isEmpty());
    }

    @Test
    void newEmptyBoxIsEmpty() {
        assertTrue(Mailbox.createEmpty().isEmpty());
    }

    @Test
    void putOnAFullBoxWaits() {
        assertTrue(Mailbox.create(0).put(1).isPending());
    }

    @Test
    void putOnAnEmptyBoxCompletesAndTheValueCanBeTaken() {
        Mailbox<Integer> box = Mailbox.createEmpty();
        assertTrue(box.put(0).isFulfilled());
        assertEquals(0, box.take().value());
    }

    @Test
    void putAfterTakeCompletesAtOnce() {
        Mailbox<Integer> box = Mailbox.create(0);
        box.take();
        assertTrue(box.put(1).isFulfilled());
    }

    @Test
    void takeWithAWaitingPutterReturnsTheOldValueAndAdmitsThePutter() {
        Mailbox<Integer> box = Mailbox.create(1);
        Promise<Void> put = box.put(2);
        assertEquals(1, box.take().value());
        assertTrue(put.isFulfilled());
        assertEquals(Optional.of(2), box.takeAvailable());
    }

    @Test
    void cancelledPutterValueNeverEntersTheBox() {
        Mailbox<Integer> box = Mailbox.create(1);
        Promise<Void> put = box.put(2);
        put.cancel();
        assertEquals(1, box.take().value());
        assertTrue(box.take().isPending());
    }

    @Test
    void takeOnAnEmptyBoxWaitsForTheNextPut() {
        Mailbox<Integer> box = Mailbox.createEmpty();
        Promise<Integer> take = box.take();
        assertTrue(take.isPending());
        assertTrue(box.put(5).isFulfilled());
        assertEquals(5, take.value());
        assertTrue(box.isEmpty());
    }

    @Test
    void waitingTakersAreServedInArrivalOrder() {
        Mailbox<Integer> box = Mailbox.createEmpty();
        Promise<Integer> first = box.take();
        Promise<Integer> second = box.take();
        box.put(1);
        box.put(2);
        assertEquals(1, first.value());
        assertEquals(2, second.value());
    }

    @Test
    void waitingPuttersEnterTheBoxInArrivalOrder() {
        Mailbox<Integer> box = Mailbox.create(0);
        List<Integer> taken = new ArrayList<>();
        box.put(1);
        box.put(2);
        box.put(3);
        for (int i = 0; i < 4; i++) {
            taken.add(box.take().value());
        }
        assertEquals(List.of(0, 1, 2, 3), taken);
    }

    @Test
    void cancelledTakerIsNeverGivenAValue() {
        Mailbox<Integer> box = Mailbox.createEmpty();
        Promise<Integer> cancelled = box.take();
        Promise<Integer> next = box.take();
        cancelled.cancel();
        box.put(9);
        assertTrue(cancelled.isCancelled());
        assertEquals(9, next.value());
    }

    @Test
    void nullValuesAreRefused() {
        assertThrows(NullPointerException.class, () -> Mailbox.create(null));
        assertThrows(NullPointerException.class, () -> Mailbox.<Integer>createEmpty().put(null));
    }
}
