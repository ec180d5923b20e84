package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lwt_mutex's behaviour (test_lwt_mutex.ml and lwt_mutex.ml), plus FIFO and release-on-cancel. */
class MutexTest {
    @Test
    void lockOnAFreeMutexIsFulfilledAtOnce() {
        Mutex m = new Mutex();
        assertTrue(m.lock().isFulfilled());
        assertTrue(m.isLocked());
    }

    @Test
    void lockOnAHeldMutexWaitsUntilUnlock() {
        Mutex m = new Mutex();
        m.lock();
        Promise<Void> second = m.lock();
        assertTrue(second.isPending());
        assertFalse(m.isEmpty());
        m.unlock();
        assertTrue(second.isFulfilled());
    }

    @Test
    void unlockHandsOwnershipToTheWaiterSoTheMutexStaysLocked() {
        Mutex m = new Mutex();
        m.lock();
        m.lock();
        m.unlock();
        assertTrue(m.isLocked());
        assertTrue(m.isEmpty());
        m.unlock();
        assertFalse(m.isLocked());
    }

    @Test
    void waitersGetTheLockInArrivalOrder() {
        Mutex m = new Mutex();
        List<Integer> order = new ArrayList<>();
        m.lock();
        for (int i = 1; i <= 3; i++) {
            int id = i;
            m.lock().onSuccess(v -> order.add(id));
        }
        m.unlock();
        m.unlock();
        m.unlock();
        assertEquals(List.of(1, 2, 3), order);
    }

    @Test
    void unlockOfAnUnlockedMutexThrowsNotHeld() {
        Mutex m = new Mutex();
        NotHeld e = assertThrows(NotHeld.class, m::unlock);
        assertTrue(e.getMessage().contains("not locked"));
    }

    @Test
    void cancelledQueuedLockNeverAcquires() {
        Mutex m = new Mutex();
        Resolver<Void> holding = Promise.pending();
        Promise<Void> task1 = m.withLock(holding::promise);
        boolean[] task2Ran = {false};
        Promise<Void> task2 = m.lock().map(v -> {
            task2Ran[0] = true;
            return null;
        });
        assertTrue(task2.isPending());
        task2.cancel();
        assertTrue(task2.isCancelled());
        holding.resolve(null);
        assertTrue(task1.isFulfilled());
        assertTrue(m.lock().isFulfilled());
        assertFalse(task2Ran[0]);
    }

    @Test
    void cancelAfterOwnershipWasHandedOverIsIgnored() {
        Mutex m = new Mutex();
        Resolver<Void> outer = Promise.pending();
        boolean[] observed = new boolean[3];
        Promise<?>[] task2 = new Promise<?>[1];
        outer.promise().onSuccess(v -> {
            Resolver<Void> holding = Promise.pending();
            m.withLock(holding::promise);
            boolean[] bodyRan = {false};
            task2[0] = m.lock().map(x -> {
                bodyRan[0] = true;
                m.unlock();
                return null;
            });
            holding.resolve(null); // unlock hands the lock over with resolveLater: callbacks deferred
            observed[0] = m.isLocked();
            observed[1] = bodyRan[0];
            task2[0].cancel();
        });
        outer.resolve(null);
        assertTrue(observed[0]);
        assertFalse(observed[1]);
        assertTrue(task2[0].isFulfilled());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockReleasesWhenTheBodySucceeds() {
        Mutex m = new Mutex();
        Promise<String> result = m.withLock(() -> Promise.of("done"));
        assertEquals("done", result.value());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockReleasesWhenTheBodyIsRejected() {
        Mutex m = new Mutex();
        IllegalStateException boom = new IllegalStateException("boom");
        Resolver<String> body = Promise.pending();
        Promise<String> result = m.withLock(body::promise);
        assertTrue(m.isLocked());
        body.reject(boom);
        assertEquals(boom, result.failure());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockReleasesWhenTheBodyThrows() {
        Mutex m = new Mutex();
        Promise<String> result = m.withLock(() -> {
            throw new IllegalStateException("boom");
        });
        assertInstanceOf(IllegalStateException.class, result.failure());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockReleasesWhenTheRunningBodyIsCancelled() {
        Mutex m = new Mutex();
        Resolver<String> body = Promise.task();
        Promise<String> result = m.withLock(body::promise);
        result.cancel();
        assertTrue(result.isCancelled());
        assertFalse(m.isLocked());
    }

    @Test
    void cancellingAWaitingWithLockNeverRunsTheBody() {
        Mutex m = new Mutex();
        m.lock();
        boolean[] ran = {false};
        Promise<Void> result = m.withLock(() -> {
            ran[0] = true;
            return Promise.unit();
        });
        result.cancel();
        assertTrue(result.isCancelled());
        assertTrue(m.isEmpty());
        m.unlock();
        assertFalse(ran[0]);
        assertFalse(m.isLocked());
    }

    @Test
    void withLockPassesTheLockToTheNextWithLockInOrder() {
        Mutex m = new Mutex();
        List<String> order = new ArrayList<>();
        Resolver<Void> first = Promise.pending();
        m.withLock(() -> {
            order.add("first");
            return first.promise();
        });
        m.withLock(() -> {
            order.add("second");
            return Promise.unit();
        });
        assertEquals(List.of("first"), order);
        first.resolve(null);
        assertEquals(List.of("first", "second"), order);
        assertFalse(m.isLocked());
    }

    @Test
    void isEmptyCountsOnlyWaiters() {
        Mutex m = new Mutex();
        assertTrue(m.isEmpty());
        m.lock();
        assertTrue(m.isEmpty());
        m.lock();
        assertFalse(m.isEmpty());
        assertEquals(1, m.waiterCount());
    }
}
