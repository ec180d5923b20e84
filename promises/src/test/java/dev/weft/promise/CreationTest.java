package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import org.junit.jupiter.api.Test;

/** Already-resolved promises: of, rejected, unit, apply, wrap (Lwt's return, fail, apply, wrap). */
class CreationTest {

    @Test
    void ofIsFulfilledWithItsValueAtOnce() {
        assertFulfilled("foo", Promise.of("foo"));
    }

    @Test
    void ofAcceptsANullValue() {
        assertFulfilled(null, Promise.of(null));
    }

    @Test
    void rejectedIsRejectedWithItsFailureAtOnce() {
        E e = new E();
        assertRejected(e, Promise.rejected(e));
    }

    @Test
    void rejectedRefusesANullFailure() {
        assertThrows(NullPointerException.class, () -> Promise.rejected(null));
    }

    @Test
    void unitIsOneSharedPromiseFulfilledWithNull() {
        assertFulfilled(null, Promise.unit());
        assertSame(Promise.unit(), Promise.unit());
    }

    @Test
    void applyCallsTheFunctionAndBehavesAsItsPromise() {
        String s = "foo";
        assertFulfilled("foobar", Promise.apply(() -> Promise.of(s + "bar")));
    }

    @Test
    void applyTurnsAThrowIntoARejectionInsteadOfThrowing() {
        E e = new E();
        assertRejected(e, Promise.apply(() -> {
            throw e;
        }));
    }

    @Test
    void applyTurnsANullPromiseIntoARejection() {
        Promise<Object> p = Promise.apply(() -> null);
        assertInstanceOf(NullPointerException.class, p.failure());
    }

    @Test
    void wrapFulfilsWithTheFunctionsValue() {
        assertFulfilled("foo", Promise.wrap(() -> "foo"));
    }

    @Test
    void wrapTurnsAThrowIntoARejection() {
        E e = new E();
        assertRejected(e, Promise.wrap(() -> {
            throw e;
        }));
    }

    @Test
    void wrapOfAFunctionOfSeveralArgumentsIsAClosure() {
        int a = 1;
        int b = 2;
        int c = 3;
        Promise<Integer> p = Promise.wrap(() -> a + b + c);
        assertFulfilled(6, p);
        assertTrue(p.isFulfilled());
    }
}
