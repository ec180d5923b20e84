package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;

import dev.weft.promise.PromiseAssertions.E;
import dev.weft.promise.PromiseAssertions.X;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * join, all and both: they wait for every input, never fail fast, and reject with the first
 * failure recorded (inputs already rejected first, in list order; then in the order they happen).
 */
class JoinTest {
    private static final Promise<Object> NEVER = Promise.pending().promise();

    // ---------------------------------------------------------------- join

    @Test
    void joinOfNothingIsFulfilledAtOnce() {
        assertFulfilled(null, Promise.join(List.of()));
    }

    @Test
    void joinOfFulfilledPromisesIsFulfilled() {
        assertFulfilled(null, Promise.join(List.of(Promise.unit(), Promise.of("x"))));
    }

    @Test
    void joinOfRejectedPromisesIsRejectedWithTheFirst() {
        E e = new E();
        assertRejected(e, Promise.join(List.of(Promise.rejected(e), Promise.rejected(new X()))));
    }

    @Test
    void joinWaitsForAPendingInputThenIsFulfilled() {
        Resolver<String> r = Promise.pending();
        Promise<Void> j = Promise.join(List.of(Promise.unit(), r.promise()));
        assertPending(j);
        r.resolve("");
        assertFulfilled(null, j);
    }

    @Test
    void joinWithARejectedInputStillWaitsForThePendingOneThenRejects() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<Void> j = Promise.join(List.of(Promise.rejected(e), r.promise()));
        assertPending(j);
        r.resolve("");
        assertRejected(e, j);
    }

    @Test
    void joinIsRejectedWhenAPendingInputIsRejected() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<Void> j = Promise.join(List.of(Promise.unit(), r.promise()));
        r.reject(e);
        assertRejected(e, j);
    }

    @Test
    void joinKeepsTheFailureAlreadyRecordedOverALaterOne() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise<Void> j = Promise.join(List.of(Promise.rejected(e), r.promise()));
        r.reject(new X());
        assertRejected(e, j);
    }

    @Test
    void joinOfTheSamePromiseTwiceIsFulfilledWhenItIs() {
        Resolver<String> r = Promise.pending();
        Promise<Void> j = Promise.join(List.of(r.promise(), r.promise()));
        r.resolve("");
        assertFulfilled(null, j);
    }

    @Test
    void joinRejectsWithTheFirstFailureInTimeNotInListOrder() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        E e = new E();
        Promise<Void> j = Promise.join(List.of(r1.promise(), r2.promise()));
        r2.reject(e);
        assertPending(j);
        r1.reject(new X());
        assertRejected(e, j);
    }

    // ---------------------------------------------------------------- all

    @Test
    void allOfNothingIsAnEmptyList() {
        assertFulfilled(List.of(), Promise.all(List.of()));
    }

    @Test
    void allOfOneFulfilledPromise() {
        assertFulfilled(List.of(1), Promise.all(List.of(Promise.of(1))));
    }

    @Test
    void allOfTwoFulfilledPromises() {
        assertFulfilled(List.of(1, 2), Promise.all(List.of(Promise.of(1), Promise.of(2))));
    }

    @Test
    void allOfThreeFulfilledPromises() {
        assertFulfilled(List.of(1, 2, 3), Promise.all(List.of(Promise.of(1), Promise.of(2), Promise.of(3))));
    }

    @Test
    void allOfTenFulfilledPromisesKeepsTheirOrder() {
        List<Promise<Integer>> ps = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ps.add(Promise.of(i));
            expected.add(i);
        }
        assertFulfilled(expected, Promise.all(ps));
    }

    @Test
    void allOfRejectedPromisesIsRejectedWithTheFirst() {
        E e = new E();
        assertRejected(e, Promise.all(List.of(Promise.rejected(e), Promise.rejected(new X()))));
    }

    @Test
    void allWaitsForAPendingInput() {
        Resolver<Integer> r = Promise.pending();
        Promise<List<Integer>> p = Promise.all(List.of(Promise.of(1), r.promise()));
        assertPending(p);
        r.resolve(2);
        assertFulfilled(List.of(1, 2), p);
    }

    @Test
    void allOfTheSamePendingPromiseTwiceHasItsValueTwice() {
        Resolver<Integer> r = Promise.pending();
        Promise<List<Integer>> p = Promise.all(List.of(r.promise(), r.promise()));
        r.resolve(2);
        assertFulfilled(List.of(2, 2), p);
    }

    @Test
    void allOfTwoPendingPromisesEachTwice() {
        Resolver<Integer> r1 = Promise.pending();
        Resolver<Integer> r2 = Promise.pending();
        Promise<List<Integer>> p = Promise.all(List.of(r1.promise(), r1.promise(), r2.promise(), r2.promise()));
        r1.resolve(2);
        r2.resolve(4);
        assertFulfilled(List.of(2, 2, 4, 4), p);
    }

    @Test
    void allPutsAPendingValueInItsPlaceInTheMiddle() {
        Resolver<Integer> r = Promise.pending();
        Promise<List<Integer>> p = Promise.all(List.of(Promise.of(1), r.promise(), Promise.of(3)));
        r.resolve(2);
        assertFulfilled(List.of(1, 2, 3), p);
    }

    @Test
    void allOfTenFulfilledAndAPendingLastOne() {
        List<Promise<Integer>> ps = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ps.add(Promise.of(i));
            expected.add(i);
        }
        Resolver<Integer> r = Promise.pending();
        ps.add(r.promise());
        expected.add(10);
        Promise<List<Integer>> p = Promise.all(ps);
        r.resolve(10);
        assertFulfilled(expected, p);
    }

    @Test
    void allWithARejectedInputWaitsForThePendingOneThenRejects() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<List<Integer>> p = Promise.all(List.of(Promise.rejected(e), r.promise()));
        assertPending(p);
        r.resolve(2);
        assertRejected(e, p);
    }

    @Test
    void allIsRejectedWhenAPendingInputIsRejected() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<List<Integer>> p = Promise.all(List.of(Promise.of(1), r.promise()));
        r.reject(e);
        assertRejected(e, p);
    }

    @Test
    void allKeepsTheFailureAlreadyRecordedOverALaterOne() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<List<Integer>> p = Promise.all(List.of(Promise.rejected(e), r.promise()));
        r.reject(new X());
        assertRejected(e, p);
    }

    @Test
    void allOfADiamondHasTheSharedValueTwice() {
        Resolver<Integer> r = Promise.pending();
        Promise<Integer> shared = r.promise();
        Promise<List<Integer>> p = Promise.all(List.of(shared, shared));
        r.resolve(1);
        assertFulfilled(List.of(1, 1), p);
    }

    @Test
    void allKeepsNullValues() {
        assertFulfilled(Arrays.asList(null, 1), Promise.all(List.of(Promise.of(null), Promise.of(1))));
    }

    // ---------------------------------------------------------------- both

    @Test
    void bothOfFulfilledPromisesIsThePair() {
        assertFulfilled(new Pair<>(1, 2), Promise.both(Promise.of(1), Promise.of(2)));
    }

    @Test
    void bothOfTwoRejectedPromisesKeepsTheFirstArgumentsFailure() {
        E e = new E();
        assertRejected(e, Promise.both(Promise.rejected(e), Promise.rejected(new X())));
    }

    @Test
    void bothOfRejectedAndFulfilledIsRejected() {
        E e = new E();
        assertRejected(e, Promise.both(Promise.rejected(e), Promise.of(2)));
    }

    @Test
    void bothOfFulfilledAndRejectedIsRejected() {
        E e = new E();
        assertRejected(e, Promise.both(Promise.of(1), Promise.rejected(e)));
    }

    @Test
    void bothOfTwoPendingPromisesIsPending() {
        assertPending(Promise.both(NEVER, NEVER));
    }

    @Test
    void bothOfPendingAndFulfilledIsPending() {
        assertPending(Promise.both(NEVER, Promise.of(2)));
    }

    @Test
    void bothOfPendingAndRejectedStillWaits() {
        assertPending(Promise.both(NEVER, Promise.rejected(new E())));
    }

    @Test
    void bothOfFulfilledAndPendingIsPending() {
        assertPending(Promise.both(Promise.of(1), NEVER));
    }

    @Test
    void bothOfRejectedAndPendingStillWaits() {
        assertPending(Promise.both(Promise.rejected(new E()), NEVER));
    }

    @Test
    void bothOfAPendingFirstResolvedLaterAndAFulfilledSecond() {
        Resolver<Integer> r = Promise.pending();
        Promise<Pair<Integer, Integer>> p = Promise.both(r.promise(), Promise.of(2));
        r.resolveLater(1);
        assertFulfilled(new Pair<>(1, 2), p);
    }

    @Test
    void bothOfAPendingFirstFulfilledAndARejectedSecondRejects() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<Pair<Integer, Integer>> p = Promise.both(r.promise(), Promise.rejected(e));
        r.resolve(1);
        assertRejected(e, p);
    }

    @Test
    void bothOfAPendingFirstRejectedLaterAndAFulfilledSecondRejects() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<Pair<Integer, Integer>> p = Promise.both(r.promise(), Promise.of(2));
        r.rejectLater(e);
        assertRejected(e, p);
    }

    @Test
    void bothKeepsTheEarlierFailureOfAnAlreadyRejectedSecond() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<Pair<Integer, Integer>> p = Promise.both(r.promise(), Promise.rejected(e));
        r.reject(new X());
        assertRejected(e, p);
    }

    @Test
    void bothOfAFulfilledFirstAndAPendingSecond() {
        Resolver<Integer> r = Promise.pending();
        Promise<Pair<Integer, Integer>> p = Promise.both(Promise.of(1), r.promise());
        r.resolve(2);
        assertFulfilled(new Pair<>(1, 2), p);
    }

    @Test
    void bothOfARejectedFirstAndAPendingSecondFulfilledRejects() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<Pair<Integer, Integer>> p = Promise.both(Promise.rejected(e), r.promise());
        r.resolve(2);
        assertRejected(e, p);
    }

    @Test
    void bothOfAFulfilledFirstAndAPendingSecondRejectedRejects() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<Pair<Integer, Integer>> p = Promise.both(Promise.of(1), r.promise());
        r.reject(e);
        assertRejected(e, p);
    }

    @Test
    void bothKeepsTheEarlierFailureOfAnAlreadyRejectedFirst() {
        Resolver<Integer> r = Promise.pending();
        E e = new E();
        Promise<Pair<Integer, Integer>> p = Promise.both(Promise.rejected(e), r.promise());
        r.reject(new X());
        assertRejected(e, p);
    }

    @Test
    void bothStaysPendingWhenOnlyTheFirstIsFulfilled() {
        Resolver<Integer> r = Promise.pending();
        Promise<Pair<Integer, Object>> p = Promise.both(r.promise(), NEVER);
        r.resolve(1);
        assertPending(p);
    }

    @Test
    void bothStaysPendingWhenOnlyTheFirstIsRejected() {
        Resolver<Integer> r = Promise.pending();
        Promise<Pair<Integer, Object>> p = Promise.both(r.promise(), NEVER);
        r.reject(new E());
        assertPending(p);
    }

    @Test
    void bothStaysPendingWhenOnlyTheSecondIsFulfilled() {
        Resolver<Integer> r = Promise.pending();
        Promise<Pair<Object, Integer>> p = Promise.both(NEVER, r.promise());
        r.resolve(2);
        assertPending(p);
    }

    @Test
    void bothStaysPendingWhenOnlyTheSecondIsRejected() {
        Resolver<Integer> r = Promise.pending();
        Promise<Pair<Object, Integer>> p = Promise.both(NEVER, r.promise());
        r.reject(new E());
        assertPending(p);
    }

    private record Two(Resolver<Integer> first, Resolver<Integer> second, Promise<Pair<Integer, Integer>> both) {
        static Two make() {
            Resolver<Integer> a = Promise.pending();
            Resolver<Integer> b = Promise.pending();
            return new Two(a, b, Promise.both(a.promise(), b.promise()));
        }
    }

    @Test
    void bothFulfilledFirstThenSecond() {
        Two t = Two.make();
        t.first().resolveLater(1);
        t.second().resolveLater(2);
        assertFulfilled(new Pair<>(1, 2), t.both());
    }

    @Test
    void bothFirstFulfilledThenSecondRejected() {
        Two t = Two.make();
        E e = new E();
        t.first().resolve(1);
        t.second().reject(e);
        assertRejected(e, t.both());
    }

    @Test
    void bothFirstRejectedThenSecondFulfilled() {
        Two t = Two.make();
        E e = new E();
        t.first().reject(e);
        t.second().resolve(2);
        assertRejected(e, t.both());
    }

    @Test
    void bothFirstRejectedThenSecondRejectedKeepsTheFirstInTime() {
        Two t = Two.make();
        E e = new E();
        t.first().reject(e);
        t.second().reject(new X());
        assertRejected(e, t.both());
    }

    @Test
    void bothFulfilledSecondThenFirstKeepsArgumentOrder() {
        Two t = Two.make();
        t.second().resolve(2);
        t.first().resolve(1);
        assertFulfilled(new Pair<>(1, 2), t.both());
    }

    @Test
    void bothSecondFulfilledThenFirstRejected() {
        Two t = Two.make();
        E e = new E();
        t.second().resolve(2);
        t.first().reject(e);
        assertRejected(e, t.both());
    }

    @Test
    void bothSecondRejectedThenFirstFulfilled() {
        Two t = Two.make();
        E e = new E();
        t.second().reject(e);
        t.first().resolve(1);
        assertRejected(e, t.both());
    }

    @Test
    void bothSecondRejectedThenFirstRejectedKeepsTheFirstInTimeNotInArgumentOrder() {
        Two t = Two.make();
        E e = new E();
        t.second().reject(e);
        t.first().reject(new X());
        assertRejected(e, t.both());
    }

    @Test
    void bothOfTheSamePromiseTwiceHasItsValueTwice() {
        Resolver<Integer> r = Promise.pending();
        Promise<Pair<Integer, Integer>> p = Promise.both(r.promise(), r.promise());
        assertPending(p);
        r.resolveLater(1);
        assertFulfilled(new Pair<>(1, 1), p);
    }
}
