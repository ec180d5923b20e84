package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.promise.PromiseAssertions.E;
import org.junit.jupiter.api.Test;

/** protect, wrapInCancelable and noCancel: views of a promise that change what cancel reaches. */
class ProtectTest {

    // ---------------------------------------------------------------- protect

    @Test
    void protectOfAFulfilledPromiseIsThatPromise() {
        Promise<Void> p = Promise.unit();
        assertSame(p, Promise.protect(p));
    }

    @Test
    void protectOfARejectedPromiseIsRejected() {
        E e = new E();
        assertRejected(e, Promise.protect(Promise.rejected(e)));
    }

    @Test
    void protectOfAPendingTaskIsPending() {
        Promise<String> p = Promise.<String>task().promise();
        Promise<String> view = Promise.protect(p);
        assertPending(p);
        assertPending(view);
    }

    @Test
    void aProtectedViewFollowsItsPromise() {
        Resolver<String> r = Promise.task();
        Promise<String> view = Promise.protect(r.promise());
        r.resolve("foo");
        assertFulfilled("foo", view);
    }

    @Test
    void cancellingAProtectedViewCancelsOnlyTheView() {
        Resolver<String> r = Promise.task();
        Promise<String> view = Promise.protect(r.promise());
        view.cancel();
        assertCancelled(view);
        assertPending(r.promise());
    }

    @Test
    void aCancelledViewStaysCancelledWhenItsPromiseIsFulfilled() {
        Resolver<String> r = Promise.task();
        Promise<String> view = Promise.protect(r.promise());
        view.cancel();
        r.resolve("foo");
        assertFulfilled("foo", r.promise());
        assertCancelled(view);
    }

    @Test
    void aProtectedViewThatBecameAProxyStillFollowsItsPromise() {
        Resolver<String> r1 = Promise.task();
        Promise<String> view = Promise.protect(r1.promise());
        Resolver<String> r3 = Promise.pending();
        Promise<String> outer = r3.promise().flatMap(s -> view);
        r3.resolve("");
        r1.resolve("foo");
        assertFulfilled("foo", view);
        assertFulfilled("foo", outer);
    }

    @Test
    void protectMakesAPendingPromiseCancelableAsAView() {
        Resolver<String> r = Promise.pending();
        Promise<String> view = Promise.protect(r.promise());
        view.cancel();
        assertCancelled(view);
        assertPending(r.promise());
    }

    // ---------------------------------------------------------------- wrapInCancelable

    @Test
    void wrapInCancelableOfAFulfilledPromise() {
        assertFulfilled(null, Promise.wrapInCancelable(Promise.unit()));
    }

    @Test
    void wrapInCancelableOfARejectedPromise() {
        E e = new E();
        assertRejected(e, Promise.wrapInCancelable(Promise.rejected(e)));
    }

    @Test
    void wrapInCancelableOfAPendingTaskIsPending() {
        Promise<String> p = Promise.<String>task().promise();
        Promise<String> w = Promise.wrapInCancelable(p);
        assertPending(p);
        assertPending(w);
    }

    @Test
    void wrapInCancelableOfATaskFollowsIt() {
        Resolver<String> r = Promise.task();
        Promise<String> w = Promise.wrapInCancelable(r.promise());
        r.resolve("foo");
        assertFulfilled("foo", r.promise());
        assertFulfilled("foo", w);
    }

    @Test
    void cancellingAWrapperOfATaskCancelsBoth() {
        Resolver<String> r = Promise.task();
        Promise<String> w = Promise.wrapInCancelable(r.promise());
        w.cancel();
        assertCancelled(w);
        assertCancelled(r.promise());
    }

    @Test
    void wrapInCancelableOfAPendingPromiseIsPending() {
        Promise<String> p = Promise.<String>pending().promise();
        Promise<String> w = Promise.wrapInCancelable(p);
        assertPending(p);
        assertPending(w);
    }

    @Test
    void wrapInCancelableOfAPendingPromiseFollowsIt() {
        Resolver<String> r = Promise.pending();
        Promise<String> w = Promise.wrapInCancelable(r.promise());
        r.resolve("foo");
        assertFulfilled("foo", w);
    }

    @Test
    void cancellingAWrapperOfAPendingPromiseCancelsOnlyTheWrapper() {
        Resolver<String> r = Promise.pending();
        Promise<String> w = Promise.wrapInCancelable(r.promise());
        w.cancel();
        assertCancelled(w);
        assertPending(r.promise());
    }

    @Test
    void resolvingATaskCancelledThroughItsWrapperIsIgnored() {
        Resolver<String> r = Promise.task();
        Promise<String> w = Promise.wrapInCancelable(r.promise());
        w.cancel();
        assertDoesNotThrow(() -> r.resolve("foo"));
        assertCancelled(w);
        assertCancelled(r.promise());
    }

    @Test
    void aCancelledWrapperOfAPendingPromiseStaysCancelledWhenItIsFulfilled() {
        Resolver<String> r = Promise.pending();
        Promise<String> w = Promise.wrapInCancelable(r.promise());
        w.cancel();
        r.resolve("foo");
        assertFulfilled("foo", r.promise());
        assertCancelled(w);
    }

    @Test
    void aWrapperThatBecameAProxyStillFollowsItsPromise() {
        Resolver<String> r1 = Promise.task();
        Promise<String> w = Promise.wrapInCancelable(r1.promise());
        Resolver<String> r3 = Promise.pending();
        r3.promise().flatMap(s -> w);
        r3.resolve("");
        r1.resolve("foo");
        assertFulfilled("foo", w);
    }

    // ---------------------------------------------------------------- noCancel

    @Test
    void noCancelOfAFulfilledPromise() {
        assertFulfilled(null, Promise.noCancel(Promise.unit()));
    }

    @Test
    void noCancelOfARejectedPromise() {
        E e = new E();
        assertRejected(e, Promise.noCancel(Promise.rejected(e)));
    }

    @Test
    void noCancelOfAPendingTaskIsPending() {
        Promise<String> p = Promise.<String>task().promise();
        Promise<String> v = Promise.noCancel(p);
        assertPending(p);
        assertPending(v);
    }

    @Test
    void noCancelFollowsItsPromise() {
        Resolver<String> r = Promise.task();
        Promise<String> v = Promise.noCancel(r.promise());
        r.resolve("foo");
        assertFulfilled("foo", v);
    }

    @Test
    void cancellingANoCancelViewIsIgnored() {
        Resolver<String> r = Promise.task();
        Promise<String> v = Promise.noCancel(r.promise());
        v.cancel();
        assertPending(r.promise());
        assertPending(v);
    }

    @Test
    void aNoCancelViewFollowsItsPromiseWhenThatIsCancelledAnotherWay() {
        Resolver<String> r = Promise.task();
        Promise<String> v = Promise.noCancel(r.promise());
        r.promise().cancel();
        assertCancelled(v);
    }

    @Test
    void aChainThroughNoCancelIsNotCancelled() {
        Resolver<String> r = Promise.task();
        Promise<String> chain = Promise.noCancel(r.promise()).map(s -> s);
        chain.cancel();
        assertPending(r.promise());
        assertPending(chain);
    }
}
