package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import dev.weft.promise.PromiseAssertions.X;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** andFinally / tryFinally (Lwt's finalize). */
class FinallyTest {
    private int finaliserRuns;

    private Supplier<Promise<?>> finaliser(Promise<?> outcome) {
        return () -> {
            finaliserRuns++;
            return outcome;
        };
    }

    private Supplier<Promise<?>> throwingFinaliser(RuntimeException e) {
        return () -> {
            finaliserRuns++;
            throw e;
        };
    }

    @Test
    void aFulfilledBodyRunsTheFinaliserAndKeepsItsValue() {
        Promise<String> p = Promise.tryFinally(() -> Promise.of("foo"), finaliser(Promise.unit()));
        assertEquals(1, finaliserRuns);
        assertFulfilled("foo", p);
    }

    @Test
    void aRejectedFinaliserReplacesAFulfilledBodysValue() {
        E e = new E();
        assertRejected(e, Promise.tryFinally(() -> Promise.of("foo"), finaliser(Promise.rejected(e))));
    }

    /** Weft differs from Lwt on purpose: Lwt throws from finalize itself. */
    @Test
    void weftRejectsTheResultWhenTheFinaliserThrowsAfterAFulfilledBody() {
        E e = new E();
        assertRejected(e, Promise.of("foo").andFinally(throwingFinaliser(e)));
        assertEquals(1, finaliserRuns);
    }

    @Test
    void aRejectedBodyRunsTheFinaliserAndKeepsItsFailure() {
        E e = new E();
        Promise<String> p = Promise.tryFinally(() -> Promise.rejected(e), finaliser(Promise.unit()));
        assertEquals(1, finaliserRuns);
        assertRejected(e, p);
    }

    @Test
    void aBodyThatThrowsRunsTheFinaliserAndIsRejected() {
        E e = new E();
        Promise<String> p = Promise.tryFinally(() -> {
            throw e;
        }, finaliser(Promise.unit()));
        assertEquals(1, finaliserRuns);
        assertRejected(e, p);
    }

    @Test
    void aRejectedFinaliserReplacesARejectedBodysFailure() {
        E e = new E();
        assertRejected(e, Promise.tryFinally(() -> Promise.rejected(new X()), finaliser(Promise.rejected(e))));
    }

    /** Weft differs from Lwt on purpose: Lwt throws from finalize itself. */
    @Test
    void weftRejectsTheResultWhenTheFinaliserThrowsAfterARejectedBody() {
        E e = new E();
        assertRejected(e, Promise.tryFinally(() -> {
            throw new X();
        }, throwingFinaliser(e)));
    }

    @Test
    void aPendingBodyDoesNotRunTheFinaliser() {
        Promise<String> p = Promise.<String>pending().promise().andFinally(finaliser(Promise.unit()));
        assertPending(p);
        assertEquals(0, finaliserRuns);
    }

    @Test
    void aPendingBodyThatIsFulfilledRunsTheFinaliser() {
        Resolver<String> r = Promise.pending();
        Promise<String> p = r.promise().andFinally(finaliser(Promise.unit()));
        r.resolve("foo");
        assertEquals(1, finaliserRuns);
        assertFulfilled("foo", p);
    }

    @Test
    void aFinaliserThatThrowsAfterAPendingBodyIsFulfilledRejectsTheResult() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().andFinally(throwingFinaliser(e));
        r.resolve("foo");
        assertRejected(e, p);
    }

    @Test
    void aFinaliserRejectedAfterAPendingBodyIsFulfilledRejectsTheResult() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().andFinally(finaliser(Promise.rejected(e)));
        r.resolve("foo");
        assertRejected(e, p);
    }

    @Test
    void theResultWaitsForAPendingFinaliserThenKeepsTheValue() {
        Resolver<String> r = Promise.pending();
        Resolver<Void> done = Promise.pending();
        Promise<String> p = r.promise().andFinally(finaliser(done.promise()));
        r.resolve("foo");
        assertPending(p);
        done.resolve(null);
        assertFulfilled("foo", p);
    }

    @Test
    void aPendingFinaliserThatIsRejectedReplacesTheValue() {
        Resolver<String> r = Promise.pending();
        Resolver<Void> done = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().andFinally(finaliser(done.promise()));
        r.resolve("foo");
        assertPending(p);
        done.reject(e);
        assertRejected(e, p);
    }

    @Test
    void aPendingBodyThatIsRejectedRunsTheFinaliserAndKeepsTheFailure() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().andFinally(finaliser(Promise.unit()));
        r.reject(e);
        assertEquals(1, finaliserRuns);
        assertRejected(e, p);
    }

    @Test
    void aFinaliserThatThrowsAfterAPendingBodyIsRejectedReplacesTheFailure() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().andFinally(throwingFinaliser(e));
        r.reject(new X());
        assertRejected(e, p);
    }

    @Test
    void aPendingFinaliserThatIsFulfilledKeepsTheOriginalFailure() {
        Resolver<String> r = Promise.pending();
        Resolver<Void> done = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().andFinally(finaliser(done.promise()));
        r.reject(e);
        assertPending(p);
        done.resolve(null);
        assertRejected(e, p);
    }

    @Test
    void aPendingFinaliserThatIsRejectedReplacesTheOriginalFailure() {
        Resolver<String> r = Promise.pending();
        Resolver<Void> done = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().andFinally(finaliser(done.promise()));
        r.reject(new X());
        done.reject(e);
        assertRejected(e, p);
    }

    @Test
    void aFinallyResultThatBecomesAProxyWhileTheFinaliserRunsStillResolves() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p3 = r1.promise().andFinally(() -> {
            r2.resolve("");
            return Promise.unit();
        });
        Promise<String> p4 = r2.promise().flatMap(s -> p3);
        r1.resolve("foo");
        assertFulfilled("foo", p4);
    }

    @Test
    void aFinallyResultThatBecomesAProxyWhileTheFinaliserRunsAfterARejectionStillRejects() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        X x = new X();
        Promise<String> p3 = r1.promise().andFinally(() -> {
            r2.resolve("");
            return Promise.unit();
        });
        Promise<String> p4 = r2.promise().flatMap(s -> p3);
        r1.reject(x);
        assertRejected(x, p4);
    }

    @Test
    void theFinaliserRunsWhenTheBodyIsCancelled() {
        Resolver<String> r = Promise.task();
        boolean[] ran = {false};
        Promise<String> p = r.promise().andFinally(() -> {
            ran[0] = true;
            return Promise.unit();
        });
        p.cancel();
        assertTrue(ran[0]);
        assertTrue(p.isCancelled());
    }

    @Test
    void aFinaliserReturningNullRejectsTheResult() {
        Promise<String> p = Promise.of("foo").andFinally(() -> null);
        assertTrue(p.failure() instanceof NullPointerException);
        assertFalse(p.isFulfilled());
    }
}
