package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lwt_list's behaviour catalogue (test/core/test_lwt_list.ml) ported to {@link PromiseLists},
 * plus S-versus-P ordering, failure, cancellation, empty lists and stack safety with 100,000
 * elements whose promises are resolved or pending.
 */
class PromiseListsTest {
    private static final List<Integer> THREE = List.of(0, 1, 2);

    /** A list operation under test, with the function it is given. */
    @FunctionalInterface
    interface Combinator<V> {
        Promise<?> run(List<Integer> list, Function<Integer, Promise<V>> f);
    }

    // ================================================================ shared scenarios

    /** Lwt's test_iter: counters bumped through resolved promises, then with a wait in the middle. */
    private static void iterScenario(Combinator<Void> iter, int[] expectedMidway) {
        int[] counts = new int[3];
        Promise<?> allResolved = iter.run(THREE, i -> {
            counts[i]++;
            return Promise.unit();
        });
        assertTrue(allResolved.isFulfilled());
        assertArrayEquals(new int[] {1, 1, 1}, counts);

        int[] midway = new int[3];
        Resolver<Void> gate = Promise.pending();
        Promise<?> waiting = iter.run(THREE, i -> {
            if (i == 1) {
                return gate.promise().map(v -> {
                    midway[i]++;
                    return null;
                });
            }
            midway[i]++;
            return Promise.unit();
        });
        assertTrue(waiting.isPending());
        assertArrayEquals(expectedMidway, midway);
        gate.resolve(null);
        assertArrayEquals(new int[] {1, 1, 1}, midway);
        assertTrue(waiting.isFulfilled());
    }

    /**
     * Lwt's test_map: a shared generator whose 5th call waits on a wait-promise and whose 8th
     * waits on a task; the expected values encode the order in which calls ran.
     */
    private static void mapScenario(Combinator<Integer> map, List<Integer> expected) {
        Resolver<Void> w = Promise.pending();
        Resolver<Void> t = Promise.task();
        int[] calls = {0};
        int[] counter = {0};
        Function<Integer, Promise<Integer>> get = unused -> {
            calls[0]++;
            Promise<Void> before = switch (calls[0]) {
                case 5 -> w.promise();
                case 8 -> t.promise();
                default -> Promise.unit();
            };
            return before.map(v -> ++counter[0]);
        };
        Promise<?> first = map.run(THREE, get);
        assertEquals(List.of(1, 2, 3), first.value());
        Promise<?> second = map.run(THREE, get);
        assertTrue(second.isPending());
        Promise<?> third = map.run(THREE, get);
        assertTrue(third.isPending());
        t.promise().cancel();
        assertTrue(third.isCancelled());
        w.resolve(null);
        assertEquals(expected, second.value());
    }

    /** Lwt's test_exception: the function throws on its 2nd call; the result is rejected at once. */
    private static final class ThrowsOnSecondCall {
        final RuntimeException failure = new IllegalStateException("second call");
        private int calls;

        <T> Promise<T> next(T value) {
            if (++calls == 2) {
                throw failure;
            }
            return Promise.of(value);
        }

        void assertRejected(Promise<?> result) {
            assertTrue(result.isRejected(), () -> "expected a rejection, got " + result);
            assertSame(failure, result.failure());
        }
    }

    /** Lwt's test_parallelism: f(0) waits for what f(1) does, so only a concurrent walk ends. */
    private static <V> void runsConcurrently(V value, Combinator<V> combinator) {
        Resolver<Void> gate = Promise.pending();
        Promise<?> result = combinator.run(List.of(0, 1), i -> {
            if (i == 0) {
                return gate.promise().map(v -> value);
            }
            gate.resolveLater(null);
            return Promise.of(value);
        });
        assertFalse(result.isPending());
    }

    /**
     * Lwt's test_serialization: f(first) pauses and then checks the other element's f has not
     * started; {@code first} is the element a walk visits first (1 for right folds).
     */
    private static <V> Promise<?> runsSequentially(int first, V value, Combinator<V> combinator) {
        boolean[] otherRan = {false};
        boolean[] overlapped = {false};
        Promise<?> result = combinator.run(List.of(0, 1), i -> {
            if (i == first) {
                return Promise.pause().map(v -> {
                    overlapped[0] |= otherRan[0];
                    return value;
                });
            }
            otherRan[0] = true;
            return Promise.of(value);
        });
        for (int round = 0; round < 10 && result.isPending(); round++) {
            LoopHooks.wakeupPaused();
        }
        assertFalse(result.isPending());
        assertFalse(overlapped[0], "the second call started before the first one's promise fulfilled");
        assertTrue(otherRan[0]);
        return result;
    }

    private static <V> void runsSequentially(V value, Combinator<V> combinator) {
        assertTrue(runsSequentially(0, value, combinator).isFulfilled());
    }

    // ================================================================ iter

    @Test
    void iterPBehaviour() {
        iterScenario(PromiseLists::iterP, new int[] {1, 0, 1});
    }

    @Test
    void iterSBehaviour() {
        iterScenario(PromiseLists::iterS, new int[] {1, 0, 0});
    }

    @Test
    void iterPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.iterP(THREE, x -> calls.next(null)));
    }

    @Test
    void iterSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.iterS(THREE, x -> calls.next(null)));
    }

    @Test
    void iterPRunsConcurrently() {
        runsConcurrently(null, PromiseLists::iterP);
    }

    @Test
    void iterSRunsSequentially() {
        runsSequentially(null, PromiseLists::iterS);
    }

    @Test
    void iteriPPassesIndex() {
        int[] sum = {0};
        Promise<Void> done = PromiseLists.iteriP(List.of(1, 2, 3), (i, n) -> {
            sum[0] += i + n;
            return Promise.unit();
        });
        assertTrue(done.isFulfilled());
        assertEquals(9, sum[0]);
    }

    @Test
    void iteriSPassesIndex() {
        int[] sum = {0};
        Promise<Void> done = PromiseLists.iteriS(List.of(1, 2, 3), (i, n) -> {
            sum[0] += i + n;
            return Promise.unit();
        });
        assertTrue(done.isFulfilled());
        assertEquals(9, sum[0]);
    }

    @Test
    void iteriPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.iteriP(THREE, (i, x) -> calls.next(null)));
    }

    @Test
    void iteriSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.iteriS(THREE, (i, x) -> calls.next(null)));
    }

    @Test
    void iteriPRunsConcurrently() {
        runsConcurrently(null, (l, f) -> PromiseLists.iteriP(l, (i, x) -> f.apply(x)));
    }

    @Test
    void iteriSRunsSequentially() {
        runsSequentially(null, (l, f) -> PromiseLists.iteriS(l, (i, x) -> f.apply(x)));
    }

    // ================================================================ map

    @Test
    void mapPBehaviour() {
        mapScenario(PromiseLists::mapP, List.of(4, 8, 5));
    }

    @Test
    void mapSBehaviour() {
        mapScenario(PromiseLists::mapS, List.of(4, 7, 8));
    }

    @Test
    void mapPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.mapP(THREE, calls::next));
    }

    @Test
    void mapSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.mapS(THREE, calls::next));
    }

    @Test
    void mapPRunsConcurrently() {
        runsConcurrently(7, PromiseLists::mapP);
    }

    @Test
    void mapSRunsSequentially() {
        runsSequentially(7, PromiseLists::mapS);
    }

    @Test
    void mapiPPassesIndex() {
        assertEquals(List.of(0, 1, 2), PromiseLists.mapiP(List.of(0, 0, 0), (i, n) -> Promise.of(i + n)).value());
    }

    @Test
    void mapiSPassesIndex() {
        assertEquals(List.of(0, 1, 2), PromiseLists.mapiS(List.of(0, 0, 0), (i, n) -> Promise.of(i + n)).value());
    }

    @Test
    void mapiPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.mapiP(THREE, (i, x) -> calls.next(x)));
    }

    @Test
    void mapiSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.mapiS(THREE, (i, x) -> calls.next(x)));
    }

    @Test
    void mapiPRunsConcurrently() {
        runsConcurrently(7, (l, f) -> PromiseLists.mapiP(l, (i, x) -> f.apply(x)));
    }

    @Test
    void mapiSRunsSequentially() {
        runsSequentially(7, (l, f) -> PromiseLists.mapiS(l, (i, x) -> f.apply(x)));
    }

    @Test
    void revMapPReversesResults() {
        assertEquals(List.of(6, 4, 2), PromiseLists.revMapP(List.of(1, 2, 3), n -> Promise.of(2 * n)).value());
    }

    @Test
    void revMapSReversesResults() {
        assertEquals(List.of(6, 4, 2), PromiseLists.revMapS(List.of(1, 2, 3), n -> Promise.of(2 * n)).value());
    }

    @Test
    void revMapPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.revMapP(THREE, calls::next));
    }

    @Test
    void revMapSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.revMapS(THREE, calls::next));
    }

    @Test
    void revMapPRunsConcurrently() {
        runsConcurrently(7, PromiseLists::revMapP);
    }

    @Test
    void revMapSRunsSequentially() {
        runsSequentially(7, PromiseLists::revMapS);
    }

    // ================================================================ fold

    @Test
    void foldLeftSAccumulatesLeftToRight() {
        Promise<List<Integer>> folded = PromiseLists.foldLeftS(List.of(1, 2, 3), List.<Integer>of(),
                (acc, v) -> Promise.of(prepend(v, acc)));
        assertEquals(List.of(3, 2, 1), folded.value());
    }

    @Test
    void foldRightSFoldsFromRight() {
        Promise<List<Integer>> folded = PromiseLists.foldRightS(List.of(1, 2, 3), List.<Integer>of(),
                (v, acc) -> Promise.of(prepend(v, acc)));
        assertEquals(List.of(1, 2, 3), folded.value());
        assertEquals(6, PromiseLists.foldRightS(List.of(1, 2, 3), 0, (a, n) -> Promise.of(a + n)).value());
    }

    @Test
    void foldLeftSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.foldLeftS(THREE, 0, (acc, x) -> calls.next(acc)));
    }

    @Test
    void foldRightSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.foldRightS(THREE, 0, (x, acc) -> calls.next(acc)));
    }

    @Test
    void foldLeftSRunsSequentially() {
        runsSequentially(null, (l, f) -> PromiseLists.foldLeftS(l, null, (acc, x) -> f.apply(x)));
    }

    @Test
    void foldRightSRunsSequentiallyFromTheRight() {
        Promise<?> result = runsSequentially(1, null,
                (l, f) -> PromiseLists.foldRightS(l, null, (x, acc) -> f.apply(x)));
        assertTrue(result.isFulfilled());
    }

    // ================================================================ for_all, exists

    @Test
    void forAllSTrue() {
        assertEquals(true, PromiseLists.forAllS(List.of(true, true), x -> Promise.of(x)).value());
    }

    @Test
    void forAllPTrue() {
        assertEquals(true, PromiseLists.forAllP(List.of(true, true), x -> Promise.of(x)).value());
    }

    @Test
    void forAllSFalse() {
        assertEquals(false, PromiseLists.forAllS(List.of(true, true), x -> Promise.of(!x)).value());
    }

    @Test
    void forAllPFalse() {
        assertEquals(false, PromiseLists.forAllP(List.of(true, true), x -> Promise.of(!x)).value());
    }

    @Test
    void existsSTrue() {
        assertEquals(true, PromiseLists.existsS(List.of(true, false), x -> Promise.of(x)).value());
    }

    @Test
    void existsPTrue() {
        assertEquals(true, PromiseLists.existsP(List.of(true, false), x -> Promise.of(x)).value());
    }

    @Test
    void existsSFalse() {
        assertEquals(false, PromiseLists.existsS(List.of(true, true), x -> Promise.of(!x)).value());
    }

    @Test
    void existsPFalse() {
        assertEquals(false, PromiseLists.existsP(List.of(true, true), x -> Promise.of(!x)).value());
    }

    @Test
    void forAllPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.forAllP(THREE, x -> calls.next(true)));
    }

    @Test
    void forAllSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.forAllS(THREE, x -> calls.next(true)));
    }

    @Test
    void existsPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.existsP(THREE, x -> calls.next(false)));
    }

    @Test
    void existsSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.existsS(THREE, x -> calls.next(false)));
    }

    @Test
    void forAllPRunsConcurrently() {
        runsConcurrently(true, PromiseLists::forAllP);
    }

    @Test
    void forAllSRunsSequentially() {
        runsSequentially(true, PromiseLists::forAllS);
    }

    @Test
    void existsPRunsConcurrently() {
        runsConcurrently(false, PromiseLists::existsP);
    }

    @Test
    void existsSRunsSequentially() {
        runsSequentially(false, PromiseLists::existsS);
    }

    @Test
    void forAllSStopsAtTheFirstFalse() {
        List<Integer> tested = new ArrayList<>();
        Promise<Boolean> all = PromiseLists.forAllS(List.of(1, 2, 3), x -> {
            tested.add(x);
            return Promise.of(x < 2);
        });
        assertEquals(false, all.value());
        assertEquals(List.of(1, 2), tested);
    }

    @Test
    void existsPTestsEveryElementEvenAfterATrue() {
        List<Integer> tested = new ArrayList<>();
        Promise<Boolean> any = PromiseLists.existsP(List.of(1, 2, 3), x -> {
            tested.add(x);
            return Promise.of(x == 1);
        });
        assertEquals(true, any.value());
        assertEquals(List.of(1, 2, 3), tested);
    }

    @Test
    void aNullAnswerFromAPredicateRejects() {
        assertInstanceOf(NullPointerException.class,
                PromiseLists.existsS(THREE, x -> Promise.of(null)).failure());
        assertInstanceOf(NullPointerException.class,
                PromiseLists.forAllP(THREE, x -> Promise.of(null)).failure());
    }

    // ================================================================ find

    @Test
    void findSReturnsFirstMatch() {
        assertEquals(2, PromiseLists.findS(List.of(1, 2, 3), x -> Promise.of(x % 2 == 0)).value());
    }

    @Test
    void findSMissingRejectsNotFound() {
        Promise<Integer> found = PromiseLists.findS(List.of(1, 3), x -> Promise.of(x % 2 == 0));
        assertInstanceOf(NoSuchElementException.class, found.failure());
    }

    @Test
    void findSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.findS(THREE, x -> calls.next(false)));
    }

    @Test
    void findSRunsSequentially() {
        Promise<?> result = runsSequentially(0, false, PromiseLists::findS);
        assertInstanceOf(NoSuchElementException.class, result.failure());
    }

    @Test
    void findSFindsANullElement() {
        List<Integer> withNull = new ArrayList<>(List.of(1));
        withNull.add(null);
        Promise<Integer> found = PromiseLists.findS(withNull, x -> Promise.of(x == null));
        assertTrue(found.isFulfilled());
        assertEquals(null, found.value());
    }

    // ================================================================ filter, filter_map, partition

    @Test
    void filterSKeepsMatchingInOrder() {
        assertEquals(List.of(2, 4), PromiseLists.filterS(List.of(1, 2, 3, 4), x -> Promise.of(x % 2 == 0)).value());
    }

    @Test
    void filterPKeepsMatchingInOrder() {
        assertEquals(List.of(2, 4), PromiseLists.filterP(List.of(1, 2, 3, 4), x -> Promise.of(x % 2 == 0)).value());
    }

    @Test
    void partitionPSplitsInOrder() {
        Promise<Pair<List<Integer>, List<Integer>>> parts = PromiseLists.partitionP(List.of(1, 2, 3, 4),
                x -> Promise.of(x <= 2));
        assertEquals(new Pair<>(List.of(1, 2), List.of(3, 4)), parts.value());
    }

    @Test
    void partitionSSplitsInOrder() {
        Promise<Pair<List<Integer>, List<Integer>>> parts = PromiseLists.partitionS(List.of(1, 2, 3, 4),
                x -> Promise.of(x <= 2));
        assertEquals(new Pair<>(List.of(1, 2), List.of(3, 4)), parts.value());
    }

    @Test
    void filterMapPKeepsSomeInOrder() {
        assertEquals(List.of(4, 8), PromiseLists.filterMapP(List.of(1, 2, 3, 4),
                x -> Promise.of(x % 2 == 0 ? Optional.of(2 * x) : Optional.<Integer>empty())).value());
    }

    @Test
    void filterMapSKeepsSomeInOrder() {
        assertEquals(List.of(4, 8), PromiseLists.filterMapS(List.of(1, 2, 3, 4),
                x -> Promise.of(x % 2 == 0 ? Optional.of(2 * x) : Optional.<Integer>empty())).value());
    }

    @Test
    void filterPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.filterP(THREE, x -> calls.next(true)));
    }

    @Test
    void filterSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.filterS(THREE, x -> calls.next(true)));
    }

    @Test
    void filterMapPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.filterMapP(THREE, x -> calls.next(Optional.of(x))));
    }

    @Test
    void filterMapSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.filterMapS(THREE, x -> calls.next(Optional.of(x))));
    }

    @Test
    void partitionPSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.partitionP(THREE, x -> calls.next(true)));
    }

    @Test
    void partitionSSyncThrowBecomesRejection() {
        ThrowsOnSecondCall calls = new ThrowsOnSecondCall();
        calls.assertRejected(PromiseLists.partitionS(THREE, x -> calls.next(true)));
    }

    @Test
    void filterPRunsConcurrently() {
        runsConcurrently(true, PromiseLists::filterP);
    }

    @Test
    void filterSRunsSequentially() {
        runsSequentially(true, PromiseLists::filterS);
    }

    @Test
    void filterMapPRunsConcurrently() {
        runsConcurrently(Optional.of(1), PromiseLists::filterMapP);
    }

    @Test
    void filterMapSRunsSequentially() {
        runsSequentially(Optional.of(1), PromiseLists::filterMapS);
    }

    @Test
    void partitionPRunsConcurrently() {
        runsConcurrently(true, PromiseLists::partitionP);
    }

    @Test
    void partitionSRunsSequentially() {
        runsSequentially(true, PromiseLists::partitionS);
    }

    // ================================================================ order of side effects

    @Test
    void sequentialStartsEachCallOnlyAfterThePreviousPromiseFulfils() {
        List<Integer> started = new ArrayList<>();
        List<Resolver<Integer>> resolvers = new ArrayList<>();
        Promise<List<Integer>> mapped = PromiseLists.mapS(THREE, x -> {
            started.add(x);
            Resolver<Integer> r = Promise.pending();
            resolvers.add(r);
            return r.promise();
        });
        assertEquals(List.of(0), started);
        resolvers.get(0).resolve(10);
        assertEquals(List.of(0, 1), started);
        resolvers.get(1).resolve(11);
        resolvers.get(2).resolve(12);
        assertEquals(List.of(10, 11, 12), mapped.value());
    }

    @Test
    void concurrentStartsEveryCallInListOrderBeforeAnyFulfils() {
        List<Integer> started = new ArrayList<>();
        List<Resolver<Integer>> resolvers = new ArrayList<>();
        Promise<List<Integer>> mapped = PromiseLists.mapP(THREE, x -> {
            started.add(x);
            Resolver<Integer> r = Promise.pending();
            resolvers.add(r);
            return r.promise();
        });
        assertEquals(List.of(0, 1, 2), started);
        resolvers.get(2).resolve(12);
        resolvers.get(0).resolve(10);
        assertTrue(mapped.isPending());
        resolvers.get(1).resolve(11);
        assertEquals(List.of(10, 11, 12), mapped.value());
    }

    // ================================================================ failures

    @Test
    void sequentialStopsAtTheFirstRejection() {
        List<Integer> started = new ArrayList<>();
        Resolver<Integer> second = Promise.pending();
        RuntimeException failure = new IllegalStateException("element 1");
        Promise<List<Integer>> mapped = PromiseLists.mapS(THREE, x -> {
            started.add(x);
            return x == 1 ? second.promise() : Promise.of(x);
        });
        second.reject(failure);
        assertSame(failure, mapped.failure());
        assertEquals(List.of(0, 1), started);
    }

    @Test
    void concurrentWaitsForEveryCallAfterOneFails() {
        Resolver<Integer> last = Promise.pending();
        RuntimeException failure = new IllegalStateException("element 0");
        Promise<List<Integer>> mapped = PromiseLists.mapP(THREE, x -> switch (x) {
            case 0 -> Promise.rejected(failure);
            case 1 -> Promise.of(1);
            default -> last.promise();
        });
        assertTrue(mapped.isPending());
        last.resolve(2);
        assertSame(failure, mapped.failure());
    }

    @Test
    void concurrentRejectsWithTheFailureThatHappenedFirst() {
        Resolver<Integer> first = Promise.pending();
        Resolver<Integer> second = Promise.pending();
        RuntimeException early = new IllegalStateException("failed first, element 1");
        RuntimeException late = new IllegalStateException("failed second, element 0");
        Promise<Boolean> all = PromiseLists.forAllP(List.of(0, 1), x -> (x == 0 ? first : second).promise().map(v -> true));
        second.reject(early);
        first.reject(late);
        assertSame(early, all.failure());
    }

    @Test
    void iterPRejectsWithTheFirstSynchronousThrowInListOrder() {
        RuntimeException one = new IllegalStateException("one");
        RuntimeException two = new IllegalStateException("two");
        Promise<Void> done = PromiseLists.iterP(THREE, x -> {
            if (x == 0) {
                return Promise.unit();
            }
            throw x == 1 ? one : two;
        });
        assertSame(one, done.failure());
    }

    @Test
    void aNullPromiseFromTheFunctionRejects() {
        assertInstanceOf(NullPointerException.class, PromiseLists.mapS(THREE, x -> null).failure());
        assertInstanceOf(NullPointerException.class, PromiseLists.mapP(THREE, x -> null).failure());
    }

    // ================================================================ cancellation

    @Test
    void cancellingASequentialResultCancelsTheElementBeingWaitedOnAndStops() {
        List<Resolver<Void>> tasks = new ArrayList<>();
        Promise<Void> done = PromiseLists.iterS(THREE, x -> {
            Resolver<Void> task = Promise.task();
            tasks.add(task);
            return task.promise();
        });
        tasks.get(0).resolve(null);
        done.cancel();
        assertTrue(tasks.get(1).promise().isCancelled());
        assertTrue(done.isCancelled());
        assertEquals(2, tasks.size());
    }

    @Test
    void cancellingAConcurrentResultCancelsEveryPendingCall() {
        List<Resolver<Integer>> tasks = new ArrayList<>();
        Promise<List<Integer>> mapped = PromiseLists.mapP(THREE, x -> {
            Resolver<Integer> task = Promise.task();
            tasks.add(task);
            return task.promise();
        });
        tasks.get(1).resolve(1);
        mapped.cancel();
        assertTrue(tasks.get(0).promise().isCancelled());
        assertTrue(tasks.get(2).promise().isCancelled());
        assertTrue(mapped.isCancelled());
    }

    // ================================================================ empty lists

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOperation")
    void anEmptyListResolvesAtOnceWithoutCallingTheFunction(String name, Operation operation) {
        int[] calls = {0};
        Promise<?> result = operation.run(List.of(), x -> {
            calls[0]++;
            return Promise.of(true);
        });
        assertFalse(result.isPending());
        assertEquals(0, calls[0]);
        if (name.equals("findS")) {
            assertInstanceOf(NoSuchElementException.class, result.failure());
        } else {
            assertEquals(EMPTY_RESULTS.get(name), result.value());
        }
    }

    private static final Map<String, Object> EMPTY_RESULTS = emptyResults();

    private static Map<String, Object> emptyResults() {
        Map<String, Object> expected = new HashMap<>();
        Pair<List<Object>, List<Object>> emptyPair = new Pair<>(List.of(), List.of());
        for (String name : List.of("mapS", "mapP", "mapiS", "mapiP", "revMapS", "revMapP",
                "filterS", "filterP", "filterMapS", "filterMapP")) {
            expected.put(name, List.of());
        }
        for (String name : List.of("iterS", "iterP", "iteriS", "iteriP")) {
            expected.put(name, null);
        }
        expected.put("foldLeftS", 42);
        expected.put("foldRightS", 42);
        expected.put("forAllS", true);
        expected.put("forAllP", true);
        expected.put("existsS", false);
        expected.put("existsP", false);
        expected.put("partitionS", emptyPair);
        expected.put("partitionP", emptyPair);
        return expected;
    }

    // ================================================================ stack safety

    private static final int LONG = 100_000;

    /** Every operation, driven by a function that answers {@code true}/an Optional/the accumulator. */
    @FunctionalInterface
    interface Operation {
        Promise<?> run(List<Integer> list, Function<Integer, Promise<Boolean>> answer);
    }

    static Stream<Arguments> everyOperation() {
        return Stream.of(
                op("iterS", (l, f) -> PromiseLists.iterS(l, f)),
                op("iterP", (l, f) -> PromiseLists.iterP(l, f)),
                op("iteriS", (l, f) -> PromiseLists.iteriS(l, (i, x) -> f.apply(x))),
                op("iteriP", (l, f) -> PromiseLists.iteriP(l, (i, x) -> f.apply(x))),
                op("mapS", (l, f) -> PromiseLists.mapS(l, f)),
                op("mapP", (l, f) -> PromiseLists.mapP(l, f)),
                op("mapiS", (l, f) -> PromiseLists.mapiS(l, (i, x) -> f.apply(x))),
                op("mapiP", (l, f) -> PromiseLists.mapiP(l, (i, x) -> f.apply(x))),
                op("revMapS", (l, f) -> PromiseLists.revMapS(l, f)),
                op("revMapP", (l, f) -> PromiseLists.revMapP(l, f)),
                op("foldLeftS", (l, f) -> PromiseLists.foldLeftS(l, 42, (acc, x) -> f.apply(x).map(b -> acc))),
                op("foldRightS", (l, f) -> PromiseLists.foldRightS(l, 42, (x, acc) -> f.apply(x).map(b -> acc))),
                op("forAllS", PromiseLists::forAllS),
                op("forAllP", PromiseLists::forAllP),
                op("existsS", (l, f) -> PromiseLists.existsS(l, x -> f.apply(x).map(b -> !b))),
                op("existsP", (l, f) -> PromiseLists.existsP(l, x -> f.apply(x).map(b -> !b))),
                op("findS", (l, f) -> PromiseLists.findS(l, x -> f.apply(x).map(b -> !b))),
                op("filterS", PromiseLists::filterS),
                op("filterP", PromiseLists::filterP),
                op("filterMapS", (l, f) -> PromiseLists.filterMapS(l, x -> f.apply(x).map(Optional::of))),
                op("filterMapP", (l, f) -> PromiseLists.filterMapP(l, x -> f.apply(x).map(Optional::of))),
                op("partitionS", PromiseLists::partitionS),
                op("partitionP", PromiseLists::partitionP));
    }

    private static Arguments op(String name, Operation operation) {
        return Arguments.of(name, operation);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOperation")
    void aHundredThousandResolvedPromisesNeedNoStack(String name, Operation operation) {
        int[] calls = {0};
        Promise<?> result = operation.run(range(LONG), x -> {
            calls[0]++;
            return Promise.of(true);
        });
        assertCompleted(name, result);
        assertEquals(LONG, calls[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOperation")
    void aHundredThousandPendingPromisesResolvedOneByOneNeedNoStack(String name, Operation operation) {
        ArrayDeque<Resolver<Boolean>> waiting = new ArrayDeque<>();
        Promise<?> result = operation.run(range(LONG), x -> {
            Resolver<Boolean> r = Promise.pending();
            waiting.add(r);
            return r.promise();
        });
        int resolved = 0;
        while (!waiting.isEmpty()) {
            waiting.poll().resolve(true);
            resolved++;
        }
        assertCompleted(name, result);
        assertEquals(LONG, resolved);
    }

    /** Fulfilled, or for findS (whose predicate never matches here) rejected with NoSuchElementException. */
    private static void assertCompleted(String name, Promise<?> result) {
        if (name.equals("findS")) {
            assertInstanceOf(NoSuchElementException.class, result.failure());
        } else {
            assertTrue(result.isFulfilled(), () -> name + " did not complete: " + result);
        }
    }

    @Test
    void aHundredThousandPausesResumeOnePerLoopIteration() {
        int[] visited = {0};
        Promise<Void> done = PromiseLists.iterS(range(LONG), x -> Promise.pause().map(v -> {
            visited[0]++;
            return null;
        }));
        int iterations = 0;
        while (done.isPending()) {
            LoopHooks.wakeupPaused();
            iterations++;
        }
        assertTrue(done.isFulfilled());
        assertEquals(LONG, visited[0]);
        assertEquals(LONG, iterations);
    }

    @Test
    void aHundredThousandResolvedFoldStepsComputeTheSum() {
        Promise<Long> sum = PromiseLists.foldLeftS(range(LONG), 0L, (acc, x) -> Promise.of(acc + x));
        assertEquals((long) LONG * (LONG - 1) / 2, sum.value());
    }

    // ================================================================ helpers

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static <T> List<T> prepend(T head, List<T> tail) {
        List<T> list = new ArrayList<>(tail.size() + 1);
        list.add(head);
        list.addAll(tail);
        return Collections.unmodifiableList(list);
    }
}
