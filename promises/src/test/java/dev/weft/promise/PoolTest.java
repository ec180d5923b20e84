package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lwt_pool's behaviour (test_lwt_pool.ml and lwt_pool.ml). Elements are mutable counters. */
class PoolTest {
    private static final IllegalStateException E = new IllegalStateException("E");

    /** A pooled element: a counter the users change. */
    private static final class Counter {
        int value;
    }

    @AfterEach
    void drainPaused() {
        while (LoopHooks.wakeupPaused() > 0) {
            // leave no paused promise to the next test
        }
    }

    private static Pool<Counter> pool(int max) {
        return Pool.create(max, () -> Promise.of(new Counter()));
    }

    /** A use that sets the counter, then waits for {@code gate} before finishing with "done". */
    private static Promise<String> setAndWait(Pool<Counter> p, int value, Condition<Void> gate) {
        return p.use(c -> {
            c.value = value;
            return gate.await().map(v -> "done");
        });
    }

    @Test
    void useOnAFreshPoolCreatesAnElementAndRuns() {
        Pool<String> p = Pool.create(1, () -> Promise.of("x"));
        assertEquals("x", p.use(Promise::of).value());
    }

    @Test
    void factoryThrowingRejectsUseAndFreesTheSlot() {
        boolean[] fail = {true};
        Pool<Counter> p = Pool.create(1, () -> {
            if (fail[0]) {
                throw E;
            }
            return Promise.of(new Counter());
        });
        assertSame(E, p.use(c -> Promise.of(1)).failure());
        fail[0] = false;
        assertEquals(1, p.use(c -> Promise.of(1)).value());
    }

    @Test
    void factoryRejectingLaterRejectsUseAndFreesTheSlot() {
        List<Resolver<Counter>> creations = new ArrayList<>();
        Pool<Counter> p = Pool.create(1, () -> {
            Resolver<Counter> r = Promise.pending();
            creations.add(r);
            return r.promise();
        });
        Promise<Integer> first = p.use(c -> Promise.of(1));
        creations.getFirst().reject(E);
        assertSame(E, first.failure());
        Promise<Integer> second = p.use(c -> Promise.of(2));
        assertEquals(2, creations.size());
        creations.get(1).resolve(new Counter());
        assertEquals(2, second.value());
    }

    @Test
    void elementsAreReused() {
        Pool<Counter> p = pool(1);
        p.use(c -> {
            c.value = 1;
            return Promise.unit();
        });
        assertEquals(1, p.use(c -> Promise.of(c.value)).value());
    }

    @Test
    void elementFailingValidationIsReplacedBeforeUse() {
        Pool<Counter> p = Pool.create(1, () -> Promise.of(new Counter()),
                c -> Promise.of(c.value == 0), c -> true, c -> Promise.unit());
        p.use(c -> {
            c.value = 1;
            return Promise.unit();
        });
        assertEquals(0, p.use(c -> Promise.of(c.value)).value());
    }

    @Test
    void validationThrowingRejectsTheWaitingUser() {
        Condition<Void> gate = new Condition<>();
        Pool<Counter> p = Pool.create(1, () -> Promise.of(new Counter()), c -> {
            if (c.value != 0) {
                throw E;
            }
            return Promise.of(true);
        }, c -> true, c -> Promise.unit());
        Promise<String> u1 = setAndWait(p, 1, gate);
        Promise<Integer> u2 = p.use(c -> Promise.of(c.value));
        gate.signal(null);
        assertEquals("done", u1.value());
        assertSame(E, u2.failure());
    }

    @Test
    void poolCreatesUpToMaxElements() {
        Pool<Counter> p = pool(2);
        Promise<Void> u1 = p.use(c -> {
            c.value = 1;
            return Promise.pause();
        });
        Promise<Integer> u2 = p.use(c -> Promise.of(c.value));
        assertTrue(u1.isPending());
        assertEquals(0, u2.value());
    }

    @Test
    void useWaitsWhenThePoolIsExhausted() {
        Pool<Counter> p = pool(1);
        p.use(c -> Promise.pause());
        Promise<Integer> u2 = p.use(c -> Promise.of(1));
        assertTrue(u2.isPending());
        assertEquals(1, p.waitQueueLength());
        LoopHooks.wakeupPaused();
        assertEquals(1, u2.value());
    }

    @Test
    void waitersAreServedInArrivalOrder() {
        Pool<Counter> p = pool(1);
        List<Integer> order = new ArrayList<>();
        Resolver<Void> first = Promise.pending();
        p.use(c -> first.promise());
        for (int i = 1; i <= 3; i++) {
            int id = i;
            p.use(c -> {
                order.add(id);
                return Promise.unit();
            });
        }
        first.resolve(null);
        assertEquals(List.of(1, 2, 3), order);
    }

    @Test
    void cancelledWaiterLeavesTheQueue() {
        Pool<Counter> p = pool(1);
        Resolver<Void> first = Promise.pending();
        p.use(c -> first.promise());
        boolean[] ran = {false};
        Promise<Void> waiting = p.use(c -> {
            ran[0] = true;
            return Promise.unit();
        });
        waiting.cancel();
        assertEquals(0, p.waitQueueLength());
        first.resolve(null);
        assertTrue(waiting.isCancelled());
        assertEquals(false, ran[0]);
    }

    @Test
    void checkTrueKeepsTheElementAfterAFailure() {
        Pool<Counter> p = Pool.create(1, () -> Promise.of(new Counter()),
                c -> Promise.of(true), c -> c.value > 0, c -> Promise.unit());
        Promise<Void> u1 = p.use(c -> {
            c.value = 2;
            return Promise.rejected(E);
        });
        assertSame(E, u1.failure());
        assertEquals(2, p.use(c -> Promise.of(c.value)).value());
    }

    @Test
    void checkFalseDisposesTheElementAndTheNextUseGetsANewOne() {
        boolean[] disposed = {false};
        Pool<Counter> p = Pool.create(1, () -> Promise.of(new Counter()),
                c -> Promise.of(true), c -> c.value > 0, c -> {
                    disposed[0] = true;
                    return Promise.unit();
                });
        p.use(c -> {
            c.value = 0;
            return Promise.rejected(E);
        });
        Promise<Integer> u2 = p.use(c -> {
            c.value++;
            return Promise.of(c.value + 1);
        });
        assertEquals(2, u2.value());
        assertTrue(disposed[0]);
    }

    @Test
    void clearDisposesIdleElementsNowAndElementsInUseWhenReturned() {
        int[] disposed = {0};
        Pool<Counter> p = Pool.create(2, () -> Promise.of(new Counter()),
                c -> Promise.of(true), c -> true, c -> {
                    disposed[0]++;
                    return Promise.unit();
                });
        Promise<Void> u = p.use(c -> Promise.pause());
        p.use(c -> Promise.unit());
        p.clear();
        assertEquals(1, disposed[0]);
        LoopHooks.wakeupPaused();
        assertTrue(u.isFulfilled());
        assertEquals(2, disposed[0]);
    }

    @Test
    void cancellingAUseWhileItsElementIsDisposedFreesTheSlotOnceTheDisposalIsDone() {
        List<Resolver<Void>> disposals = new ArrayList<>();
        Pool<String> p = Pool.create(1, () -> Promise.of("connection"), e -> Promise.of(true), e -> true, e -> {
            Resolver<Void> disposal = Promise.task(); // say, a close with a timeout of its own
            disposals.add(disposal);
            return disposal.promise();
        });
        Resolver<String> body = Promise.pending();
        Promise<String> use = p.use(e -> body.promise());
        p.clear(); // the element in use is disposed when it comes back
        body.resolve("done");

        use.cancel();
        disposals.getFirst().resolve(null);

        Promise<String> next = p.use(Promise::of);
        assertTrue(next.isFulfilled(), "the disposed element's slot was never given back");
    }

    @Test
    void useAfterClearGetsANewElement() {
        Pool<Counter> p = pool(1);
        p.use(c -> {
            c.value = 5;
            return Promise.unit();
        });
        p.clear();
        assertEquals(0, p.use(c -> Promise.of(c.value)).value());
    }

    @Test
    void clearDisposesTheMostRecentlyReturnedElementFirst() {
        List<Integer> disposed = new ArrayList<>();
        int[] made = {0};
        Pool<Integer> p = Pool.create(2, () -> Promise.of(++made[0]),
                c -> Promise.of(true), c -> true, c -> {
                    disposed.add(c);
                    return Promise.unit();
                });
        Resolver<Void> a = Promise.pending();
        Resolver<Void> b = Promise.pending();
        p.use(c -> a.promise());
        p.use(c -> b.promise());
        a.resolve(null);
        b.resolve(null);
        p.clear();
        assertEquals(List.of(2, 1), disposed);
    }

    @Test
    void waiterGetsAReplacementWhenValidationOfAnotherWaiterThrows() {
        Condition<Void> gate = new Condition<>();
        Pool<Counter> p = Pool.create(1, () -> Promise.of(new Counter()), c -> {
            if (c.value != 0) {
                throw E;
            }
            return Promise.of(true);
        }, c -> true, c -> Promise.unit());
        Promise<String> u1 = setAndWait(p, 1, gate);
        Promise<Integer> u2 = p.use(c -> Promise.of(c.value));
        Promise<Integer> u3 = p.use(c -> Promise.of(c.value));
        gate.signal(null);
        assertEquals("done", u1.value());
        assertSame(E, u2.failure());
        assertEquals(0, u3.value());
    }

    @Test
    void waiterGetsTheFactoryFailureWhenTheReplacementFails() {
        Condition<Void> gate = new Condition<>();
        boolean[] factoryFails = {false};
        IllegalStateException creation = new IllegalStateException("creation");
        Pool<Counter> p = Pool.create(1, () -> {
            if (factoryFails[0]) {
                throw creation;
            }
            return Promise.of(new Counter());
        }, c -> {
            if (c.value != 0) {
                throw E;
            }
            return Promise.of(true);
        }, c -> true, c -> Promise.unit());
        Promise<String> u1 = p.use(c -> {
            c.value = 1;
            factoryFails[0] = true;
            return gate.await().map(v -> "done");
        });
        Promise<Integer> u2 = p.use(c -> Promise.of(c.value));
        Promise<Integer> u3 = p.use(c -> Promise.of(c.value));
        gate.signal(null);
        assertEquals("done", u1.value());
        assertSame(E, u2.failure());
        assertSame(creation, u3.failure());
    }

    @Test
    void checkAndValidateWorkTogether() {
        Condition<Void> gate = new Condition<>();
        Pool<Counter> p = Pool.create(1, () -> Promise.of(new Counter()),
                c -> Promise.of(c.value > 0), c -> c.value > 1, c -> Promise.unit());
        Promise<String> u1 = setAndWait(p, 1, gate);
        Promise<Integer> u2 = p.use(c -> {
            c.value = 2;
            throw E;
        });
        Promise<Integer> u3 = p.use(c -> Promise.of(c.value));
        gate.signal(null);
        assertEquals("done", u1.value());
        assertSame(E, u2.failure());
        assertEquals(2, u3.value());
    }

    @Test
    void defaultCheckKeepsTheElementAfterAFailure() {
        Condition<Void> gate = new Condition<>();
        Pool<Counter> p = pool(1);
        Promise<Void> u1 = p.use(c -> gate.await().map(v -> {
            c.value = 1;
            throw E;
        }));
        Promise<Integer> u2 = p.use(c -> Promise.of(c.value));
        gate.signal(null);
        assertSame(E, u1.failure());
        assertEquals(1, u2.value());
    }

    @Test
    void checkThatThrowsDisposesTheElement() {
        boolean[] disposed = {false};
        List<Throwable> reported = new ArrayList<>();
        LoopHooks.setAsyncExceptionHook(reported::add);
        try {
            Pool<Counter> p = Pool.create(1, () -> Promise.of(new Counter()), c -> Promise.of(true), c -> {
                throw new IllegalArgumentException("check broke");
            }, c -> {
                disposed[0] = true;
                return Promise.unit();
            });
            assertSame(E, p.use(c -> Promise.rejected(E)).failure());
            assertTrue(disposed[0]);
            assertEquals(1, reported.size());
        } finally {
            LoopHooks.setAsyncExceptionHook(null);
        }
    }
}
