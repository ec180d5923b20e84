package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PromiseAssertions.E;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * async and dontWait (Lwt's async, dont_wait), and the async-exception hook itself: exceptions with
 * nowhere else to go reach it, and with the default hook they are printed to standard error (no file
 * needed), never lost or thrown.
 */
class AsyncExceptionTest {
    private final List<Throwable> hook = new ArrayList<>();
    private final List<Throwable> handler = new ArrayList<>();
    private final boolean[] flag = {false};

    @AfterEach
    void restoreTheDefaultHook() {
        LoopHooks.setAsyncExceptionHook(null);
    }

    private void recordHook() {
        LoopHooks.setAsyncExceptionHook(hook::add);
    }

    // ---------------------------------------------------------------- async

    @Test
    void asyncRunsTheFunctionAtOnce() {
        Promise.async(() -> {
            flag[0] = true;
            return Promise.unit();
        });
        assertTrue(flag[0]);
    }

    @Test
    void aFunctionThatThrowsInAsyncGoesToTheHookNotToTheCaller() {
        recordHook();
        E e = new E();
        assertDoesNotThrow(() -> Promise.async(() -> {
            throw e;
        }));
        assertEquals(List.of(e), hook);
    }

    @Test
    void aRejectedPromiseFromAsyncGoesToTheHook() {
        recordHook();
        E e = new E();
        Promise.async(() -> Promise.rejected(e));
        assertEquals(List.of(e), hook);
    }

    @Test
    void asyncRunsTheRestOfThePromiseWhenItIsResolvedLater() {
        Resolver<String> r = Promise.pending();
        Promise.async(() -> r.promise().map(s -> flag[0] = true));
        r.resolve("");
        assertTrue(flag[0]);
    }

    @Test
    void asyncWorkRejectedLaterGoesToTheHook() {
        Resolver<String> r = Promise.pending();
        Promise.async(r::promise);
        recordHook();
        E e = new E();
        r.reject(e);
        assertEquals(List.of(e), hook);
    }

    // ---------------------------------------------------------------- dontWait

    @Test
    void dontWaitRunsTheFunctionAndNotTheHandler() {
        Promise.dontWait(() -> {
            flag[0] = true;
            return Promise.unit();
        }, handler::add);
        assertTrue(flag[0]);
        assertTrue(handler.isEmpty());
    }

    @Test
    void aFunctionThatThrowsInDontWaitGoesToTheHandlerNotTheHook() {
        recordHook();
        E e = new E();
        Promise.dontWait(() -> {
            throw e;
        }, handler::add);
        assertEquals(List.of(e), handler);
        assertTrue(hook.isEmpty());
    }

    @Test
    void aRejectedPromiseFromDontWaitGoesToTheHandler() {
        E e = new E();
        Promise.dontWait(() -> Promise.rejected(e), handler::add);
        assertEquals(List.of(e), handler);
    }

    @Test
    void dontWaitRunsTheRestOfThePromiseWhenItIsResolvedLater() {
        Resolver<String> r = Promise.pending();
        Promise.dontWait(() -> r.promise().map(s -> flag[0] = true), handler::add);
        r.resolve("");
        assertTrue(flag[0]);
    }

    @Test
    void dontWaitWorkRejectedLaterGoesToTheHandler() {
        Resolver<String> r = Promise.pending();
        E e = new E();
        Promise.dontWait(r::promise, handler::add);
        r.reject(e);
        assertEquals(List.of(e), handler);
    }

    @Test
    void aDontWaitHandlerThatThrowsGoesToTheHook() {
        recordHook();
        E e = new E();
        Promise.dontWait(() -> Promise.rejected(new E()), f -> {
            throw e;
        });
        assertEquals(List.of(e), hook);
    }

    // ---------------------------------------------------------------- the hook

    @Test
    void anOnCancelCallbackThatThrowsGoesToTheHook() {
        recordHook();
        E e = new E();
        Resolver<String> r = Promise.task();
        r.promise().onCancel(() -> {
            throw e;
        });
        r.promise().cancel();
        assertEquals(List.of(e), hook);
        assertTrue(r.promise().isCancelled());
    }

    /** Runs {@code action} and returns what it logged to "dev.weft.promise" (kept off the console). */
    private static List<LogRecord> logged(Runnable action) {
        return logged(new CapturingHandler(new ArrayList<>(), false), action);
    }

    private static List<LogRecord> logged(CapturingHandler capture, Runnable action) {
        Logger jul = Logger.getLogger("dev.weft.promise");
        boolean useParent = jul.getUseParentHandlers();
        jul.addHandler(capture);
        jul.setUseParentHandlers(false);
        try {
            action.run();
        } finally {
            jul.removeHandler(capture);
            jul.setUseParentHandlers(useParent);
        }
        return capture.records;
    }

    /** Runs {@code action} and returns what it printed to System.err. */
    private static String printed(Runnable action) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theDefaultHookPrintsTheStackTraceToStandardErrorAndDoesNotThrow() {
        E e = new E();
        String printed = printed(() -> assertDoesNotThrow(() -> Promise.unit().onSuccess(v -> {
            throw e;
        })));
        assertTrue(printed.contains("async exception"), printed);
        assertTrue(printed.contains(E.class.getName()), printed);
        assertTrue(printed.contains("theDefaultHookPrints"), "the stack trace: " + printed);
    }

    @Test
    void theDefaultHookUsesNoLoggingFramework() {
        List<LogRecord> records = new ArrayList<>();
        printed(() -> records.addAll(logged(() -> LoopHooks.reportAsyncException(new E()))));
        assertTrue(records.isEmpty());
    }

    @Test
    void aHookThatThrowsIsPrintedWithTheOriginalSuppressedAndNotPropagated() {
        RuntimeException hookFailure = new IllegalStateException("hook broke");
        LoopHooks.setAsyncExceptionHook(f -> {
            throw hookFailure;
        });
        E e = new E();
        String printed = printed(() -> assertDoesNotThrow(() -> LoopHooks.reportAsyncException(e)));
        assertTrue(printed.contains("hook broke"), printed);
        assertSame(e, hookFailure.getSuppressed()[0]);
    }

    @Test
    void aHookThatThrowsWhileStandardErrorThrowsTooIsDroppedNotPropagated() {
        LoopHooks.setAsyncExceptionHook(f -> {
            throw new IllegalStateException("hook broke");
        });
        PrintStream saved = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public void println(String line) {
                throw new OutOfMemoryError("standard error broke too");
            }
        });
        try {
            assertDoesNotThrow(() -> LoopHooks.reportAsyncException(new E()));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void theSystemLoggerHookLogsAtError() {
        LoopHooks.setAsyncExceptionHook(LoopHooks.systemLoggerHook());
        E e = new E();
        List<LogRecord> records = logged(() -> assertDoesNotThrow(() -> Promise.unit().onSuccess(v -> {
            throw e;
        })));
        assertEquals(1, records.size());
        assertSame(e, records.get(0).getThrown());
        assertEquals(java.util.logging.Level.SEVERE, records.get(0).getLevel());
    }

    @Test
    void theSystemLoggerHookFallsBackToStandardErrorWhenLoggingFails() {
        LoopHooks.setAsyncExceptionHook(LoopHooks.systemLoggerHook());
        E e = new E();
        String printed = printed(() -> logged(new CapturingHandler(new ArrayList<>(), true),
                () -> assertDoesNotThrow(() -> LoopHooks.reportAsyncException(e))));
        assertTrue(printed.contains(E.class.getName()), printed);
        assertTrue(printed.contains("logging broke"), "the logging failure is suppressed in it: " + printed);
    }

    @Test
    void settingANullHookRestoresTheDefault() {
        recordHook();
        LoopHooks.setAsyncExceptionHook(null);
        E e = new E();
        String printed = printed(() -> Promise.unit().onSuccess(v -> {
            throw e;
        }));
        assertTrue(hook.isEmpty());
        assertTrue(printed.contains(E.class.getName()), printed);
    }

    /** Collects java.util.logging records, which back System.Logger when no other provider is set. */
    private static final class CapturingHandler extends Handler {
        private final List<LogRecord> records;
        private final boolean fail;

        CapturingHandler(List<LogRecord> records, boolean fail) {
            this.records = records;
            this.fail = fail;
        }

        @Override
        public void publish(LogRecord record) {
            if (fail) {
                throw new IllegalStateException("logging broke");
            }
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
