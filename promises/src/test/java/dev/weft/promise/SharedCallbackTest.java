package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.promise.PromiseAssertions.E;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * join and all wait on every input with one shared callback node (Promise's class notes): a lone
 * node that several promises hold at once, given a node of its own whenever it has to be linked
 * to others. These are the places where that could go wrong.
 */
class SharedCallbackTest {

    @Test
    void aPromiseWaitedOnByTwoAllsResolvesBoth() {
        Resolver<String> shared = Promise.pending();
        Resolver<String> a = Promise.pending();
        Resolver<String> b = Promise.pending();
        Promise<List<String>> first = Promise.all(List.of(shared.promise(), a.promise()));
        Promise<List<String>> second = Promise.all(List.of(b.promise(), shared.promise()));
        shared.resolve("s");
        a.resolve("a");
        assertFulfilled(List.of("s", "a"), first);
        assertPending(second);
        b.resolve("b");
        assertFulfilled(List.of("b", "s"), second);
    }

    @Test
    void theOtherInputsOfAnAllAreUntouchedWhenOneOfThemGainsAnotherCallback() {
        Resolver<String> a = Promise.pending();
        Resolver<String> b = Promise.pending();
        Promise<List<String>> all = Promise.all(List.of(a.promise(), b.promise()));
        List<String> seen = new ArrayList<>();
        a.promise().onSuccess(seen::add); // links a's lone shared node to a new one
        b.resolve("b");
        assertPending(all);
        a.resolve("a");
        assertFulfilled(List.of("a", "b"), all);
        assertEquals(List.of("a"), seen);
    }

    @Test
    void callbacksAroundASharedNodeRunInRegistrationOrder() {
        Resolver<String> r = Promise.pending();
        List<String> order = new ArrayList<>();
        r.promise().onSuccess(v -> order.add("before"));
        Promise.all(List.of(r.promise())).onSuccess(v -> order.add("all"));
        r.promise().onSuccess(v -> order.add("after"));
        r.resolve("v");
        assertEquals(List.of("before", "all", "after"), order);
    }

    @Test
    void anInputThatBecomesAProxyStillGivesItsValue() {
        Resolver<String> head = Promise.pending();
        Resolver<String> inner = Promise.pending();
        Promise<String> outer = head.promise().flatMap(x -> inner.promise());
        Promise<List<String>> all = Promise.all(List.of(inner.promise()));
        head.resolve("go"); // inner becomes a proxy of outer, and outer takes all's node
        assertPending(all);
        inner.resolve("v");
        assertFulfilled("v", outer);
        assertFulfilled(List.of("v"), all);
    }

    @Test
    void twoLoneSharedNodesSplicedByAProxyBothRun() {
        Resolver<String> head = Promise.pending();
        Resolver<String> inner = Promise.pending();
        Promise<String> outer = head.promise().flatMap(x -> inner.promise());
        Promise<List<String>> onOuter = Promise.all(List.of(outer));
        Promise<List<String>> onInner = Promise.all(List.of(inner.promise()));
        head.resolve("go"); // outer's lone node and inner's lone node end up in one list
        inner.resolve("v");
        assertFulfilled(List.of("v"), onOuter);
        assertFulfilled(List.of("v"), onInner);
    }

    @Test
    void aRejectedInputRejectsAndTheSharedNodeStillCountsTheOthers() {
        Resolver<String> a = Promise.pending();
        Resolver<String> b = Promise.pending();
        Promise<List<String>> all = Promise.all(List.of(a.promise(), b.promise()));
        E failure = new E();
        a.reject(failure);
        assertPending(all);
        b.resolve("b");
        assertRejected(failure, all);
    }

    @Test
    void cancellingAnAllCancelsEveryInputOnce() {
        Resolver<String> a = Promise.task();
        Resolver<String> b = Promise.task();
        Promise<List<String>> all = Promise.all(List.of(a.promise(), b.promise(), a.promise()));
        all.cancel();
        assertInstanceOf(Cancelled.class, all.failure());
        assertInstanceOf(Cancelled.class, a.promise().failure());
        assertInstanceOf(Cancelled.class, b.promise().failure());
    }

    @Test
    void aLoneSharedNodeBehindDeadRaceNodesSurvivesTheirRemoval() {
        Resolver<String> longLived = Promise.pending();
        for (int i = 0; i < 3; i++) { // leave dead race nodes at the head of longLived's list
            Resolver<String> fresh = Promise.pending();
            Promise.choose(List.of(longLived.promise(), fresh.promise()));
            fresh.resolve("");
        }
        Promise<List<String>> all = Promise.all(List.of(longLived.promise()));
        longLived.promise().onSuccess(v -> { }); // drops the dead head, links the shared node
        longLived.resolve("v");
        assertFulfilled(List.of("v"), all);
    }

    @Test
    void aJoinDoesNotKeepTheValuesOfInputsFulfilledBeforeIt() {
        Resolver<Object> never = Promise.pending();
        WeakReference<Object> value = joinAValueAndAPendingPromise(never);
        // A full collection clears weak references to unreachable objects before it returns.
        for (int i = 0; i < 5 && value.get() != null; i++) {
            System.gc();
        }
        assertNull(value.get());
        assertPending(never.promise());
    }

    private static WeakReference<Object> joinAValueAndAPendingPromise(Resolver<Object> never) {
        Object value = new Object();
        Promise.join(List.of(Promise.of(value), never.promise()));
        return new WeakReference<>(value);
    }

    @Test
    void aSharedNodeIsNeverLinked() {
        Resolver<String> a = Promise.pending();
        Resolver<String> b = Promise.pending();
        Promise.all(List.of(a.promise(), b.promise()));
        Object node = a.promise().firstCallback();
        assertSame(node, b.promise().firstCallback());
        a.promise().onSuccess(v -> { });
        assertNull(((Callback) node).next);
        assertInstanceOf(Callback.Delegate.class, a.promise().firstCallback());
        assertSame(node, b.promise().firstCallback());
    }
}
