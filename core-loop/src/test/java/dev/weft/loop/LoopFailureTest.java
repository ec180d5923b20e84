package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What ends {@link Loop#run} (see Loop's class notes): nothing a callback, a hook or the
 * reporting path throws, VM errors included; only the awaited promise, a close, or an engine
 * whose poll keeps failing.
 */
class LoopFailureTest {
    private final List<Throwable> reported = new ArrayList<>();

    @AfterEach
    void restoreTheDefaultHook() {
        LoopHooks.setAsyncExceptionHook(null);
    }

    private void recordReports() {
        LoopHooks.setAsyncExceptionHook(reported::add);
    }

    @Test
    void aTimerCallbackThatThrowsIsReportedAndTheRunGoesOn() {
        recordReports();
        IllegalStateException failure = new IllegalStateException("callback broke");
        try (Loop loop = Loop.builder().virtualTime().build()) {
            loop.sleep(Duration.ofSeconds(1)).onSuccess(v -> {
                throw failure;
            });
            assertEquals("later", loop.run(loop.sleep(Duration.ofSeconds(2)).map(v -> "later")));
        }
        assertEquals(List.of(failure), reported);
    }

    @Test
    void anOutOfMemoryErrorInATaskIsReportedAndTheRunGoesOn() {
        recordReports();
        OutOfMemoryError failure = new OutOfMemoryError("one request's allocation");
        try (Loop loop = Loop.create()) {
            loop.execute(() -> {
                throw failure;
            });
            assertEquals("after", loop.run(Promise.pause().map(v -> "after")));
        }
        assertEquals(List.of(failure), reported);
    }

    @Test
    void aStackOverflowInAReadinessHandlerIsReportedAndTheRunGoesOn() {
        recordReports();
        StackOverflowError failure = new StackOverflowError("deep recursion");
        ScriptedEngine engine = new ScriptedEngine();
        try (Loop loop = Loop.builder().engine(engine).build()) {
            loop.register(7, Engine.READABLE, events -> {
                throw failure;
            });
            engine.makeReady(7, Engine.READABLE);
            assertEquals("after", loop.run(loop.sleep(Duration.ofMillis(1)).map(v -> "after")));
        }
        assertEquals(List.of(failure), reported);
    }

    @Test
    void enterAndLeaveHooksThatThrowAreReportedAndTheRunGoesOn() {
        recordReports();
        RuntimeException enter = new IllegalStateException("enter hook");
        RuntimeException leave = new IllegalStateException("leave hook");
        try (Loop loop = Loop.create()) {
            Runnable removeEnter = loop.onEnterIteration(() -> {
                throw enter;
            });
            Runnable removeLeave = loop.onLeaveIteration(() -> {
                throw leave;
            });
            // the first iteration runs both hooks and, in its timer step, pauses; the second
            // iteration's pause round removes them
            Promise<String> done = loop.sleep(Duration.ZERO).flatMap(v -> Promise.pause()).map(v -> {
                removeEnter.run();
                removeLeave.run();
                return "done";
            });
            assertEquals("done", loop.run(done));
        }
        assertTrue(reported.contains(enter) && reported.contains(leave), reported.toString());
    }

    @Test
    void anAsyncExceptionHookThatThrowsDoesNotEndTheRun() {
        assertARunSurvivesAThrowingHookWithStandardError(new PrintStream(OutputStream.nullOutputStream()));
    }

    @Test
    void aHookThatThrowsWithStandardErrorBrokenTooDoesNotEndTheRun() {
        assertARunSurvivesAThrowingHookWithStandardError(new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public void println(String line) {
                throw new IllegalStateException("standard error broke (EMFILE on a log file, say)");
            }
        });
    }

    private static void assertARunSurvivesAThrowingHookWithStandardError(PrintStream err) {
        LoopHooks.setAsyncExceptionHook(failure -> {
            throw new IllegalStateException("the hook itself broke");
        });
        PrintStream saved = System.err;
        System.setErr(err);
        try (Loop loop = Loop.create()) {
            loop.execute(() -> {
                throw new IllegalArgumentException("a task broke");
            });
            assertEquals("after", loop.run(Promise.pause().map(v -> "after")));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void anEnginePollThatThrowsIsReportedAndTheRunGoesOn() {
        recordReports();
        FailingEngine engine = new FailingEngine(3);
        try (Loop loop = Loop.builder().engine(engine).build()) {
            assertEquals("after", loop.run(engine.healed.promise().map(v -> "after")));
        }
        assertEquals(3, reported.size());
        assertTrue(reported.stream().allMatch(f -> f.getMessage().startsWith("poll failed")), reported.toString());
    }

    @Test
    void anEngineWhosePollKeepsThrowingEndsTheRunWithItsLastFailure() {
        recordReports();
        FailingEngine engine = new FailingEngine(Integer.MAX_VALUE);
        try (Loop loop = Loop.builder().engine(engine).build()) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> loop.run(loop.sleep(Duration.ofDays(1))));
            assertEquals("poll failed " + Loop.ENGINE_FAILURE_LIMIT, thrown.getMessage());
        }
        assertEquals(Loop.ENGINE_FAILURE_LIMIT - 1, reported.size());
    }

    @Test
    void anEnginePollOutOfMemoryManyTimesInARowDoesNotEndTheRun() {
        recordReports();
        FailingEngine engine = new FailingEngine(Loop.ENGINE_FAILURE_LIMIT * 2,
                () -> new OutOfMemoryError("a full heap, not a broken engine"));
        try (Loop loop = Loop.builder().engine(engine).build()) {
            assertEquals("after", loop.run(engine.healed.promise().map(v -> "after")));
        }
        assertEquals(Loop.ENGINE_FAILURE_LIMIT * 2, reported.size());
    }

    @Test
    void aLoopOnItsOwnThreadSurvivesAThrowingCallbackAndStillAnswers() throws Exception {
        recordReports();
        RuntimeException failure = new IllegalStateException("task broke");
        try (Loop loop = Loop.create()) {
            loop.start("failure-test", true);
            loop.execute(() -> {
                throw failure;
            });
            assertEquals("alive", loop.submit(() -> Promise.of("alive")).get());
        }
        assertSame(failure, reported.get(0));
    }

    /** A pure engine whose first {@code failures} polls throw. */
    private static final class FailingEngine implements Engine {
        private final PureEngine inner = new PureEngine();
        private final int failures;
        private final java.util.function.Supplier<? extends Throwable> failure;
        private int polls;
        /**
         * Fulfilled by the first poll that does not fail: a run awaiting it sees every failure (a
         * timer instead could come due after fewer failing polls on a slow machine).
         */
        final Resolver<Void> healed = Promise.pending();

        FailingEngine(int failures) {
            this(failures, null);
        }

        FailingEngine(int failures, java.util.function.Supplier<? extends Throwable> failure) {
            this.failures = failures;
            this.failure = failure;
        }

        @Override
        public void register(int source, int interest, ReadyHandler handler) {
            inner.register(source, interest, handler);
        }

        @Override
        public void modify(int source, int interest) {
            inner.modify(source, interest);
        }

        @Override
        public void unregister(int source) {
            inner.unregister(source);
        }

        @Override
        public int poll(long timeoutNanos) {
            if (polls < failures) {
                polls++;
                if (failure != null) {
                    throw sneaky(failure.get());
                }
                throw new IllegalStateException("poll failed " + polls);
            }
            if (healed.promise().isPending()) {
                healed.resolve(null);
                return inner.poll(0); // nothing would wake a blocking poll: the run is over
            }
            return inner.poll(timeoutNanos);
        }

        private static RuntimeException sneaky(Throwable t) {
            if (t instanceof Error e) {
                throw e;
            }
            return (RuntimeException) t;
        }

        @Override
        public void wakeup() {
            inner.wakeup();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
