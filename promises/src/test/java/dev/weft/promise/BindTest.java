package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.promise.PromiseAssertions.E;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** flatMap (Lwt's bind): resolved and pending inputs, throwing functions, proxies. */
class BindTest {

    @Test
    void flatMapOnAFulfilledPromiseRunsTheFunctionAtOnce() {
        assertFulfilled("foobar", Promise.of("foo").flatMap(s -> Promise.of(s + "bar")));
    }

    @Test
    void flatMapOnAFulfilledPromiseReturnsTheFunctionsOwnPromise() {
        Promise<String> inner = Promise.<String>pending().promise();
        assertSame(inner, Promise.of("foo").flatMap(s -> inner));
    }

    /** Weft differs from Lwt here on purpose (Lwt issue #329: Lwt throws from bind itself). */
    @Test
    void weftRejectsTheResultWhenTheFunctionThrowsOnAFulfilledInput() {
        E e = new E();
        Promise<String> p = Promise.of("foo").flatMap(s -> {
            throw e;
        });
        assertRejected(e, p);
    }

    @Test
    void flatMapRejectsTheResultWhenTheFunctionReturnsNull() {
        assertInstanceOf(NullPointerException.class, Promise.of("foo").flatMap(s -> null).failure());
    }

    @Test
    void flatMapOnARejectedPromiseSkipsTheFunction() {
        E e = new E();
        boolean[] ran = {false};
        Promise<String> p = Promise.<String>rejected(e).flatMap(s -> {
            ran[0] = true;
            return Promise.of(s);
        });
        assertRejected(e, p);
        assertFalse(ran[0]);
    }

    @Test
    void flatMapOnAPendingPromiseDoesNotRunTheFunction() {
        boolean[] ran = {false};
        Promise<String> p = Promise.<String>pending().promise().flatMap(s -> {
            ran[0] = true;
            return Promise.of(s);
        });
        assertPending(p);
        assertFalse(ran[0]);
    }

    @Test
    void flatMapOnAPendingPromiseRunsTheFunctionWhenItIsFulfilled() {
        Resolver<String> r = Promise.pending();
        Promise<String> p = r.promise().flatMap(s -> Promise.of(s + "bar"));
        r.resolve("foo");
        assertFulfilled("foobar", p);
    }

    @Test
    void flatMapRejectsTheResultWhenTheFunctionThrowsLater() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().flatMap(s -> {
            throw e;
        });
        r.resolve("foo");
        assertRejected(e, p);
    }

    @Test
    void flatMapOnAPendingPromiseThatIsRejectedSkipsTheFunction() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        boolean[] ran = {false};
        Promise<String> p = r.promise().flatMap(s -> {
            ran[0] = true;
            return Promise.of(s);
        });
        r.reject(e);
        assertRejected(e, p);
        assertFalse(ran[0]);
    }

    @Test
    void aChainOfFlatMapsPassesTheValueAlong() {
        Resolver<String> r = Promise.pending();
        Promise<String> p3 = r.promise().flatMap(s -> Promise.of(s + "bar")).flatMap(s -> Promise.of(s + "!!1"));
        r.resolve("foo");
        assertFulfilled("foobar!!1", p3);
    }

    @Test
    void aSuspendedChainReturningAResolvedPromiseResolves() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = Promise.of("foo");
        Promise<String> p3 = r1.promise().flatMap(s -> p2);
        Promise<String> p4 = r1.promise().flatMap(s -> p3);
        r1.resolve("");
        assertFulfilled("foo", p4);
    }

    @Test
    void severalFlatMapsOnOnePendingPromiseAllRun() {
        Resolver<String> r = Promise.pending();
        Promise<String> a = r.promise().flatMap(s -> Promise.of(s + "bar"));
        Promise<String> b = r.promise().flatMap(s -> Promise.of(s + "!!1"));
        Promise<String> c = r.promise().flatMap(s -> Promise.of(s + "omg"));
        r.resolve("foo");
        assertFulfilled("foobar", a);
        assertFulfilled("foo!!1", b);
        assertFulfilled("fooomg", c);
    }

    @Test
    void theResultStaysPendingWhileThePromiseTheFunctionReturnedIsPending() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p = r1.promise().flatMap(s -> r2.promise());
        r1.resolve("foo");
        assertPending(p);
        r2.resolve("bar");
        assertFulfilled("bar", p);
    }

    @Test
    void aFunctionReturningItsOwnInputFulfilsTheResult() {
        Resolver<String> r = Promise.pending();
        Promise<String> p = r.promise().flatMap(s -> r.promise());
        r.resolve("foo");
        assertFulfilled("foo", p);
    }

    @Test
    void nestedFlatMapsCombineTwoLaterValues() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p = r1.promise().flatMap(s -> r2.promise().flatMap(s2 -> Promise.of(s + s2)));
        r1.resolve("foo");
        r2.resolve("bar");
        assertFulfilled("foobar", p);
    }

    @Test
    void aChainOfProxiesResolvesEveryPromiseInIt() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Resolver<String> r3 = Promise.pending();
        Promise<String> p4 = r1.promise().flatMap(s -> r3.promise());
        Promise<String> p5 = r2.promise().flatMap(s -> p4);
        r1.resolve("");
        r2.resolve("");
        r3.resolve("bar");
        assertFulfilled("bar", r3.promise());
        assertFulfilled("bar", p4);
        assertFulfilled("bar", p5);
    }

    @Test
    void aFunctionReturningTheFlatMapsOwnResultLeavesItPendingWithoutACycle() {
        Resolver<String> r = Promise.pending();
        AtomicReference<Promise<String>> holder = new AtomicReference<>();
        holder.set(r.promise().flatMap(s -> holder.get()));
        r.resolve("foo");
        assertPending(holder.get());
        holder.get().cancel();
        assertPending(holder.get());
    }

    @Test
    void aResultThatBecomesAProxyWhileItsFunctionRunsStillResolves() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<Boolean> p3 = r1.promise().flatMap(s -> {
            r2.resolve("");
            return Promise.of(true);
        });
        Promise<Boolean> p4 = r2.promise().flatMap(s -> p3);
        r1.resolve("");
        assertFulfilled(true, p4);
        assertFulfilled(true, p3);
    }

    @Test
    void sequencedFlatMapsOverTwoPendingPromisesCombineTheirValues() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p = r1.promise().flatMap(a -> r2.promise().map(b -> a + b));
        r1.resolve("foo");
        r2.resolve("bar");
        assertFulfilled("foobar", p);
    }

    @Test
    void bothThenMapCombinesTwoPendingValues() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p = Promise.both(r1.promise(), r2.promise()).map(ab -> ab.first() + ab.second());
        r1.resolve("foo");
        r2.resolve("bar");
        assertFulfilled("foobar", p);
    }
}
