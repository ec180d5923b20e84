package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.promise.PromiseAssertions.E;
import dev.weft.promise.PromiseAssertions.X;
import org.junit.jupiter.api.Test;

/** tryBind (Lwt's try_bind): one branch for the value, one for the failure. */
class TryBindTest {

    private static <T> Promise<T> fail(Throwable e) {
        throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }

    @Test
    void aFulfilledInputRunsTheSuccessBranch() {
        assertFulfilled("foobar", Promise.of("foo").tryBind(s -> Promise.of(s + "bar"), e -> Promise.of("no")));
    }

    /** Weft differs from Lwt on purpose: Lwt throws from try_bind itself. */
    @Test
    void weftRejectsTheResultWhenTheSuccessBranchThrowsOnAFulfilledInput() {
        E e = new E();
        assertRejected(e, Promise.of("foo").tryBind(s -> fail(e), x -> Promise.of("no")));
    }

    @Test
    void aBodyThatThrowsRunsTheFailureBranch() {
        E e = new E();
        Promise<Object> p = Promise.<Object>apply(() -> fail(e)).tryBind(Promise::of, Promise::of);
        assertFulfilled(e, p);
    }

    /** Weft differs from Lwt on purpose: Lwt throws from try_bind itself. */
    @Test
    void weftRejectsTheResultWhenTheFailureBranchThrowsOnARejectedInput() {
        E e = new E();
        assertRejected(e, Promise.rejected(new X()).tryBind(Promise::of, x -> fail(e)));
    }

    @Test
    void aPendingInputRunsNeitherBranch() {
        boolean[] ran = {false};
        Promise<String> p = Promise.<String>pending().promise().tryBind(s -> {
            ran[0] = true;
            return Promise.of(s);
        }, e -> {
            ran[0] = true;
            return Promise.of("");
        });
        assertPending(p);
        assertFalse(ran[0]);
    }

    @Test
    void aPendingInputThatIsFulfilledRunsTheSuccessBranch() {
        Resolver<String> r = Promise.pending();
        Promise<String> p = r.promise().tryBind(s -> Promise.of(s + "bar"), e -> Promise.of("no"));
        r.resolve("foo");
        assertFulfilled("foobar", p);
    }

    @Test
    void aSuccessBranchThatThrowsLaterRejectsTheResult() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().tryBind(s -> fail(e), x -> Promise.of("no"));
        r.resolve("foo");
        assertRejected(e, p);
    }

    @Test
    void aSuccessBranchReturningAPendingPromiseIsFollowed() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p = r1.promise().tryBind(s -> r2.promise(), e -> Promise.of("no"));
        r1.resolve("");
        assertPending(p);
        r2.resolve("foo");
        assertFulfilled("foo", p);
    }

    @Test
    void aPendingInputThatIsRejectedRunsTheFailureBranch() {
        Resolver<Object> r = Promise.pending();
        E e = new E();
        Promise<Object> p = r.promise().tryBind(v -> Promise.of("no"), Promise::of);
        r.reject(e);
        assertFulfilled(e, p);
    }

    @Test
    void aFailureBranchThatThrowsLaterRejectsTheResult() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<String> p = r.promise().tryBind(Promise::of, x -> fail(e));
        r.reject(new X());
        assertRejected(e, p);
    }

    @Test
    void aFailureBranchReturningAPendingPromiseIsFollowed() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p = r1.promise().tryBind(Promise::of, e -> r2.promise());
        r1.reject(new E());
        assertPending(p);
        r2.resolve("bar");
        assertFulfilled("bar", p);
    }

    @Test
    void aResultThatBecomesAProxyWhileTheSuccessBranchRunsStillResolves() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<Boolean> p3 = r1.promise().tryBind(s -> {
            r2.resolve("");
            return Promise.of(true);
        }, e -> Promise.of(false));
        Promise<Boolean> p4 = r2.promise().flatMap(s -> p3);
        r1.resolve("");
        assertFulfilled(true, p4);
    }

    @Test
    void aResultThatBecomesAProxyWhileTheFailureBranchRunsStillResolves() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<Boolean> p3 = r1.promise().tryBind(s -> Promise.of(false), e -> {
            r2.resolve("");
            return Promise.of(true);
        });
        Promise<Boolean> p4 = r2.promise().flatMap(s -> p3);
        r1.reject(new X());
        assertFulfilled(true, p4);
    }
}
