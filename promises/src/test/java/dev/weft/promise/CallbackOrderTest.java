package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The order callbacks run in. Weft differs from Lwt on purpose: callbacks on one promise run in
 * registration order (Lwt runs them newest first). As in Lwt, onCancel callbacks run before all
 * others when the promise is cancelled, and a callback's own consequences run before the next
 * callback of the same promise (depth first).
 */
class CallbackOrderTest {
    private final List<String> order = new ArrayList<>();

    @Test
    void weftRunsCallbacksOnOnePromiseInRegistrationOrder() {
        Resolver<String> r = Promise.pending();
        for (int i = 0; i < 5; i++) {
            String name = "c" + i;
            r.promise().onSuccess(v -> order.add(name));
        }
        r.resolve("");
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4"), order);
    }

    @Test
    void weftRunsCallbacksOfEveryKindInRegistrationOrder() {
        Resolver<String> r = Promise.pending();
        r.promise().map(v -> order.add("map"));
        r.promise().onTermination(() -> order.add("onTermination"));
        r.promise().flatMap(v -> {
            order.add("flatMap");
            return Promise.unit();
        });
        r.promise().onAny(v -> order.add("onAny"), f -> { });
        r.promise().tryBind(v -> {
            order.add("tryBind");
            return Promise.unit();
        }, f -> Promise.unit());
        r.promise().andFinally(() -> {
            order.add("andFinally");
            return Promise.unit();
        });
        r.resolve("");
        assertEquals(List.of("map", "onTermination", "flatMap", "onAny", "tryBind", "andFinally"), order);
    }

    @Test
    void aFirstOnSuccessKeepsItsPlaceBeforeCallbacksOfOtherKindsAddedAfterIt() {
        Resolver<String> r = Promise.pending();
        r.promise().onSuccess(v -> order.add("onSuccess"));
        r.promise().map(v -> order.add("map"));
        r.promise().onAny(v -> order.add("onAny"), f -> { });
        r.resolve("");
        assertEquals(List.of("onSuccess", "map", "onAny"), order);
    }

    @Test
    void aFirstOnSuccessDoesNotRunOnCancellationAndOnCancelAddedAfterItRunsFirst() {
        Resolver<String> r = Promise.task();
        r.promise().onSuccess(v -> order.add("onSuccess"));
        r.promise().onFailure(f -> order.add("onFailure"));
        r.promise().onCancel(() -> order.add("onCancel"));
        r.promise().cancel();
        assertEquals(List.of("onCancel", "onFailure"), order);
    }

    @Test
    void weftRunsFailureCallbacksInRegistrationOrder() {
        Resolver<String> r = Promise.pending();
        r.promise().onFailure(f -> order.add("a"));
        r.promise().recover(f -> {
            order.add("b");
            return Promise.of("");
        });
        r.promise().onFailure(f -> order.add("c"));
        r.reject(new PromiseAssertions.E());
        assertEquals(List.of("a", "b", "c"), order);
    }

    @Test
    void onCancelCallbacksRunBeforeTheOthersWhateverTheRegistrationOrder() {
        Resolver<String> r = Promise.task();
        r.promise().onCancel(() -> order.add("cancel 1"));
        r.promise().onFailure(f -> order.add("failure"));
        r.promise().onCancel(() -> order.add("cancel 2"));
        r.promise().cancel();
        assertEquals(List.of("cancel 1", "cancel 2", "failure"), order);
    }

    @Test
    void rejectingWithCancelledAlsoRunsOnCancelCallbacksFirst() {
        Resolver<String> r = Promise.pending();
        r.promise().onFailure(f -> order.add("failure"));
        r.promise().onCancel(() -> order.add("cancel"));
        r.reject(new Cancelled());
        assertEquals(List.of("cancel", "failure"), order);
    }

    @Test
    void onCancelCallbacksOfAPromiseDownTheChainRunBeforeItsOtherCallbacks() {
        Resolver<String> r = Promise.task();
        Promise<String> bound = r.promise().map(s -> s);
        bound.onFailure(f -> order.add("bound failure"));
        bound.onCancel(() -> order.add("bound cancel"));
        r.promise().onCancel(() -> order.add("task cancel"));
        bound.cancel();
        assertEquals(List.of("task cancel", "bound cancel", "bound failure"), order);
    }

    @Test
    void aCallbacksConsequencesRunBeforeTheNextCallbackOfTheSamePromise() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        r2.promise().onSuccess(v -> order.add("p2 callback"));
        r1.promise().onSuccess(v -> {
            order.add("p1 first");
            r2.resolve("");
        });
        r1.promise().onSuccess(v -> order.add("p1 second"));
        r1.resolve("");
        assertEquals(List.of("p1 first", "p2 callback", "p1 second"), order);
    }

    @Test
    void aChainsCallbacksRunBeforeTheNextCallbackOfItsSource() {
        Resolver<String> r = Promise.pending();
        r.promise().map(v -> v).map(v -> v).onSuccess(v -> order.add("end of chain"));
        r.promise().onSuccess(v -> order.add("second callback of source"));
        r.resolve("");
        assertEquals(List.of("end of chain", "second callback of source"), order);
    }

    @Test
    void whenAResultFollowsAPendingPromiseItsOwnCallbacksRunBeforeThatPromisesCallbacks() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        r2.promise().onSuccess(v -> order.add("inner registered first"));
        Promise<String> outer = r1.promise().flatMap(v -> r2.promise());
        outer.onSuccess(v -> order.add("outer"));
        r1.resolve("");
        r2.promise().onSuccess(v -> order.add("inner registered after the merge"));
        r2.resolve("");
        assertEquals(List.of("outer", "inner registered first", "inner registered after the merge"), order);
    }
}
