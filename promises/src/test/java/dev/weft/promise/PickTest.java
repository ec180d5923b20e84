package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pick and npick: like choose and nchoose, but they cancel the losers before they resolve. */
class PickTest {

    // ---------------------------------------------------------------- pick

    @Test
    void pickOfNothingThrowsIllegalArgument() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> Promise.pick(List.of()));
        assertTrue(thrown.getMessage().contains("pick"), thrown.getMessage());
    }

    @Test
    void pickOfAnAlreadyFulfilledInputCancelsTheOthers() {
        Resolver<String> t = Promise.task();
        assertFulfilled("foo", Promise.pick(List.of(t.promise(), Promise.of("foo"))));
        assertCancelled(t.promise());
    }

    @Test
    void pickOfAnAlreadyRejectedInputCancelsTheOthers() {
        Resolver<String> t = Promise.task();
        E e = new E();
        assertRejected(e, Promise.pick(List.of(t.promise(), Promise.rejected(e))));
        assertCancelled(t.promise());
    }

    /** Weft differs from Lwt on purpose: Lwt picks a rejected input at random; Weft the first resolved. */
    @Test
    void weftPicksTheFirstResolvedInputInListOrderAndCancelsThePendingOnes() {
        for (int i = 0; i < 100; i++) {
            Resolver<String> t = Promise.task();
            assertFulfilled("foo", Promise.pick(List.of(t.promise(), Promise.of("foo"),
                    Promise.rejected(new E()), Promise.of("bar"))));
            assertCancelled(t.promise());
        }
    }

    @Test
    void pickOfPendingInputsIsPending() {
        assertPending(Promise.pick(List.of(Promise.pending().promise(), Promise.pending().promise())));
    }

    @Test
    void theFirstInputToResolveWinsAndTheOthersAreCancelled() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        Promise<String> p = Promise.pick(List.of(t1.promise(), t2.promise()));
        t1.resolve("foo");
        assertFulfilled("foo", p);
        assertCancelled(t2.promise());
    }

    @Test
    void pickOfTheSamePromiseTwice() {
        Resolver<String> r = Promise.pending();
        Promise<String> p = Promise.pick(List.of(r.promise(), r.promise()));
        r.resolve("foo");
        assertFulfilled("foo", p);
    }

    @Test
    void cancellingAPickCancelsEveryInput() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        Promise<String> p = Promise.pick(List.of(t1.promise(), t2.promise()));
        p.cancel();
        assertCancelled(t1.promise());
        assertCancelled(t2.promise());
        assertCancelled(p);
    }

    @Test
    void pickCancelsTheLosersBeforeItsOwnCallbacksRun() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        List<String> order = new ArrayList<>();
        Promise<String> p = Promise.pick(List.of(t1.promise(), t2.promise()));
        t2.promise().recover(e -> {
            order.add("loser cancelled");
            return Promise.of("");
        });
        p.map(v -> order.add("pick resolved"));
        t1.resolveLater("foo");
        assertEquals(List.of("loser cancelled", "pick resolved"), order);
    }

    // ---------------------------------------------------------------- npick

    @Test
    void npickOfNothingThrowsIllegalArgument() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> Promise.npick(List.of()));
        assertTrue(thrown.getMessage().contains("npick"), thrown.getMessage());
    }

    @Test
    void npickOfFulfilledInputsHasAllValues() {
        assertFulfilled(List.of("foo", "bar"), Promise.npick(List.of(Promise.of("foo"), Promise.of("bar"))));
    }

    @Test
    void npickOfFulfilledThenRejectedRejects() {
        E e = new E();
        assertRejected(e, Promise.npick(List.of(Promise.of("foo"), Promise.rejected(e))));
    }

    @Test
    void npickOfRejectedThenFulfilledRejects() {
        E e = new E();
        assertRejected(e, Promise.npick(List.of(Promise.rejected(e), Promise.of("foo"))));
    }

    @Test
    void npickCancelsThePendingInputsAndReturnsTheFulfilledValues() {
        Resolver<String> t = Promise.task();
        assertFulfilled(List.of("foo", "bar"), Promise.npick(List.of(Promise.of("foo"), t.promise(), Promise.of("bar"))));
        assertCancelled(t.promise());
    }

    @Test
    void npickOfPendingInputsIsPending() {
        assertPending(Promise.npick(List.of(Promise.task().promise(), Promise.task().promise())));
    }

    @Test
    void npickWaitsForTheFirstInputThenCancelsTheRest() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        Promise<List<String>> p = Promise.npick(List.of(t1.promise(), t2.promise()));
        t2.resolve("foo");
        assertFulfilled(List.of("foo"), p);
        assertCancelled(t1.promise());
    }

    @Test
    void npickIsRejectedWhenTheFirstInputToResolveIsRejectedAndCancelsTheRest() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        E e = new E();
        Promise<List<String>> p = Promise.npick(List.of(t1.promise(), t2.promise()));
        t2.reject(e);
        assertRejected(e, p);
        assertCancelled(t1.promise());
    }

    @Test
    void npickOfTheSamePromiseTwiceHasItsValueTwice() {
        Resolver<String> r = Promise.pending();
        Promise<List<String>> p = Promise.npick(List.of(r.promise(), r.promise()));
        r.resolve("foo");
        assertFulfilled(List.of("foo", "foo"), p);
    }

    @Test
    void npickOfTheSamePromiseTwiceRejected() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<List<String>> p = Promise.npick(List.of(r.promise(), r.promise()));
        r.reject(e);
        assertRejected(e, p);
    }

    @Test
    void cancellingAnNpickCancelsEveryInput() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        Promise<List<String>> p = Promise.npick(List.of(t1.promise(), t2.promise()));
        p.cancel();
        assertCancelled(t1.promise());
        assertCancelled(t2.promise());
        assertCancelled(p);
    }

    @Test
    void npickCancelsTheLosersBeforeItsOwnCallbacksRun() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        List<String> order = new ArrayList<>();
        Promise<List<String>> p = Promise.npick(List.of(t1.promise(), t2.promise()));
        t2.promise().recover(e -> {
            order.add("loser cancelled");
            return Promise.of("");
        });
        p.map(v -> order.add("npick resolved"));
        t1.resolveLater("foo");
        assertEquals(List.of("loser cancelled", "npick resolved"), order);
    }
}
