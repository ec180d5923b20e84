package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Loop.run, runOnce and their thread rules. */
class RunTest {

    private final Loop loop = Loop.create();

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void runReturnsTheValueOnceThePromiseResolves() {
        Promise<String> answer = loop.sleep(Duration.ofMillis(5)).map(v -> "done");

        assertEquals("done", loop.run(answer));
    }

    @Test
    void runThrowsAnUncheckedFailureAsItIs() {
        IllegalArgumentException failure = new IllegalArgumentException("bad");

        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> loop.run(Promise.pause().flatMap(v -> Promise.rejected(failure))));
        assertSame(failure, thrown);
    }

    @Test
    void runWrapsACheckedFailureInACompletionException() {
        IOException failure = new IOException("disk");

        CompletionException thrown = assertThrows(CompletionException.class,
                () -> loop.run(Promise.pause().flatMap(v -> Promise.rejected(failure))));
        assertSame(failure, thrown.getCause());
    }

    @Test
    void runFromInsideARunningLoopIsAnIllegalStateException() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Promise<Void> inner = Promise.pause().map(v -> {
            try {
                loop.run(Promise.unit());
            } catch (Throwable t) {
                thrown.set(t);
            }
            return null;
        });

        loop.run(inner);

        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        assertTrue(thrown.get().getMessage().contains("inside a callback"), thrown.get().getMessage());
    }

    @Test
    void runOnceFromInsideACallbackIsAnIllegalStateException() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        loop.execute(() -> {
            try {
                loop.runOnce(0);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });

        loop.runOnce(0);

        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
    }

    @Test
    void aLoopRunOnOneThreadRefusesAnother() throws InterruptedException {
        loop.runOnce(0);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                loop.runOnce(0);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });

        other.start();
        other.join();

        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
    }

    @Test
    void runOnceWithZeroTimeoutDoesNotWaitForALaterTimer() {
        loop.sleep(Duration.ofHours(1));

        int work = loop.runOnce(0);

        assertEquals(0, work);
        assertEquals(1, loop.metrics().timersPending());
    }

    @Test
    void startRunsTheLoopOnANamedThreadOfItsOwn() throws Exception {
        loop.start("my-loop-thread", true);

        String threadName = loop.submit(() -> Promise.of(Thread.currentThread().getName())).get();

        assertEquals("my-loop-thread", threadName);
    }
}
