package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.promise.PromiseAssertions.E;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conveniences that make promise code read like CompletableFuture or Reactor code: {@code
 * recoverValue}, chainable plain callbacks, varargs combinators, {@code wrap} of a Callable.
 */
class ReadableApiTest {

    @Test
    void recoverValueFulfilsWithTheHandlersValueForTheFailure() {
        E e = new E();
        assertFulfilled("recovered from " + e, Promise.<String>rejected(e).recoverValue(f -> "recovered from " + f));
    }

    @Test
    void recoverValueOnAPendingPromiseRecoversWhenItIsRejected() {
        Resolver<Integer> r = Promise.pending();
        Promise<Integer> recovered = r.promise().recoverValue(f -> -1);
        assertPending(recovered);

        r.reject(new E());

        assertFulfilled(-1, recovered);
    }

    @Test
    void recoverValuePassesAFulfilledValueThrough() {
        Promise<Integer> p = Promise.of(7);
        assertSame(p, p.recoverValue(f -> -1));
    }

    @Test
    void recoverValueWhoseHandlerThrowsRejectsWithThat() {
        E thrown = new E();
        assertRejected(thrown, Promise.<Integer>rejected(new E()).recoverValue(f -> {
            throw thrown;
        }));
    }

    @Test
    void plainCallbacksChainAndRunInRegistrationOrder() {
        Resolver<Integer> r = Promise.pending();
        List<String> ran = new ArrayList<>();

        Promise<Integer> chained = r.promise()
                .onSuccess(v -> ran.add("success " + v))
                .onFailure(f -> ran.add("failure"))
                .onTermination(() -> ran.add("termination"))
                .onAny(v -> ran.add("any " + v), f -> ran.add("any failure"))
                .onCancel(() -> ran.add("cancel"));
        r.resolve(3);

        assertSame(r.promise(), chained);
        assertEquals(List.of("success 3", "termination", "any 3"), ran);
    }

    @Test
    void plainCallbacksOnAResolvedPromiseReturnIt() {
        Promise<Integer> p = Promise.of(1);
        assertSame(p, p.onSuccess(v -> { }).onFailure(f -> { }).onCancel(() -> { }));
    }

    @Test
    void varargsPickResolvesLikeTheFirstAndCancelsTheOthers() {
        Resolver<Integer> first = Promise.task();
        Resolver<Integer> second = Promise.task();
        Promise<Integer> winner = Promise.pick(first.promise(), second.promise());

        first.resolve(1);

        assertFulfilled(1, winner);
        assertCancelled(second.promise());
    }

    @Test
    void varargsChooseResolvesLikeTheFirstAndLeavesTheOthers() {
        Resolver<Integer> first = Promise.task();
        Resolver<Integer> second = Promise.task();
        Promise<Integer> winner = Promise.choose(first.promise(), second.promise());

        second.resolve(2);

        assertFulfilled(2, winner);
        assertPending(first.promise());
    }

    @Test
    void varargsAllFulfilsWithTheValuesInArgumentOrder() {
        Resolver<String> b = Promise.pending();
        Promise<List<String>> all = Promise.all(Promise.of("a"), b.promise(), Promise.of("c"));

        b.resolve("b");

        assertFulfilled(List.of("a", "b", "c"), all);
    }

    @Test
    void varargsJoinWaitsForEveryArgument() {
        Resolver<String> b = Promise.pending();
        Promise<Void> joined = Promise.join(Promise.of(1), b.promise());
        assertPending(joined);

        b.resolve("b");

        assertFulfilled(null, joined);
    }

    @Test
    void wrapOfACallableThatThrowsACheckedExceptionRejectsWithIt() {
        IOException checked = new IOException("disk gone");
        assertRejected(checked, Promise.wrap(() -> {
            throw checked;
        }));
    }
}
