package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import dev.weft.promise.PromiseAssertions.X;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * onSuccess, onFailure, onTermination, onAny (Lwt's on_*): when each runs, and that an exception a
 * plain callback throws goes to the async-exception hook, never to the resolver's caller.
 */
class PlainCallbackTest {
    @RegisterExtension
    final AsyncExceptionRecorder hook = new AsyncExceptionRecorder();

    private final boolean[] ran = {false};
    private final Object[] got = {null};

    private static <T> void raise(T ignored, RuntimeException e) {
        throw e;
    }

    private void assertHookReceivedOnly(Throwable e) {
        assertEquals(List.of(e), hook.received());
    }

    // ---------------------------------------------------------------- onSuccess

    @Test
    void onSuccessOnAFulfilledPromiseRunsAtOnce() {
        Promise.of("foo").onSuccess(v -> got[0] = v);
        assertEquals("foo", got[0]);
    }

    @Test
    void anOnSuccessCallbackThatThrowsOnAFulfilledPromiseGoesToTheHook() {
        E e = new E();
        Promise.unit().onSuccess(v -> raise(v, e));
        assertHookReceivedOnly(e);
    }

    @Test
    void onSuccessOnARejectedPromiseNeverRuns() {
        Promise.rejected(new E()).onSuccess(v -> ran[0] = true);
        assertFalse(ran[0]);
    }

    @Test
    void onSuccessOnAPendingPromiseDoesNotRun() {
        Promise.pending().promise().onSuccess(v -> ran[0] = true);
        assertFalse(ran[0]);
    }

    @Test
    void onSuccessRunsWhenAPendingPromiseIsFulfilled() {
        Resolver<String> r = Promise.pending();
        r.promise().onSuccess(v -> got[0] = v);
        assertFalse(got[0] != null);
        r.resolve("foo");
        assertEquals("foo", got[0]);
    }

    @Test
    void anOnSuccessCallbackThatThrowsLaterGoesToTheHookNotToTheResolver() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onSuccess(v -> raise(v, e));
        r.resolve("foo");
        assertHookReceivedOnly(e);
    }

    @Test
    void onSuccessDoesNotRunWhenAPendingPromiseIsRejected() {
        Resolver<String> r = Promise.pending();
        r.promise().onSuccess(v -> ran[0] = true);
        r.reject(new E());
        assertFalse(ran[0]);
    }

    // ---------------------------------------------------------------- onFailure

    @Test
    void onFailureOnAFulfilledPromiseNeverRuns() {
        Promise.unit().onFailure(f -> ran[0] = true);
        assertFalse(ran[0]);
    }

    @Test
    void onFailureOnARejectedPromiseReceivesTheFailure() {
        E e = new E();
        Promise.rejected(e).onFailure(f -> got[0] = f);
        assertSame(e, got[0]);
    }

    @Test
    void anOnFailureCallbackThatThrowsGoesToTheHook() {
        E e = new E();
        Promise.rejected(new X()).onFailure(f -> raise(f, e));
        assertHookReceivedOnly(e);
    }

    @Test
    void onFailureOnAPendingPromiseDoesNotRun() {
        Promise.pending().promise().onFailure(f -> ran[0] = true);
        assertFalse(ran[0]);
    }

    @Test
    void onFailureDoesNotRunWhenAPendingPromiseIsFulfilled() {
        Resolver<String> r = Promise.pending();
        r.promise().onFailure(f -> ran[0] = true);
        r.resolve("foo");
        assertFalse(ran[0]);
    }

    @Test
    void onFailureReceivesTheFailureWhenAPendingPromiseIsRejected() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onFailure(f -> got[0] = f);
        r.reject(e);
        assertSame(e, got[0]);
    }

    @Test
    void anOnFailureCallbackThatThrowsLaterGoesToTheHook() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onFailure(f -> raise(f, e));
        r.reject(new X());
        assertHookReceivedOnly(e);
    }

    // ---------------------------------------------------------------- onTermination

    @Test
    void onTerminationOnAFulfilledPromiseRuns() {
        Promise.unit().onTermination(() -> ran[0] = true);
        assertTrue(ran[0]);
    }

    @Test
    void anOnTerminationCallbackThatThrowsOnAFulfilledPromiseGoesToTheHook() {
        E e = new E();
        Promise.unit().onTermination(() -> raise(null, e));
        assertHookReceivedOnly(e);
    }

    @Test
    void onTerminationOnARejectedPromiseRuns() {
        Promise.rejected(new E()).onTermination(() -> ran[0] = true);
        assertTrue(ran[0]);
    }

    @Test
    void anOnTerminationCallbackThatThrowsOnARejectedPromiseGivesTheHookItsOwnException() {
        E e = new E();
        Promise.rejected(new X()).onTermination(() -> raise(null, e));
        assertHookReceivedOnly(e);
    }

    @Test
    void onTerminationOnAPendingPromiseDoesNotRun() {
        Promise.pending().promise().onTermination(() -> ran[0] = true);
        assertFalse(ran[0]);
    }

    @Test
    void onTerminationRunsWhenAPendingPromiseIsFulfilled() {
        Resolver<String> r = Promise.pending();
        r.promise().onTermination(() -> ran[0] = true);
        r.resolve("foo");
        assertTrue(ran[0]);
    }

    @Test
    void anOnTerminationCallbackThatThrowsAfterFulfilmentGoesToTheHook() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onTermination(() -> raise(null, e));
        r.resolve("foo");
        assertHookReceivedOnly(e);
    }

    @Test
    void onTerminationRunsWhenAPendingPromiseIsRejected() {
        Resolver<String> r = Promise.pending();
        r.promise().onTermination(() -> ran[0] = true);
        r.reject(new E());
        assertTrue(ran[0]);
    }

    @Test
    void anOnTerminationCallbackThatThrowsAfterRejectionGoesToTheHook() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onTermination(() -> raise(null, e));
        r.reject(new X());
        assertHookReceivedOnly(e);
    }

    // ---------------------------------------------------------------- onAny

    @Test
    void onAnyOnAFulfilledPromiseRunsOnlyTheSuccessBranch() {
        Promise.of("foo").onAny(v -> got[0] = v, f -> ran[0] = true);
        assertEquals("foo", got[0]);
        assertFalse(ran[0]);
    }

    @Test
    void anOnAnySuccessBranchThatThrowsGoesToTheHook() {
        E e = new E();
        Promise.unit().onAny(v -> raise(v, e), f -> { });
        assertHookReceivedOnly(e);
    }

    @Test
    void onAnyOnARejectedPromiseRunsTheFailureBranchWithTheFailure() {
        E e = new E();
        Promise.rejected(e).onAny(v -> ran[0] = true, f -> got[0] = f);
        assertSame(e, got[0]);
        assertFalse(ran[0]);
    }

    @Test
    void anOnAnyFailureBranchThatThrowsGoesToTheHook() {
        E e = new E();
        Promise.rejected(new X()).onAny(v -> { }, f -> raise(f, e));
        assertHookReceivedOnly(e);
    }

    @Test
    void onAnyOnAPendingPromiseRunsNeitherBranch() {
        Promise.pending().promise().onAny(v -> ran[0] = true, f -> ran[0] = true);
        assertFalse(ran[0]);
    }

    @Test
    void onAnyRunsOnlyTheSuccessBranchWhenAPendingPromiseIsFulfilled() {
        Resolver<String> r = Promise.pending();
        r.promise().onAny(v -> got[0] = v, f -> ran[0] = true);
        r.resolve("foo");
        assertEquals("foo", got[0]);
        assertFalse(ran[0]);
    }

    @Test
    void anOnAnySuccessBranchThatThrowsLaterGoesToTheHook() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onAny(v -> raise(v, e), f -> { });
        r.resolve("foo");
        assertHookReceivedOnly(e);
    }

    @Test
    void onAnyRunsTheFailureBranchWhenAPendingPromiseIsRejected() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onAny(v -> ran[0] = true, f -> got[0] = f);
        r.reject(e);
        assertSame(e, got[0]);
        assertFalse(ran[0]);
    }

    @Test
    void anOnAnyFailureBranchThatThrowsLaterGoesToTheHook() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onAny(v -> { }, f -> raise(f, e));
        r.reject(new X());
        assertHookReceivedOnly(e);
    }

    @Test
    void aThrowingCallbackDoesNotStopTheCallbacksAfterIt() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.promise().onSuccess(v -> raise(v, e));
        r.promise().onSuccess(v -> ran[0] = true);
        r.resolve("foo");
        assertTrue(ran[0]);
        assertHookReceivedOnly(e);
    }
}
