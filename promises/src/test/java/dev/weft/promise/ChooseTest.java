package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import java.util.List;
import org.junit.jupiter.api.Test;

/** choose, nchoose and nchooseSplit: the first input to resolve decides; the others go on. */
class ChooseTest {
    private final Promise<String> never = Promise.<String>pending().promise();

    // ---------------------------------------------------------------- choose

    @Test
    void chooseOfNothingThrowsIllegalArgument() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> Promise.choose(List.of()));
        assertTrue(thrown.getMessage().contains("choose"), thrown.getMessage());
    }

    @Test
    void chooseReturnsAnAlreadyFulfilledInputAtOnce() {
        assertFulfilled("foo", Promise.choose(List.of(never, Promise.of("foo"))));
    }

    @Test
    void chooseReturnsAnAlreadyRejectedInputAtOnce() {
        E e = new E();
        assertRejected(e, Promise.choose(List.of(never, Promise.rejected(e))));
    }

    /** Weft differs from Lwt on purpose: Lwt picks a rejected input at random; Weft the first resolved. */
    @Test
    void weftChoosesTheFirstResolvedInputInListOrder() {
        for (int i = 0; i < 100; i++) {
            assertFulfilled("foo", Promise.choose(List.of(never, Promise.of("foo"),
                    Promise.rejected(new E()), Promise.of("bar"))));
        }
    }

    @Test
    void weftChoosesARejectedInputWhenItComesFirst() {
        E e = new E();
        assertRejected(e, Promise.choose(List.of(never, Promise.rejected(e), Promise.of("foo"))));
    }

    @Test
    void chooseOfPendingInputsIsPending() {
        assertPending(Promise.choose(List.of(never, Promise.<String>pending().promise())));
    }

    @Test
    void theFirstInputToResolveWins() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        Promise<String> c = Promise.choose(List.of(r1.promise(), r2.promise()));
        r1.resolve("foo");
        r2.resolve("bar");
        assertFulfilled("foo", c);
    }

    @Test
    void chooseDoesNotCancelTheLosers() {
        Resolver<String> t1 = Promise.task();
        Resolver<String> t2 = Promise.task();
        Promise<String> c = Promise.choose(List.of(t1.promise(), t2.promise()));
        t1.resolve("foo");
        assertFulfilled("foo", c);
        assertPending(t2.promise());
    }

    @Test
    void chooseOfTheSamePromiseTwice() {
        Resolver<String> r = Promise.pending();
        Promise<String> c = Promise.choose(List.of(r.promise(), r.promise()));
        r.resolve("foo");
        assertFulfilled("foo", c);
    }

    // ---------------------------------------------------------------- nchoose

    @Test
    void nchooseOfNothingThrowsIllegalArgument() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> Promise.nchoose(List.of()));
        assertTrue(thrown.getMessage().contains("nchoose"), thrown.getMessage());
    }

    @Test
    void nchooseOfFulfilledInputsHasAllValuesInOrder() {
        assertFulfilled(List.of("foo", "bar"), Promise.nchoose(List.of(Promise.of("foo"), Promise.of("bar"))));
    }

    @Test
    void nchooseOfFulfilledThenRejectedRejects() {
        E e = new E();
        assertRejected(e, Promise.nchoose(List.of(Promise.of("foo"), Promise.rejected(e))));
    }

    @Test
    void nchooseOfRejectedThenFulfilledRejects() {
        E e = new E();
        assertRejected(e, Promise.nchoose(List.of(Promise.rejected(e), Promise.of("foo"))));
    }

    @Test
    void nchooseSkipsThePendingInputs() {
        assertFulfilled(List.of("foo", "bar"), Promise.nchoose(List.of(Promise.of("foo"), never, Promise.of("bar"))));
    }

    @Test
    void nchooseWaitsForTheFirstInputToBeFulfilled() {
        Resolver<String> r = Promise.pending();
        Promise<List<String>> p = Promise.nchoose(List.of(never, r.promise()));
        assertPending(p);
        r.resolve("foo");
        assertFulfilled(List.of("foo"), p);
    }

    @Test
    void nchooseIsRejectedWhenTheFirstInputToResolveIsRejected() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<List<String>> p = Promise.nchoose(List.of(never, r.promise()));
        r.reject(e);
        assertRejected(e, p);
    }

    @Test
    void nchooseOfTheSamePromiseTwiceHasItsValueTwice() {
        Resolver<String> r = Promise.pending();
        Promise<List<String>> p = Promise.nchoose(List.of(r.promise(), r.promise()));
        r.resolve("foo");
        assertFulfilled(List.of("foo", "foo"), p);
    }

    @Test
    void nchooseOfTheSamePromiseTwiceRejected() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<List<String>> p = Promise.nchoose(List.of(r.promise(), r.promise()));
        r.reject(e);
        assertRejected(e, p);
    }

    // ---------------------------------------------------------------- nchooseSplit

    @Test
    void nchooseSplitOfNothingThrowsIllegalArgument() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> Promise.nchooseSplit(List.of()));
        assertTrue(thrown.getMessage().contains("nchooseSplit"), thrown.getMessage());
    }

    @Test
    void nchooseSplitReturnsTheValuesAndThePendingInputs() {
        Split<String> split = Promise.nchooseSplit(List.of(Promise.of("foo"), never, Promise.of("bar"))).value();
        assertEquals(List.of("foo", "bar"), split.fulfilled());
        assertEquals(1, split.pending().size());
        assertSame(never, split.pending().get(0));
    }

    @Test
    void nchooseSplitOfFulfilledThenRejectedRejects() {
        E e = new E();
        assertRejected(e, Promise.nchooseSplit(List.of(Promise.unit(), Promise.rejected(e))));
    }

    @Test
    void nchooseSplitOfRejectedThenFulfilledRejects() {
        E e = new E();
        assertRejected(e, Promise.nchooseSplit(List.of(Promise.rejected(e), Promise.unit())));
    }

    @Test
    void nchooseSplitOfPendingAndRejectedRejects() {
        E e = new E();
        assertRejected(e, Promise.nchooseSplit(List.of(never, Promise.rejected(e))));
    }

    @Test
    void nchooseSplitWaitsForTheFirstInputThenSplits() {
        Resolver<String> r = Promise.pending();
        Promise<Split<String>> p = Promise.nchooseSplit(List.of(r.promise(), never));
        assertPending(p);
        r.resolve("foo");
        assertEquals(List.of("foo"), p.value().fulfilled());
        assertEquals(List.of(never), p.value().pending());
    }

    @Test
    void nchooseSplitIsRejectedWhenTheFirstInputToResolveIsRejected() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<Split<String>> p = Promise.nchooseSplit(List.of(r.promise(), never));
        r.reject(e);
        assertRejected(e, p);
    }

    @Test
    void nchooseSplitOfTheSamePromiseTwice() {
        Resolver<String> r = Promise.pending();
        Promise<Split<String>> p = Promise.nchooseSplit(List.of(r.promise(), r.promise(), never));
        r.resolve("foo");
        assertEquals(List.of("foo", "foo"), p.value().fulfilled());
        assertEquals(List.of(never), p.value().pending());
    }

    @Test
    void nchooseSplitOfTheSamePromiseTwiceRejected() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<Split<String>> p = Promise.nchooseSplit(List.of(r.promise(), r.promise(), never));
        r.reject(e);
        assertRejected(e, p);
    }
}
