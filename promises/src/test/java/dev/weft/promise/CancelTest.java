package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import org.junit.jupiter.api.Test;

/** cancel on leaves: tasks are cancelled, pending() promises and resolved promises are not. */
class CancelTest {
    private final boolean[] ran = {false};
    private final Object[] got = {null};

    @Test
    void cancellingAFulfilledPromiseDoesNothing() {
        Promise<String> p = Promise.of("foo");
        p.cancel();
        assertFulfilled("foo", p);
    }

    @Test
    void cancellingARejectedPromiseDoesNothing() {
        E e = new E();
        Promise<String> p = Promise.rejected(e);
        p.cancel();
        assertRejected(e, p);
    }

    @Test
    void aPendingPromiseCannotBeCancelled() {
        Promise<String> p = Promise.<String>pending().promise();
        p.cancel();
        assertPending(p);
    }

    @Test
    void cancellingATaskRejectsItWithCancelledAtOnce() {
        Promise<String> p = Promise.<String>task().promise();
        p.cancel();
        assertCancelled(p);
    }

    @Test
    void cancellingATaskRunsItsFailureCallbacksWithCancelled() {
        Promise<String> p = Promise.<String>task().promise();
        p.onFailure(f -> got[0] = f);
        p.cancel();
        assertInstanceOf(Cancelled.class, got[0]);
    }

    @Test
    void cancelInsideACallbackRunsTheCancelledPromisesCallbacksAtOnce() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        boolean[] inside = {false, false};
        t2.promise().onFailure(f -> ran[0] = true);
        t1.promise().onFailure(f -> {
            t2.promise().cancel();
            inside[0] = t2.promise().isCancelled();
            inside[1] = ran[0];
        });
        t1.promise().cancel();
        assertTrue(inside[0], "t2 cancelled inside the callback");
        assertTrue(inside[1], "t2's callback ran inside the callback");
        assertCancelled(t2.promise());
    }

    @Test
    void cancellingTwiceRunsTheCallbacksOnce() {
        Resolver<String> t = Promise.task();
        int[] runs = {0};
        t.promise().onCancel(() -> runs[0]++);
        t.promise().cancel();
        t.promise().cancel();
        assertEquals(1, runs[0]);
    }

    @Test
    void eachCancellationIsANewCancelledWithoutAStackTrace() {
        Resolver<String> t = Promise.task();
        t.promise().cancel();
        assertEquals(0, t.promise().failure().getStackTrace().length);
    }

    // ---------------------------------------------------------------- plain callbacks on a cancelled task

    @Test
    void cancellingATaskDoesNotRunOnSuccess() {
        Promise<String> p = Promise.<String>task().promise();
        p.onSuccess(v -> ran[0] = true);
        p.cancel();
        assertFalse(ran[0]);
    }

    @Test
    void cancellingATaskRunsOnFailureWithCancelled() {
        Promise<String> p = Promise.<String>task().promise();
        p.onFailure(f -> got[0] = f);
        p.cancel();
        assertInstanceOf(Cancelled.class, got[0]);
    }

    @Test
    void cancellingATaskRunsOnTermination() {
        Promise<String> p = Promise.<String>task().promise();
        p.onTermination(() -> ran[0] = true);
        p.cancel();
        assertTrue(ran[0]);
    }

    @Test
    void cancellingATaskRunsOnlyTheFailureBranchOfOnAny() {
        Promise<String> p = Promise.<String>task().promise();
        p.onAny(v -> ran[0] = true, f -> got[0] = f);
        p.cancel();
        assertFalse(ran[0]);
        assertInstanceOf(Cancelled.class, got[0]);
    }

    // ---------------------------------------------------------------- onCancel

    @Test
    void onCancelRunsOnlyWhenTheTaskIsCancelled() {
        Promise<String> p = Promise.<String>task().promise();
        p.onCancel(() -> ran[0] = true);
        assertFalse(ran[0]);
        p.cancel();
        assertTrue(ran[0]);
    }

    @Test
    void everyOnCancelCallbackRuns() {
        Promise<String> p = Promise.<String>task().promise();
        int[] runs = {0};
        p.onCancel(() -> runs[0]++);
        p.onCancel(() -> runs[0]++);
        p.onCancel(() -> runs[0]++);
        p.cancel();
        assertEquals(3, runs[0]);
    }

    @Test
    void onCancelOnAFulfilledPromiseNeverRuns() {
        Promise.unit().onCancel(() -> ran[0] = true);
        assertFalse(ran[0]);
    }

    @Test
    void onCancelOnAPromiseRejectedOtherwiseNeverRuns() {
        Promise.rejected(new E()).onCancel(() -> ran[0] = true);
        assertFalse(ran[0]);
    }

    @Test
    void onCancelOnAPendingPromiseThatIsFulfilledOrRejectedNeverRuns() {
        Resolver<String> a = Promise.task();
        Resolver<String> b = Promise.task();
        a.promise().onCancel(() -> ran[0] = true);
        b.promise().onCancel(() -> ran[0] = true);
        a.resolve("");
        b.reject(new E());
        assertFalse(ran[0]);
    }

    @Test
    void onCancelOnAnAlreadyCancelledPromiseRunsAtOnce() {
        Promise.rejected(new Cancelled()).onCancel(() -> ran[0] = true);
        assertTrue(ran[0]);
    }

    @Test
    void rejectingWithCancelledCountsAsCancellation() {
        Resolver<String> r = Promise.pending();
        r.promise().onCancel(() -> ran[0] = true);
        r.reject(new Cancelled());
        assertTrue(ran[0]);
    }
}
