package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The counting semaphore, in the style of Lwt_mutex: FIFO waiters, release-on-cancel. */
class SemaphoreTest {
    @Test
    void acquireTakesFreePermitsAtOnce() {
        Semaphore s = new Semaphore(2);
        assertTrue(s.acquire().isFulfilled());
        assertTrue(s.acquire().isFulfilled());
        assertEquals(0, s.available());
    }

    @Test
    void acquireWaitsWhenNoPermitIsFree() {
        Semaphore s = new Semaphore(1);
        s.acquire();
        Promise<Void> waiting = s.acquire();
        assertTrue(waiting.isPending());
        s.release();
        assertTrue(waiting.isFulfilled());
        assertEquals(0, s.available());
    }

    @Test
    void waitersGetPermitsInArrivalOrder() {
        Semaphore s = new Semaphore(1);
        List<Integer> order = new ArrayList<>();
        s.acquire();
        for (int i = 1; i <= 3; i++) {
            int id = i;
            s.acquire().onSuccess(v -> order.add(id));
        }
        s.release();
        s.release();
        s.release();
        assertEquals(List.of(1, 2, 3), order);
    }

    @Test
    void releaseWithoutWaitersFreesAPermit() {
        Semaphore s = new Semaphore(2);
        s.acquire();
        s.release();
        assertEquals(2, s.available());
    }

    @Test
    void releaseOfAPermitNeverAcquiredThrowsNotHeld() {
        Semaphore s = new Semaphore(1);
        assertThrows(NotHeld.class, s::release);
    }

    @Test
    void negativePermitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
    }

    @Test
    void cancelledWaiterNeverGetsAPermit() {
        Semaphore s = new Semaphore(1);
        s.acquire();
        Promise<Void> cancelled = s.acquire();
        Promise<Void> next = s.acquire();
        cancelled.cancel();
        assertEquals(1, s.waiterCount());
        s.release();
        assertTrue(cancelled.isCancelled());
        assertTrue(next.isFulfilled());
    }

    @Test
    void withPermitReleasesOnSuccessFailureAndCancellation() {
        Semaphore s = new Semaphore(1);
        s.withPermit(() -> Promise.of(1));
        assertEquals(1, s.available());
        s.withPermit(() -> Promise.rejected(new IllegalStateException("boom")));
        assertEquals(1, s.available());
        Resolver<Void> body = Promise.task();
        Promise<Void> running = s.withPermit(body::promise);
        assertEquals(0, s.available());
        running.cancel();
        assertEquals(1, s.available());
    }

    @Test
    void withPermitLimitsConcurrency() {
        Semaphore s = new Semaphore(2);
        List<Resolver<Void>> bodies = new ArrayList<>();
        int[] started = {0};
        for (int i = 0; i < 3; i++) {
            s.withPermit(() -> {
                started[0]++;
                Resolver<Void> r = Promise.pending();
                bodies.add(r);
                return r.promise();
            });
        }
        assertEquals(2, started[0]);
        bodies.getFirst().resolve(null);
        assertEquals(3, started[0]);
    }
}
