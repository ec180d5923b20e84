package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cancelling a combinator's result cancels every input that can be cancelled. join still waits for
 * the inputs that cannot; the racing combinators resolve as soon as one input is cancelled.
 */
class CancelCombinatorTest {

    private static Function<List<Promise<String>>, Promise<?>> combinator(String name) {
        return switch (name) {
            case "join" -> Promise::join;
            case "all" -> Promise::all;
            case "choose" -> Promise::choose;
            case "pick" -> Promise::pick;
            case "nchoose" -> Promise::nchoose;
            case "npick" -> Promise::npick;
            case "nchooseSplit" -> Promise::nchooseSplit;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"join", "all", "choose", "pick", "nchoose", "npick", "nchooseSplit"})
    void cancellingACombinatorOfPendingPromisesDoesNothing(String name) {
        Promise<String> w1 = Promise.<String>pending().promise();
        Promise<String> w2 = Promise.<String>pending().promise();
        Promise<?> c = combinator(name).apply(List.of(w1, w2));
        c.cancel();
        assertPending(w1);
        assertPending(w2);
        assertPending(c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"join", "all", "choose", "pick", "nchoose", "npick", "nchooseSplit"})
    void cancellingACombinatorOfTasksCancelsEveryInput(String name) {
        Promise<String> t1 = Promise.<String>task().promise();
        Promise<String> t2 = Promise.<String>task().promise();
        Promise<?> c = combinator(name).apply(List.of(t1, t2));
        c.cancel();
        assertCancelled(t1);
        assertCancelled(t2);
        assertCancelled(c);
    }

    @Test
    void cancellingAJoinOfAPendingPromiseAndATaskWaitsForThePendingOne() {
        Resolver<String> w1 = Promise.pending();
        Promise<String> t2 = Promise.<String>task().promise();
        Promise<Void> j = Promise.join(List.of(w1.promise(), t2));
        j.cancel();
        assertPending(w1.promise());
        assertCancelled(t2);
        assertPending(j);
        w1.resolve("");
        assertCancelled(j);
    }

    @Test
    void cancellingAJoinOfTheSameTaskTwiceCancelsItOnce() {
        Promise<String> t = Promise.<String>task().promise();
        int[] runs = {0};
        t.onCancel(() -> runs[0]++);
        Promise.join(List.of(t, t)).cancel();
        assertEquals(1, runs[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"choose", "pick", "nchoose", "npick", "nchooseSplit"})
    void cancellingARaceOfAPendingPromiseAndATaskCancelsTheTaskAndResolves(String name) {
        Promise<String> w1 = Promise.<String>pending().promise();
        Promise<String> t2 = Promise.<String>task().promise();
        Promise<?> c = combinator(name).apply(List.of(w1, t2));
        c.cancel();
        assertPending(w1);
        assertCancelled(t2);
        assertCancelled(c);
    }

    @Test
    void cancellingABothCancelsBothTasks() {
        Promise<String> t1 = Promise.<String>task().promise();
        Promise<String> t2 = Promise.<String>task().promise();
        Promise<Pair<String, String>> b = Promise.both(t1, t2);
        b.cancel();
        assertCancelled(t1);
        assertCancelled(t2);
        assertCancelled(b);
    }

    @Test
    void cancellingAChainEndingInAJoinReachesItsTasks() {
        Resolver<String> head = Promise.pending();
        Promise<String> t1 = Promise.<String>task().promise();
        Promise<String> t2 = Promise.<String>task().promise();
        Promise<Void> p = head.promise().flatMap(s -> Promise.join(List.of(t1, t2)));
        head.resolve("");
        p.cancel();
        assertCancelled(t1);
        assertCancelled(t2);
        assertCancelled(p);
    }
}
