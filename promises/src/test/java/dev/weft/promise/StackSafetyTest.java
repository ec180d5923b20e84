package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Resolution runs from an explicit work list: chains a million long resolve, cancel and finalize
 * on the default thread stack (the test JVM runs with -Xss1m) without StackOverflowError.
 */
class StackSafetyTest {
    private static final int N = 1_000_000;

    @Test
    void millionBindsBuiltFirstThenResolvedFromTheHeadComplete() {
        Resolver<Integer> head = Promise.pending();
        Promise<Integer> p = head.promise();
        for (int i = 0; i < N; i++) {
            p = p.flatMap(x -> {
                Resolver<Integer> r = Promise.pending();
                Promise<Integer> next = r.promise();
                r.resolve(x + 1);
                return next;
            });
        }
        head.resolve(0);
        assertEquals(N, p.value());
    }

    @Test
    void millionMapsOnPendingPromisesResolveInOrder() {
        Resolver<Integer> head = Promise.pending();
        Promise<Integer> p = head.promise();
        for (int i = 0; i < N; i++) {
            p = p.map(x -> x + 1);
        }
        head.resolve(0);
        assertEquals(N, p.value());
    }

    @Test
    void millionCallbacksOnOnePromiseRunOnceEachInRegistrationOrder() {
        Resolver<Void> r = Promise.pending();
        int[] next = {0};
        AtomicInteger outOfOrder = new AtomicInteger();
        for (int i = 0; i < N; i++) {
            int expected = i;
            r.promise().onSuccess(v -> {
                if (next[0]++ != expected) {
                    outOfOrder.incrementAndGet();
                }
            });
        }
        r.resolve(null);
        assertEquals(N, next[0]);
        assertEquals(0, outOfOrder.get());
    }

    @Test
    void cancellingTheFarEndOfAMillionLongChainCancelsTheHeadTask() {
        Resolver<Integer> head = Promise.task();
        Promise<Integer> p = head.promise();
        for (int i = 0; i < N; i++) {
            p = p.flatMap(Promise::of);
        }
        p.cancel();
        assertTrue(head.promise().isCancelled());
        assertTrue(p.isCancelled());
    }

    @Test
    void millionDeepNestingOfFinalizeCompletesAndRunsEveryFinaliser() {
        Resolver<Integer> head = Promise.pending();
        int[] finalisers = {0};
        Promise<Integer> p = head.promise();
        for (int i = 0; i < N; i++) {
            Promise<Integer> inner = p;
            p = Promise.tryFinally(() -> inner, () -> {
                finalisers[0]++;
                return Promise.unit();
            });
        }
        head.resolve(7);
        assertEquals(7, p.value());
        assertEquals(N, finalisers[0]);
    }
}
