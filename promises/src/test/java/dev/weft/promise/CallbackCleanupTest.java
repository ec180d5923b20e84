package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Callbacks left on a long-lived promise by races it lost are dropped without dropping live ones
 * (Lwt's callback cleanup).
 */
class CallbackCleanupTest {

    @Test
    void racesLostByALongLivedPromiseDoNotDropItsLiveCallbacks() {
        Resolver<String> r1 = Promise.pending();
        Promise<String> p2 = r1.promise().map(s -> s + "bar");
        Promise<String> p3 = Promise.choose(List.of(r1.promise(), Promise.<String>pending().promise()));
        for (int i = 0; i < 43; i++) {
            Resolver<String> fresh = Promise.pending();
            Promise.choose(List.of(r1.promise(), fresh.promise()));
            fresh.resolve("");
        }
        r1.resolve("foo");
        assertFulfilled("foobar", p2);
        assertFulfilled("foo", p3);
    }

    @Test
    void lostRacesAcrossAProxyMergeKeepTheLiveCallbacks() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> p3 = r1.promise().flatMap(s -> r2.promise());
        Promise<String> p4 = r2.promise().map(s -> s);
        Promise<String> p5 = p3.map(s -> s);
        for (int i = 0; i < 22; i++) {
            Resolver<String> fresh = Promise.pending();
            Promise.choose(List.of(r2.promise(), p3, fresh.promise()));
            fresh.resolve("");
        }
        r1.resolve("");
        r2.resolve("done");
        assertFulfilled("done", p4);
        assertFulfilled("done", p5);
    }

    @Test
    void racesLostByAPromiseWithNoOtherCallbacksLeaveAtMostOneCallback() {
        Resolver<String> r = Promise.pending();
        for (int i = 0; i < 10_000; i++) {
            loseARace(r.promise());
        }
        assertTrue(callbackCount(r.promise()) <= 1, () -> callbackCount(r.promise()) + " callbacks");
    }

    @Test
    void racesLostByAPromiseWithALiveCallbackDoNotAccumulate() {
        Resolver<String> r = Promise.pending();
        boolean[] ran = {false};
        r.promise().onSuccess(v -> ran[0] = true);
        for (int i = 0; i < 10_000; i++) {
            loseARace(r.promise());
        }
        assertTrue(callbackCount(r.promise()) <= 50, () -> callbackCount(r.promise()) + " callbacks");
        r.resolve("");
        assertTrue(ran[0]);
    }

    @Test
    void nchooseRacesLostByAPromiseWithALiveCallbackDoNotAccumulate() {
        Resolver<String> r = Promise.pending();
        r.promise().onSuccess(v -> { });
        for (int i = 0; i < 10_000; i++) {
            Resolver<String> fresh = Promise.pending();
            Promise.nchoose(List.of(r.promise(), fresh.promise()));
            fresh.resolve("");
        }
        assertTrue(callbackCount(r.promise()) <= 50, () -> callbackCount(r.promise()) + " callbacks");
    }

    @Test
    void cancelledProtectViewsOfALongLivedPromiseDoNotAccumulate() {
        Resolver<String> r = Promise.pending();
        boolean[] ran = {false};
        r.promise().onSuccess(v -> ran[0] = true);
        for (int i = 0; i < 10_000; i++) {
            Resolver<String> timeout = Promise.task();
            Promise.pick(List.of(Promise.protect(r.promise()), timeout.promise()));
            timeout.resolve("timed out");
        }
        assertTrue(callbackCount(r.promise()) <= 50, () -> callbackCount(r.promise()) + " callbacks");
        r.resolve("");
        assertTrue(ran[0]);
    }

    private static void loseARace(Promise<String> longLived) {
        Resolver<String> fresh = Promise.pending();
        Promise.choose(List.of(longLived, fresh.promise()));
        fresh.resolve("");
    }

    private static int callbackCount(Promise<?> p) {
        Object first = p.underlying().firstCallback();
        if (first == null) {
            return 0;
        }
        int n = 1;
        for (Object c = Promise.nextOf(first); c != null && c != first; c = Promise.nextOf(c)) { // a lone node, or a circle
            n++;
        }
        return n;
    }
}
