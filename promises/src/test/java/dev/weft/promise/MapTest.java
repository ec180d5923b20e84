package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.promise.PromiseAssertions.E;
import org.junit.jupiter.api.Test;

/** map (Lwt's map, {@code >|=}). */
class MapTest {

    @Test
    void mapOnAFulfilledPromiseAppliesTheFunctionAtOnce() {
        assertFulfilled("foobar", Promise.of("foo").map(s -> s + "bar"));
    }

    @Test
    void mapOnAFulfilledPromiseRejectsWhenTheFunctionThrows() {
        E e = new E();
        assertRejected(e, Promise.of("foo").map(s -> {
            throw e;
        }));
    }

    @Test
    void mapOnARejectedPromiseSkipsTheFunction() {
        E e = new E();
        boolean[] ran = {false};
        assertRejected(e, Promise.<String>rejected(e).map(s -> ran[0] = true));
        assertFalse(ran[0]);
    }

    @Test
    void mapOnAPendingPromiseDoesNotRunTheFunction() {
        boolean[] ran = {false};
        assertPending(Promise.<String>pending().promise().map(s -> ran[0] = true));
        assertFalse(ran[0]);
    }

    @Test
    void mapOnAPendingPromiseAppliesTheFunctionWhenItIsFulfilled() {
        Resolver<String> r = Promise.pending();
        Promise<String> p = r.promise().map(s -> s + "bar");
        r.resolve("foo");
        assertFulfilled("foobar", p);
    }

    @Test
    void mapOnAPendingPromiseRejectsWhenTheFunctionThrowsLater() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().map(s -> {
            throw e;
        });
        r.resolve("foo");
        assertRejected(e, p);
    }

    @Test
    void mapOnAPendingPromiseThatIsRejectedPassesTheFailure() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().map(s -> s + "bar");
        r.reject(e);
        assertRejected(e, p);
    }

    @Test
    void mapMayFulfilWithNull() {
        Resolver<String> r = Promise.pending();
        Promise<Object> p = r.promise().map(s -> null);
        r.resolve("foo");
        assertFulfilled(null, p);
    }

    @Test
    void aMapResultThatBecomesAProxyWhileItsFunctionRunsStillResolves() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<Boolean> p3 = r1.promise().map(s -> {
            r2.resolve("");
            return true;
        });
        Promise<Boolean> p4 = r2.promise().flatMap(s -> p3);
        r1.resolve("");
        assertFulfilled(true, p4);
    }
}
