package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import org.junit.jupiter.api.Test;

/** State queries: isPending, isFulfilled, isRejected, isCancelled, value, failure (Lwt's state, poll). */
class StateTest {

    @Test
    void aFulfilledPromiseIsNotPending() {
        Promise<Void> p = Promise.unit();
        assertFalse(p.isPending());
        assertTrue(p.isFulfilled());
        assertFalse(p.isRejected());
    }

    @Test
    void aRejectedPromiseIsNotPending() {
        Promise<Object> p = Promise.rejected(new E());
        assertFalse(p.isPending());
        assertTrue(p.isRejected());
        assertFalse(p.isFulfilled());
        assertFalse(p.isCancelled());
    }

    @Test
    void aFreshPendingPromiseIsPending() {
        Promise<Object> p = Promise.pending().promise();
        assertTrue(p.isPending());
        assertFalse(p.isFulfilled());
        assertFalse(p.isRejected());
    }

    @Test
    void aPendingPromiseThatBecameAProxyIsStillPending() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        r1.promise().flatMap(s -> r2.promise());
        r1.resolve("");
        assertTrue(r2.promise().isPending());
    }

    @Test
    void valueOfAFulfilledPromiseIsItsValue() {
        assertEquals("foo", Promise.of("foo").value());
    }

    @Test
    void valueOfARejectedPromiseThrowsIllegalStateWithTheFailureAsCause() {
        E e = new E();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Promise.rejected(e).value());
        assertSame(e, thrown.getCause());
    }

    @Test
    void valueOfAPendingPromiseThrowsIllegalState() {
        assertThrows(IllegalStateException.class, () -> Promise.pending().promise().value());
    }

    @Test
    void valueOfAPendingProxyThrowsIllegalState() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        r1.promise().flatMap(s -> r2.promise());
        r1.resolve("");
        assertThrows(IllegalStateException.class, () -> r2.promise().value());
    }

    @Test
    void failureOfARejectedPromiseIsItsFailure() {
        E e = new E();
        assertSame(e, Promise.rejected(e).failure());
    }

    @Test
    void failureOfAFulfilledOrPendingPromiseThrowsIllegalState() {
        assertThrows(IllegalStateException.class, () -> Promise.unit().failure());
        assertThrows(IllegalStateException.class, () -> Promise.pending().promise().failure());
    }

    @Test
    void aCancelledTaskIsRejectedAndCancelled() {
        Resolver<String> r = Promise.task();
        r.promise().cancel();
        assertTrue(r.promise().isRejected());
        assertTrue(r.promise().isCancelled());
    }

    @Test
    void toStringNamesTheState() {
        assertEquals("Promise[fulfilled: foo]", Promise.of("foo").toString());
        assertEquals("Promise[pending]", Promise.pending().promise().toString());
        assertTrue(Promise.rejected(new E()).toString().startsWith("Promise[rejected: "));
    }
}
