package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Cancelling a promise made by flatMap, map, recover, tryBind or andFinally cancels the promise the
 * chain waits on at that moment, down to the innermost cancelable one; a pending() promise stops it.
 */
class CancelPropagationTest {
    private final boolean[] ran = {false, false};
    private final Object[] got = {null};

    private <T> Function<T, Promise<T>> marking(int i) {
        return v -> {
            ran[i] = true;
            return Promise.of(v);
        };
    }

    // ---------------------------------------------------------------- flatMap

    @Test
    void cancellingAFlatMapWaitingOnAPendingPromiseDoesNothing() {
        Promise<String> input = Promise.<String>pending().promise();
        Promise<String> p = input.flatMap(marking(0));
        p.cancel();
        assertFalse(ran[0]);
        assertPending(input);
        assertPending(p);
    }

    @Test
    void cancellingAFlatMapWaitingOnATaskCancelsBoth() {
        Promise<String> input = Promise.<String>task().promise();
        Promise<String> p = input.flatMap(marking(0));
        p.cancel();
        assertFalse(ran[0]);
        assertCancelled(input);
        assertCancelled(p);
    }

    @Test
    void cancellingAFlatMapWhoseFunctionReturnedAPendingPromiseDoesNothing() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> inner = Promise.<String>pending().promise();
        Promise<String> p = r1.promise().flatMap(s -> inner);
        r1.resolve("");
        p.cancel();
        assertPending(inner);
        assertPending(p);
    }

    @Test
    void cancellingAFlatMapWhoseFunctionReturnedATaskCancelsIt() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> inner = Promise.<String>task().promise();
        Promise<String> p = r1.promise().flatMap(s -> inner);
        r1.resolve("");
        p.cancel();
        assertCancelled(inner);
        assertCancelled(p);
        assertNotSame(inner, p);
    }

    @Test
    void cancellingTheEndOfAChainReachesTheInnermostTask() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = Promise.<String>task().promise();
        Promise<String> p3 = r1.promise().flatMap(s -> p2);
        Promise<String> p4 = r1.promise().flatMap(s -> p3);
        r1.resolve("");
        p4.cancel();
        assertCancelled(p2);
        assertCancelled(p3);
        assertCancelled(p4);
    }

    @Test
    void cancellingBeforeTheFunctionRanDoesNotReachThePromiseItWouldReturn() {
        Promise<String> a = Promise.<String>task().promise();
        Promise<String> later = Promise.<String>task().promise();
        later.onCancel(() -> ran[0] = true);
        Promise<String> p = a.flatMap(s -> later);
        p.onCancel(() -> ran[1] = true);
        p.cancel();
        assertFalse(ran[0]);
        assertTrue(ran[1]);
    }

    @Test
    void cancellingAfterTheFunctionRanReachesThePromiseItReturned() {
        Resolver<String> r1 = Promise.task();
        Promise<String> inner = Promise.<String>task().promise();
        inner.onCancel(() -> ran[0] = true);
        Promise<String> p = r1.promise().flatMap(s -> inner);
        p.onCancel(() -> ran[1] = true);
        r1.resolve("");
        p.cancel();
        assertTrue(ran[0]);
        assertTrue(ran[1]);
    }

    // ---------------------------------------------------------------- map

    @Test
    void cancellingAMapWaitingOnAPendingPromiseDoesNothing() {
        Promise<String> input = Promise.<String>pending().promise();
        Promise<Boolean> p = input.map(v -> ran[0] = true);
        p.cancel();
        assertFalse(ran[0]);
        assertPending(input);
        assertPending(p);
    }

    @Test
    void cancellingAMapWaitingOnATaskCancelsBoth() {
        Promise<String> input = Promise.<String>task().promise();
        Promise<Boolean> p = input.map(v -> ran[0] = true);
        p.cancel();
        assertFalse(ran[0]);
        assertCancelled(input);
        assertCancelled(p);
    }

    // ---------------------------------------------------------------- recover

    @Test
    void cancellingARecoverWaitingOnAPendingPromiseDoesNothing() {
        Promise<String> input = Promise.<String>pending().promise();
        Promise<String> p = input.recover(e -> this.<String>marking(0).apply(""));
        p.cancel();
        assertFalse(ran[0]);
        assertPending(input);
        assertPending(p);
    }

    @Test
    void cancellingARecoverWaitingOnATaskLetsTheHandlerRecover() {
        Promise<String> input = Promise.<String>task().promise();
        Promise<String> p = input.recover(e -> {
            got[0] = e;
            return Promise.of("foo");
        });
        p.cancel();
        assertInstanceOf(Cancelled.class, got[0]);
        assertCancelled(input);
        assertFulfilled("foo", p);
    }

    @Test
    void whenTheHandlerRecoversOnlyTheInnerOnCancelRuns() {
        Promise<String> input = Promise.<String>task().promise();
        input.onCancel(() -> ran[0] = true);
        boolean[] innerRanBeforeHandler = {false};
        Promise<String> p = input.recover(e -> {
            innerRanBeforeHandler[0] = ran[0] && !ran[1];
            return Promise.of("foo");
        });
        p.onCancel(() -> ran[1] = true);
        p.cancel();
        assertTrue(innerRanBeforeHandler[0]);
        assertFulfilled("foo", p);
        assertFalse(ran[1]);
    }

    @Test
    void whenTheHandlerRethrowsBothAreCancelledAndBothOnCancelsRun() {
        Promise<String> input = Promise.<String>task().promise();
        Promise<String> p = input.recover(e -> Promise.rejected(e));
        p.onCancel(() -> ran[1] = true);
        p.cancel();
        assertCancelled(input);
        assertCancelled(p);
        assertTrue(ran[1]);
    }

    @Test
    void cancellingARecoverWhoseHandlerReturnedAPendingPromiseDoesNothing() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = Promise.<String>pending().promise();
        Promise<String> p3 = r1.promise().recover(e -> p2);
        r1.reject(new E());
        p3.cancel();
        assertPending(p2);
        assertPending(p3);
    }

    @Test
    void cancellingARecoverWhoseHandlerReturnedATaskCancelsIt() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = Promise.<String>task().promise();
        Promise<String> p3 = r1.promise().recover(e -> p2);
        r1.reject(new E());
        p3.cancel();
        assertCancelled(p2);
        assertCancelled(p3);
    }

    // ---------------------------------------------------------------- tryBind

    @Test
    void cancellingATryBindWaitingOnAPendingPromiseDoesNothing() {
        Promise<String> input = Promise.<String>pending().promise();
        Promise<String> p = input.tryBind(this.<String>marking(0), e -> this.<String>marking(1).apply(""));
        p.cancel();
        assertFalse(ran[0] || ran[1]);
        assertPending(input);
        assertPending(p);
    }

    @Test
    void cancellingATryBindWaitingOnATaskRunsTheFailureBranch() {
        Promise<String> input = Promise.<String>task().promise();
        Promise<String> p = input.tryBind(v -> {
            ran[0] = true;
            return Promise.of("foo");
        }, e -> {
            got[0] = e;
            return Promise.of("bar");
        });
        p.cancel();
        assertFalse(ran[0]);
        assertInstanceOf(Cancelled.class, got[0]);
        assertCancelled(input);
        assertFulfilled("bar", p);
    }

    @Test
    void cancellingATryBindWhoseSuccessBranchReturnedAPendingPromiseDoesNothing() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = Promise.<String>pending().promise();
        Promise<String> p3 = r1.promise().tryBind(v -> p2, e -> Promise.rejected(e));
        r1.resolve("");
        p3.cancel();
        assertPending(p2);
        assertPending(p3);
    }

    @Test
    void cancellingATryBindWhoseSuccessBranchReturnedATaskCancelsIt() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = Promise.<String>task().promise();
        Promise<String> p3 = r1.promise().tryBind(v -> p2, e -> Promise.rejected(e));
        r1.resolve("");
        p3.cancel();
        assertCancelled(p2);
        assertCancelled(p3);
    }

    @Test
    void cancellingATryBindWhoseFailureBranchReturnedAPendingPromiseDoesNothing() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = Promise.<String>pending().promise();
        Promise<String> p3 = r1.promise().tryBind(Promise::of, e -> p2);
        r1.reject(new E());
        p3.cancel();
        assertPending(p2);
        assertPending(p3);
    }

    @Test
    void cancellingATryBindWhoseFailureBranchReturnedATaskCancelsIt() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = Promise.<String>task().promise();
        Promise<String> p3 = r1.promise().tryBind(Promise::of, e -> p2);
        r1.reject(new E());
        p3.cancel();
        assertCancelled(p2);
        assertCancelled(p3);
    }

    // ---------------------------------------------------------------- andFinally

    @Test
    void cancellingAFinallyWaitingOnAPendingPromiseDoesNothing() {
        Promise<String> input = Promise.<String>pending().promise();
        Promise<String> p = input.andFinally(() -> {
            ran[0] = true;
            return Promise.unit();
        });
        p.cancel();
        assertFalse(ran[0]);
        assertPending(input);
        assertPending(p);
    }

    @Test
    void cancellingAFinallyWaitingOnATaskRunsTheFinaliserAndCancels() {
        Promise<String> input = Promise.<String>task().promise();
        Promise<String> p = Promise.tryFinally(() -> input, () -> {
            ran[0] = true;
            return Promise.unit();
        });
        p.cancel();
        assertTrue(ran[0]);
        assertCancelled(input);
        assertCancelled(p);
    }

    @Test
    void aFinaliserFailureReplacesCancelled() {
        Promise<String> input = Promise.<String>task().promise();
        E e = new E();
        Promise<String> p = input.andFinally(() -> Promise.rejected(e));
        input.cancel();
        assertRejected(e, p);
    }

    @Test
    void cancellingAFinallyWaitingOnAPendingFinaliserDoesNothing() {
        Resolver<String> r1 = Promise.pending();
        Promise<Void> p2 = Promise.<Void>pending().promise();
        Promise<String> p3 = r1.promise().andFinally(() -> p2);
        r1.resolve("");
        p3.cancel();
        assertPending(p2);
        assertPending(p3);
    }

    @Test
    void cancellingAFinallyWaitingOnAFinaliserTaskCancelsIt() {
        Resolver<String> r1 = Promise.pending();
        Promise<Void> p2 = Promise.<Void>task().promise();
        Promise<String> p3 = r1.promise().andFinally(() -> p2);
        r1.resolve("");
        p3.cancel();
        assertCancelled(p2);
        assertCancelled(p3);
    }

    @Test
    void cancellingPromisesThatWaitOnEachOtherInACycleEnds() {
        Resolver<Integer> head = Promise.task();
        Resolver<Integer> other = Promise.task();
        java.util.concurrent.atomic.AtomicReference<Promise<Integer>> later = new java.util.concurrent.atomic.AtomicReference<>();
        Promise<Integer> bind = head.promise().flatMap(v -> later.get());
        later.set(Promise.all(java.util.List.of(bind, other.promise())).map(l -> 1));
        head.resolve(0); // later's promise becomes a proxy of bind, which now waits on itself and on other
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), bind::cancel);
        assertCancelled(other.promise()); // reached through the cycle
        assertPending(bind); // all still waits for its other input, bind itself: the program's deadlock
    }
}
