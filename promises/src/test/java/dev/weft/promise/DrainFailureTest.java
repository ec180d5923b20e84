package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A VM error raised inside a callback node itself (not in user code, which the nodes catch) is
 * reported to the async-exception hook and the drain runs on: the node's siblings and the work
 * pushed beneath it on the per-thread work list are neither lost nor stranded.
 */
class DrainFailureTest {
    private final List<Throwable> hook = new ArrayList<>();

    @AfterEach
    void restoreTheDefaultHook() {
        LoopHooks.setAsyncExceptionHook(null);
    }

    /** A node that fails as the core would on OutOfMemoryError: out of reach of any user catch. */
    private static final class FailingNode extends Callback {
        private final Error error;

        FailingNode(Error error) {
            this.error = error;
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            throw error;
        }
    }

    @Test
    void aNodeThatThrowsIsReportedAndTheDrainDoesNotEscape() {
        LoopHooks.setAsyncExceptionHook(hook::add);
        OutOfMemoryError error = new OutOfMemoryError("simulated");
        Resolver<String> r = Promise.pending();
        r.promise().addCallback(new FailingNode(error));
        assertDoesNotThrow(() -> r.resolve("x"));
        assertEquals(List.of(error), hook);
    }

    @Test
    void theCallbacksAfterAFailingNodeStillRun() {
        LoopHooks.setAsyncExceptionHook(hook::add);
        List<String> ran = new ArrayList<>();
        Resolver<String> r = Promise.pending();
        r.promise().onSuccess(v -> ran.add("before"));
        r.promise().addCallback(new FailingNode(new StackOverflowError("simulated")));
        r.promise().onSuccess(v -> ran.add("after"));
        r.resolve("x");
        assertEquals(List.of("before", "after"), ran);
    }

    @Test
    void workPushedBeneathAFailingNodeIsNotStranded() {
        LoopHooks.setAsyncExceptionHook(hook::add);
        List<String> ran = new ArrayList<>();
        Resolver<String> outer = Promise.pending();
        Resolver<String> inner = Promise.pending();
        // outer's first callback settles inner, whose callbacks run first (depth-first): the
        // rest of outer's callbacks wait on the work list beneath inner's failing node
        outer.promise().onSuccess(v -> inner.resolve(v));
        inner.promise().addCallback(new FailingNode(new OutOfMemoryError("simulated")));
        inner.promise().onSuccess(v -> ran.add("inner after the failure"));
        outer.promise().onSuccess(v -> ran.add("outer, pushed beneath"));
        outer.resolve("x");
        assertEquals(List.of("inner after the failure", "outer, pushed beneath"), ran);
        // and the work list is empty again: a later resolution runs its own callbacks only
        Resolver<String> later = Promise.pending();
        later.promise().onSuccess(v -> ran.add("later"));
        later.resolve("y");
        assertEquals(List.of("inner after the failure", "outer, pushed beneath", "later"), ran);
        assertTrue(hook.get(0) instanceof OutOfMemoryError);
    }
}
