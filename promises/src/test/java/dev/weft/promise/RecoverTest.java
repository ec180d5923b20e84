package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.promise.PromiseAssertions.E;
import dev.weft.promise.PromiseAssertions.X;
import org.junit.jupiter.api.Test;

/** recover, and Promise.apply(body).recover(h) as Lwt's catch. */
class RecoverTest {

    private static Promise<Object> catching(java.util.function.Supplier<Promise<Object>> body) {
        return Promise.<Object>apply(body).recover(Promise::of);
    }

    @Test
    void recoverOnAFulfilledPromiseSkipsTheHandlerAndReturnsTheSamePromise() {
        Promise<String> p = Promise.of("foo");
        boolean[] ran = {false};
        Promise<String> r = p.recover(e -> {
            ran[0] = true;
            return Promise.of("bar");
        });
        assertSame(p, r);
        assertFulfilled("foo", r);
        assertFalse(ran[0]);
    }

    @Test
    void aBodyThatThrowsReachesTheHandler() {
        E e = new E();
        assertFulfilled(e, catching(() -> {
            throw e;
        }));
    }

    @Test
    void aBodyThatIsRejectedReachesTheHandler() {
        E e = new E();
        assertFulfilled(e, catching(() -> Promise.rejected(e)));
    }

    /** Weft differs from Lwt on purpose: Lwt throws from catch itself in this case. */
    @Test
    void weftRejectsTheResultWhenTheHandlerThrowsOnARejectedInput() {
        E e = new E();
        Promise<String> p = Promise.<String>rejected(new X()).recover(x -> {
            throw e;
        });
        assertRejected(e, p);
    }

    @Test
    void recoverOnAPendingPromiseDoesNotRunTheHandler() {
        boolean[] ran = {false};
        Promise<String> p = Promise.<String>pending().promise().recover(e -> {
            ran[0] = true;
            return Promise.of("");
        });
        assertPending(p);
        assertFalse(ran[0]);
    }

    @Test
    void aPendingBodyThatIsFulfilledSkipsTheHandler() {
        Resolver<String> r = Promise.pending();
        boolean[] ran = {false};
        Promise<String> p = r.promise().recover(e -> {
            ran[0] = true;
            return Promise.of("");
        });
        r.resolve("foo");
        assertFulfilled("foo", p);
        assertFalse(ran[0]);
    }

    @Test
    void aPendingBodyThatIsRejectedRunsTheHandler() {
        Resolver<Object> r = Promise.pending();
        E e = new E();
        Promise<Object> p = r.promise().recover(Promise::of);
        r.reject(e);
        assertFulfilled(e, p);
    }

    @Test
    void aHandlerThatThrowsLaterRejectsTheResult() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().recover(x -> {
            throw e;
        });
        r.reject(new X());
        assertRejected(e, p);
    }

    @Test
    void aHandlerThatReturnsAPendingPromiseKeepsTheResultPendingUntilItResolves() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p = r1.promise().recover(e -> r2.promise());
        r1.reject(new E());
        assertPending(p);
        r2.resolve("foo");
        assertFulfilled("foo", p);
    }

    @Test
    void aRecoverResultThatBecomesAProxyWhileItsHandlerRunsStillResolves() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<Boolean> p3 = r1.promise().map(s -> false).recover(e -> {
            r2.resolve("");
            return Promise.of(true);
        });
        Promise<Boolean> p4 = r2.promise().flatMap(s -> p3);
        r1.reject(new X());
        assertFulfilled(true, p4);
    }

    @Test
    void theHandlerSeesCancelledLikeAnyOtherFailure() {
        Resolver<String> r = Promise.task();
        Object[] seen = {null};
        Promise<String> p = r.promise().recover(e -> {
            seen[0] = e;
            return Promise.of("recovered");
        });
        r.promise().cancel();
        assertFulfilled("recovered", p);
        assertSame(r.promise().failure(), seen[0]);
    }
}
