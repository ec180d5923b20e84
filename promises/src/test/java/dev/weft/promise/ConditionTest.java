package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lwt_condition's behaviour (test_lwt_condition.ml and lwt_condition.ml). */
class ConditionTest {
    @Test
    void signalWakesTheWaiterWithTheValue() {
        Condition<Integer> c = new Condition<>();
        Promise<Integer> w = c.await();
        c.signal(1);
        assertEquals(1, w.value());
    }

    @Test
    void awaitWithAMutexReleasesItWhileWaiting() {
        Condition<Integer> c = new Condition<>();
        Mutex m = new Mutex();
        assertTrue(m.lock().isFulfilled());
        Promise<Integer> w = c.await(m);
        assertTrue(w.isPending());
        assertFalse(m.isLocked());
    }

    @Test
    void awaitWithAMutexLocksItAgainBeforeResolving() {
        Condition<Integer> c = new Condition<>();
        Mutex m = new Mutex();
        m.lock();
        boolean[] lockedWhenWoken = {false};
        Promise<Integer> w = c.await(m).map(v -> {
            lockedWhenWoken[0] = m.isLocked();
            return v;
        });
        c.signal(1);
        assertEquals(1, w.value());
        assertTrue(lockedWhenWoken[0]);
    }

    @Test
    void awaitWithAMutexWaitsForTheMutexWhenSomeoneElseTookIt() {
        Condition<Integer> c = new Condition<>();
        Mutex m = new Mutex();
        m.lock();
        Promise<Integer> w = c.await(m);
        m.lock(); // another task takes the mutex meanwhile
        c.signal(1);
        assertTrue(w.isPending());
        m.unlock();
        assertEquals(1, w.value());
        assertTrue(m.isLocked());
    }

    @Test
    void awaitWithAMutexThatIsNotLockedThrowsNotHeld() {
        Condition<Integer> c = new Condition<>();
        assertThrows(NotHeld.class, () -> c.await(new Mutex()));
        assertEquals(0, c.waiterCount());
    }

    @Test
    void cancelledAwaitWithAMutexStillLocksItAgain() {
        Condition<Integer> c = new Condition<>();
        Mutex m = new Mutex();
        m.lock();
        Promise<Integer> w = c.await(m);
        w.cancel();
        assertTrue(w.isCancelled());
        assertTrue(m.isLocked());
        assertEquals(0, c.waiterCount());
    }

    @Test
    void anAwaitCancelledAgainWhileItWaitsToLockTheMutexAgainStillResolvesOnlyOnceItHoldsIt() {
        Condition<Integer> c = new Condition<>();
        Mutex m = new Mutex();
        m.lock();
        Promise<Integer> w = c.await(m);
        m.lock(); // another task takes the mutex meanwhile
        w.cancel(); // the wait ends; locking again has to wait for the other task
        assertTrue(w.isPending());

        w.cancel();

        assertTrue(w.isPending(), "the caller would go on without the mutex, and unlock the other task's");
        m.unlock(); // the other task is done
        assertTrue(w.isCancelled());
        assertTrue(m.isLocked(), "the mutex is the canceller's again");
    }

    @Test
    void signalIsNotSticky() {
        Condition<Integer> c = new Condition<>();
        c.signal(1);
        assertTrue(c.await().isPending());
    }

    @Test
    void signalWakesOnlyTheOldestWaiter() {
        Condition<Integer> c = new Condition<>();
        Promise<Integer> first = c.await();
        Promise<Integer> second = c.await();
        c.signal(1);
        assertEquals(1, first.value());
        assertTrue(second.isPending());
    }

    @Test
    void broadcastWakesAllWaiters() {
        Condition<Integer> c = new Condition<>();
        Promise<Integer> a = c.await();
        Promise<Integer> b = c.await();
        c.broadcast(1);
        assertEquals(1, a.value());
        assertEquals(1, b.value());
    }

    @Test
    void broadcastWakesWaitersOldestFirstAndNotThoseAddedMeanwhile() {
        Condition<Integer> c = new Condition<>();
        List<String> order = new ArrayList<>();
        List<Promise<Integer>> late = new ArrayList<>();
        c.await().onSuccess(v -> {
            order.add("a");
            late.add(c.await());
        });
        c.await().onSuccess(v -> order.add("b"));
        c.broadcast(1);
        assertEquals(List.of("a", "b"), order);
        assertTrue(late.getFirst().isPending());
    }

    @Test
    void broadcastExceptionRejectsAllWaiters() {
        Condition<Integer> c = new Condition<>();
        Promise<Integer> a = c.await();
        Promise<Integer> b = c.await();
        IllegalStateException e = new IllegalStateException("stop");
        c.broadcastException(e);
        assertSame(e, a.failure());
        assertSame(e, b.failure());
    }

    @Test
    void cancelledWaiterIsSkippedBySignal() {
        Condition<Integer> c = new Condition<>();
        Promise<Integer> cancelled = c.await();
        Promise<Integer> next = c.await();
        cancelled.cancel();
        c.signal(7);
        assertTrue(cancelled.isCancelled());
        assertEquals(7, next.value());
    }
}
