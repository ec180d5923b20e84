package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import dev.weft.promise.PromiseAssertions.X;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pending() and task() with their Resolver (Lwt's wait, task and wakeup): one resolution per
 * promise, callbacks run before resolve returns, and a cancelled promise ignores its resolver.
 */
class ResolverTest {

    @ParameterizedTest
    @ValueSource(strings = {"wait", "task"})
    void aResolverAndItsPromiseAreOneObjectAsInLwt(String k) {
        Resolver<String> r = kind(k).get();
        assertSame(r, r.promise());
    }

    @Test
    void aPromiseMadeFromAnotherIsNoResolver() {
        Resolver<String> r = Promise.pending();
        assertFalse(r.promise().map(x -> x) instanceof Resolver<?>);
        assertFalse(r.promise().flatMap(Promise::of) instanceof Resolver<?>);
        assertFalse(Promise.noCancel(r.promise()) instanceof Resolver<?>);
    }

    private static Supplier<Resolver<String>> kind(String kind) {
        return kind.equals("task") ? Promise::task : Promise::pending;
    }

    @Test
    void aPendingPromiseStartsPending() {
        assertPending(Promise.pending().promise());
    }

    @Test
    void aTaskStartsPending() {
        assertPending(Promise.task().promise());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "task"})
    void resolveFulfilsThePromiseAtOnce(String kind) {
        Resolver<String> r = kind(kind).get();
        r.resolve("foo");
        assertFulfilled("foo", r.promise());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "task"})
    void rejectRejectsThePromiseAtOnce(String kind) {
        Resolver<String> r = kind(kind).get();
        E e = new E();
        r.reject(e);
        assertRejected(e, r.promise());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "task"})
    void resolvingTwiceThrowsAtTheSecondCallAndKeepsTheFirstValue(String kind) {
        Resolver<String> r = kind(kind).get();
        r.resolve("first");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> r.resolve("second"));
        assertTrue(thrown.getMessage().contains("already resolved"), thrown.getMessage());
        assertFulfilled("first", r.promise());
    }

    /** The four ways of settling, each with the method name a double settle must report. */
    enum Settle {
        RESOLVE("resolve", r -> r.resolve("again")),
        REJECT("reject", r -> r.reject(new X())),
        RESOLVE_LATER("resolveLater", r -> r.resolveLater("again")),
        REJECT_LATER("rejectLater", r -> r.rejectLater(new X()));

        final String method;
        final java.util.function.Consumer<Resolver<String>> call;

        Settle(String method, java.util.function.Consumer<Resolver<String>> call) {
            this.method = method;
            this.call = call;
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Settle.class)
    void aSecondSettleNamesTheMethodThatWasCalled(Settle second) {
        Resolver<String> r = Promise.pending();
        r.resolve("first");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> second.call.accept(r));

        String expected = "Resolver." + second.method + ": promise already resolved";
        assertTrue(thrown.getMessage().startsWith(expected), thrown.getMessage());
        assertFulfilled("first", r.promise());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "task"})
    void rejectingTwiceThrowsAndKeepsTheFirstFailure(String kind) {
        Resolver<String> r = kind(kind).get();
        E e = new E();
        r.reject(e);
        assertThrows(IllegalStateException.class, () -> r.reject(new X()));
        assertRejected(e, r.promise());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "task"})
    void resolvingARejectedPromiseThrowsAndKeepsTheFailure(String kind) {
        Resolver<String> r = kind(kind).get();
        E e = new E();
        r.reject(e);
        assertThrows(IllegalStateException.class, () -> r.resolve("foo"));
        assertRejected(e, r.promise());
    }

    @Test
    void rejectRefusesANullFailure() {
        Resolver<String> r = Promise.pending();
        assertThrows(NullPointerException.class, () -> r.reject(null));
        assertPending(r.promise());
    }

    @Test
    void resolveRunsTheCallbacksBeforeItReturns() {
        Resolver<String> r = Promise.pending();
        StringBuilder seen = new StringBuilder();
        r.promise().map(s -> s + "bar").onSuccess(seen::append);
        r.resolve("foo");
        assertTrue(seen.toString().equals("foobar"), seen::toString);
    }

    @Test
    void resolveInsideACallbackRunsTheDependentCallbacksBeforeItReturns() {
        Resolver<String> r1 = Promise.pending();
        Resolver<String> r2 = Promise.pending();
        boolean[] flag = {false};
        boolean[] seenInside = {false, false};
        r2.promise().onSuccess(s -> flag[0] = true);
        r1.promise().onSuccess(s -> {
            r2.resolve(s + "bar");
            seenInside[0] = "foobar".equals(r2.promise().isFulfilled() ? r2.promise().value() : null);
            seenInside[1] = flag[0];
        });
        r1.resolve("foo");
        assertTrue(seenInside[0], "p2 fulfilled inside the callback");
        assertTrue(seenInside[1], "p2's callback ran inside the callback");
        assertFulfilled("foobar", r2.promise());
        assertTrue(flag[0]);
    }

    @Test
    void resolvingACancelledTaskIsSilentlyIgnored() {
        Resolver<String> r = Promise.task();
        r.promise().cancel();
        r.resolve("foo");
        assertCancelled(r.promise());
    }

    @Test
    void resolvingLaterACancelledTaskIsSilentlyIgnored() {
        Resolver<String> r = Promise.task();
        r.promise().cancel();
        r.resolveLater("foo");
        assertCancelled(r.promise());
    }

    @Test
    void rejectingACancelledTaskIsSilentlyIgnored() {
        Resolver<String> r = Promise.task();
        r.promise().cancel();
        r.reject(new E());
        r.rejectLater(new E());
        assertCancelled(r.promise());
    }

    @Test
    void resolvingAPromiseRejectedWithCancelledByItsResolverIsAlsoIgnored() {
        Resolver<String> r = Promise.pending();
        r.reject(new Cancelled());
        r.resolve("foo");
        assertCancelled(r.promise());
        assertFalse(r.promise().isFulfilled());
    }
}
