package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * resolveLater / rejectLater (Lwt's wakeup_later): the state is set at once; inside a callback the
 * callbacks are deferred, FIFO, until the outermost resolution is about to return.
 */
class ResolveLaterTest {

    private static Supplier<Resolver<String>> kind(String kind) {
        return kind.equals("task") ? Promise::task : Promise::pending;
    }

    @Test
    void resolveLaterOutsideAnyCallbackRunsTheCallbacksAtOnce() {
        Resolver<String> r = Promise.pending();
        Promise<String> bound = r.promise().flatMap(s -> Promise.of(s + "bar"));
        r.resolveLater("foo");
        assertFulfilled("foobar", bound);
    }

    @Test
    void resolveLaterFulfils() {
        Resolver<String> r = Promise.pending();
        r.resolveLater("foo");
        assertFulfilled("foo", r.promise());
    }

    @Test
    void rejectLaterRejects() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        r.rejectLater(e);
        assertRejected(e, r.promise());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "task"})
    void resolveLaterOnAResolvedPromiseThrows(String kind) {
        Resolver<String> r = kind(kind).get();
        r.resolve("foo");
        assertThrows(IllegalStateException.class, () -> r.resolveLater("bar"));
        assertFulfilled("foo", r.promise());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "task"})
    void rejectLaterOnAResolvedPromiseThrows(String kind) {
        Resolver<String> r = kind(kind).get();
        r.resolve("foo");
        assertThrows(IllegalStateException.class, () -> r.rejectLater(new E()));
        assertFulfilled("foo", r.promise());
    }

    @Test
    void resolveLaterInsideACallbackSetsTheStateAtOnceButDefersTheCallbacks() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        boolean[] ran = {false};
        boolean[] insideFulfilled = {false};
        boolean[] insideRan = {true};
        r2.promise().onSuccess(s -> ran[0] = true);
        r1.promise().onSuccess(s -> {
            r2.resolveLater(s + "bar");
            insideFulfilled[0] = r2.promise().isFulfilled() && "foobar".equals(r2.promise().value());
            insideRan[0] = ran[0];
        });
        r1.resolveLater("foo");
        assertTrue(insideFulfilled[0], "state set at once");
        assertFalse(insideRan[0], "callbacks deferred");
        assertTrue(ran[0], "callbacks ran before the outer resolveLater returned");
        assertFulfilled("foobar", r2.promise());
    }

    @Test
    void deferredCallbacksRunAfterTheRestOfTheCurrentResolution() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        List<String> order = new ArrayList<>();
        r2.promise().onSuccess(s -> order.add("p2 callback"));
        r1.promise().onSuccess(s -> r2.resolveLater("x"));
        r1.promise().onSuccess(s -> order.add("p1 second callback"));
        r1.resolve("go");
        assertEquals(List.of("p1 second callback", "p2 callback"), order);
    }

    @Test
    void deferredResolutionsRunInTheOrderTheyWereRequested() {
        Resolver<String> trigger = Promise.pending();
        List<Resolver<String>> rs = List.of(Promise.pending(), Promise.pending(), Promise.pending());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            int n = i;
            rs.get(i).promise().onSuccess(s -> order.add(n));
        }
        trigger.promise().onSuccess(s -> {
            rs.get(1).resolveLater("b");
            rs.get(0).resolveLater("a");
            rs.get(2).resolveLater("c");
        });
        trigger.resolve("go");
        assertEquals(List.of(1, 0, 2), order);
    }

    @Test
    void resolveLaterInsideADeferredCallbackRunsAfterTheOthersAlreadyDeferred() {
        Resolver<String> trigger = Promise.pending();
        Resolver<String> a = Promise.pending();
        Resolver<String> b = Promise.pending();
        Resolver<String> c = Promise.pending();
        List<String> order = new ArrayList<>();
        a.promise().onSuccess(s -> {
            order.add("a");
            c.resolveLater("c");
        });
        b.promise().onSuccess(order::add);
        c.promise().onSuccess(order::add);
        trigger.promise().onSuccess(s -> {
            a.resolveLater("a");
            b.resolveLater("b");
        });
        trigger.resolve("go");
        assertEquals(List.of("a", "b", "c"), order);
    }

    @Test
    void rejectLaterInsideACallbackDefersTheFailureCallbacks() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        E e = new E();
        List<String> order = new ArrayList<>();
        r2.promise().onFailure(f -> order.add("p2 failure"));
        r1.promise().onSuccess(s -> {
            r2.rejectLater(e);
            order.add("after rejectLater");
        });
        r1.resolve("go");
        assertEquals(List.of("after rejectLater", "p2 failure"), order);
        assertRejected(e, r2.promise());
    }
}
