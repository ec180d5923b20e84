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

    private static Promise<Integer> countDown(int n) {
        return n == 0 ? Promise.of(0) : Promise.of(n).flatMap(x -> countDown(x - 1));
    }

    @Test
    void tenMillionBindsNestedThroughResolvedPromisesDoNotOverflowTheStack() {
        Promise<Integer> done = countDown(10_000_000);
        assertEquals(0, done.value());
    }

    @Test
    void recursionThroughRecoverOnRejectedPromisesDoesNotOverflowTheStack() {
        int[] left = {1_000_000};
        Promise<Integer> done = retry(left);
        assertEquals(42, done.value());
    }

    private static final IllegalStateException AGAIN = new IllegalStateException("again");

    private static Promise<Integer> retry(int[] left) {
        if (left[0]-- == 0) {
            return Promise.of(42);
        }
        return Promise.<Integer>rejected(AGAIN).recover(e -> retry(left));
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
