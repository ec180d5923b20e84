package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Context that flows through chains (Lwt's new_key/with_value/get): a value bound by withValue is
 * seen by every callback registered while it was bound, however late it runs, and by no other.
 */
class ContextTest {
    private static final ContextKey<String> REQUEST_ID = ContextKey.named("request-id");
    private static final ContextKey<String> SPAN = ContextKey.named("span");

    /** What callbacks saw, in the order they ran. */
    private final List<String> seen = new ArrayList<>();

    @BeforeEach
    @AfterEach
    void drainThePausedQueue() {
        while (LoopHooks.pausedCount() > 0) {
            LoopHooks.wakeupPaused();
        }
    }

    private void record() {
        seen.add(REQUEST_ID.orElse("none"));
    }

    // ---------------------------------------------------------------- the key

    @Test
    void aKeyIsUnboundOutsideWithValue() {
        assertFalse(REQUEST_ID.isBound());
        assertNull(REQUEST_ID.orElse(null));
        NoSuchElementException thrown = assertThrows(NoSuchElementException.class, REQUEST_ID::get);
        assertTrue(thrown.getMessage().contains("'request-id'"), thrown.getMessage());
    }

    @Test
    void theBodySeesTheValueBoundForIt() {
        Promise<String> read = Promise.withValue(REQUEST_ID, "r1", () -> Promise.of(REQUEST_ID.get()));
        assertFulfilled("r1", read);
        assertFalse(REQUEST_ID.isBound(), "unbound again after the body");
    }

    @Test
    void twoKeysWithTheSameNameAreDifferentKeys() {
        ContextKey<String> other = ContextKey.named("request-id");
        Promise<Boolean> otherBound = Promise.withValue(REQUEST_ID, "r1", () -> Promise.of(other.isBound()));
        assertFulfilled(false, otherBound);
    }

    @Test
    void twoKeysAreBoundSideBySide() {
        Promise<String> both = Promise.withValue(REQUEST_ID, "r1", () -> Promise.withValue(SPAN, "s1",
                () -> Promise.of(REQUEST_ID.get() + "/" + SPAN.get())));
        assertFulfilled("r1/s1", both);
    }

    // ---------------------------------------------------------------- later callbacks

    /** Every way of registering user code on a pending promise, and how to make it run. */
    enum Registration {
        FLAT_MAP(false, (p, r) -> p.flatMap(v -> { r.run(); return Promise.unit(); })),
        MAP(false, (p, r) -> p.map(v -> { r.run(); return null; })),
        RECOVER(true, (p, r) -> p.recover(e -> { r.run(); return Promise.unit(); })),
        RECOVER_VALUE(true, (p, r) -> p.recoverValue(e -> { r.run(); return null; })),
        TRY_BIND_SUCCESS(false, (p, r) -> p.tryBind(v -> { r.run(); return Promise.unit(); }, Promise::rejected)),
        TRY_BIND_FAILURE(true, (p, r) -> p.tryBind(Promise::of, e -> { r.run(); return Promise.unit(); })),
        AND_FINALLY(false, (p, r) -> p.andFinally(() -> { r.run(); return Promise.unit(); })),
        ON_SUCCESS(false, (p, r) -> p.onSuccess(v -> r.run())),
        ON_FAILURE(true, (p, r) -> p.onFailure(e -> r.run())),
        ON_TERMINATION(false, (p, r) -> p.onTermination(r)),
        ON_ANY(false, (p, r) -> p.onAny(v -> r.run(), e -> r.run())),
        ON_CANCEL(true, (p, r) -> p.onCancel(r));

        final boolean runsOnFailure;
        final java.util.function.BiFunction<Promise<Void>, Runnable, Promise<?>> register;

        Registration(boolean runsOnFailure, java.util.function.BiFunction<Promise<Void>, Runnable, Promise<?>> register) {
            this.runsOnFailure = runsOnFailure;
            this.register = register;
        }
    }

    @ParameterizedTest
    @EnumSource(Registration.class)
    void aCallbackRegisteredWhileBoundSeesTheValueWhenItRunsLater(Registration registration) {
        Resolver<Void> input = Promise.task();
        Promise.withValue(REQUEST_ID, "r1", () -> registration.register.apply(input.promise(), this::record));
        assertEquals(List.of(), seen);

        if (registration.runsOnFailure) {
            input.promise().cancel();
        } else {
            input.resolve(null);
        }

        assertEquals(List.of("r1"), seen);
    }

    @Test
    void theValueSurvivesAPause() {
        Promise.withValue(REQUEST_ID, "r1", () -> Promise.pause().map(v -> { record(); return v; }));

        LoopHooks.wakeupPaused();

        assertEquals(List.of("r1"), seen);
    }

    @Test
    void theValueFollowsTheChainIntoCallbacksThatCallbacksRegister() {
        Resolver<Void> first = Promise.pending();
        Resolver<Void> second = Promise.pending();
        Promise<Void> chain = Promise.withValue(REQUEST_ID, "r1", () -> first.promise()
                .flatMap(v -> Promise.pause().flatMap(w -> second.promise()).map(w -> { record(); return w; })));

        first.resolve(null);
        LoopHooks.wakeupPaused();
        second.resolve(null);

        assertEquals(List.of("r1"), seen);
        assertFulfilled(null, chain);
    }

    @Test
    void recoverAfterAFailedStepSeesTheValue() {
        Resolver<Void> step = Promise.pending();
        Promise.withValue(REQUEST_ID, "r1", () -> step.promise()
                .flatMap(v -> Promise.<Void>rejected(new E()))
                .recover(e -> { record(); return Promise.unit(); }));

        step.resolve(null);

        assertEquals(List.of("r1"), seen);
    }

    @Test
    void aCallbackOnAllOfPendingInputsSeesTheValue() {
        Resolver<Integer> a = Promise.pending();
        Resolver<Integer> b = Promise.pending();
        Promise.withValue(REQUEST_ID, "r1",
                () -> Promise.all(a.promise(), b.promise()).map(values -> { record(); return values; }));

        b.resolve(2);
        a.resolve(1);

        assertEquals(List.of("r1"), seen);
    }

    @Test
    void aDeepRecursionThroughResolvedPromisesSeesTheValueAtTheBottom() {
        Promise<String> bottom = Promise.withValue(REQUEST_ID, "r1", () -> descend(100_000));
        assertFulfilled("r1", bottom);
    }

    private static Promise<String> descend(int n) {
        return n == 0 ? Promise.of(REQUEST_ID.orElse("none")) : Promise.of(n).flatMap(x -> descend(n - 1));
    }

    @Test
    void theHookReportsALaterFailureOfAsyncWorkUnderTheValueOfItsCaller() {
        Resolver<Void> work = Promise.pending();
        LoopHooks.setAsyncExceptionHook(failure -> record());
        try {
            Promise.withValue(REQUEST_ID, "r1", () -> {
                Promise.async(work::promise);
                return Promise.unit();
            });

            work.reject(new E());
        } finally {
            LoopHooks.setAsyncExceptionHook(null);
        }

        assertEquals(List.of("r1"), seen);
    }

    // ---------------------------------------------------------------- isolation

    @Test
    void aCallbackRegisteredOutsideDoesNotSeeTheValueOfTheChainThatResolvesIt() {
        Resolver<Void> shared = Promise.pending();
        shared.promise().onSuccess(v -> record());

        Promise.withValue(REQUEST_ID, "r1", () -> {
            shared.resolve(null);
            return Promise.unit();
        });

        assertEquals(List.of("none"), seen);
    }

    @Test
    void aCallbackRegisteredUnderOneValueKeepsItWhenResolvedUnderAnother() {
        Resolver<Void> input = Promise.pending();
        Promise.withValue(REQUEST_ID, "r1", () -> input.promise().map(v -> { record(); return v; }));

        Promise.withValue(REQUEST_ID, "r2", () -> {
            input.resolve(null);
            seen.add("resolver:" + REQUEST_ID.get());
            return Promise.unit();
        });

        assertEquals(List.of("r1", "resolver:r2"), seen);
    }

    @Test
    void twoInterleavedChainsKeepTheirOwnValues() {
        Resolver<Void> readA = Promise.pending();
        Resolver<Void> readB = Promise.pending();
        Promise.withValue(REQUEST_ID, "a", () -> readA.promise().flatMap(v -> Promise.pause())
                .map(v -> { record(); return v; }));
        Promise.withValue(REQUEST_ID, "b", () -> readB.promise().flatMap(v -> Promise.pause())
                .map(v -> { record(); return v; }));

        readB.resolve(null);
        readA.resolve(null);
        LoopHooks.wakeupPaused();

        assertEquals(List.of("b", "a"), seen);
    }

    @Test
    void anotherThreadDoesNotSeeTheValue() {
        Promise<Boolean> boundElsewhere = Promise.withValue(REQUEST_ID, "r1",
                () -> Promise.of(CompletableFuture.supplyAsync(REQUEST_ID::isBound).join()));
        assertFulfilled(false, boundElsewhere);
    }

    // ---------------------------------------------------------------- nesting and restoring

    @Test
    void anInnerBindingShadowsTheOuterAndTheOuterIsBackAfterIt() {
        Promise.withValue(REQUEST_ID, "outer", () -> {
            record();
            Promise.withValue(REQUEST_ID, "inner", () -> { record(); return Promise.unit(); });
            record();
            return Promise.unit();
        });

        assertEquals(List.of("outer", "inner", "outer"), seen);
    }

    @Test
    void callbacksOfInnerAndOuterBindingsEachSeeTheirOwn() {
        Resolver<Void> input = Promise.pending();
        Promise.withValue(REQUEST_ID, "outer", () -> {
            Promise.withValue(REQUEST_ID, "inner", () -> input.promise().onSuccess(v -> record()));
            return input.promise().onSuccess(v -> record());
        });

        input.resolve(null);

        assertEquals(List.of("inner", "outer"), seen);
    }

    @Test
    void bindingNullUnbindsTheKeyForTheBody() {
        Promise.withValue(REQUEST_ID, "outer", () -> {
            Promise.withValue(REQUEST_ID, null, () -> { record(); return Promise.unit(); });
            record();
            return Promise.unit();
        });

        assertEquals(List.of("none", "outer"), seen);
    }

    @Test
    void aBodyThatThrowsRejectsItsPromiseAndRestoresTheOuterValue() {
        E failure = new E();
        Promise.withValue(REQUEST_ID, "outer", () -> {
            Promise<Void> inner = Promise.withValue(REQUEST_ID, "inner", () -> { throw failure; });
            assertRejected(failure, inner);
            record();
            return Promise.unit();
        });

        assertEquals(List.of("outer"), seen);
        assertFalse(REQUEST_ID.isBound());
    }

    @Test
    void aCallbackThatThrowsRestoresTheContextOfItsResolver() {
        Resolver<Void> input = Promise.pending();
        Promise<Void> failing = Promise.withValue(REQUEST_ID, "inner",
                () -> input.promise().map(v -> { throw new E(); }));

        Promise.withValue(REQUEST_ID, "outer", () -> {
            input.resolve(null);
            record();
            return Promise.unit();
        });

        assertTrue(failing.isRejected());
        assertEquals(List.of("outer"), seen);
    }

    @Test
    void rebindingAKeyReplacesItsValueRatherThanStackingIt() {
        Function<Context, Context> rebind = context -> Context.with(context, REQUEST_ID, "again");
        Context once = Context.with(null, REQUEST_ID, "first");
        Context twice = rebind.apply(rebind.apply(once));
        assertEquals(1, twice.size());
        assertNotSame(once, twice);
        assertEquals("again", twice.lookup(REQUEST_ID));
    }
}
