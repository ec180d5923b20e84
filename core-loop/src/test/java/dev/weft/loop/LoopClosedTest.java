package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link LoopClosed#refused()} tells work the closed loop refused, which never ran, from work
 * that had begun and was cut off, still pending, by the shutdown.
 */
class LoopClosedTest {

    private static LoopClosed failureOf(CompletableFuture<?> future) {
        CompletionException thrown = assertThrows(CompletionException.class, future::join);
        return assertInstanceOf(LoopClosed.class, thrown.getCause());
    }

    @Test
    void aSubmitAfterCloseIsRefusedAndItsWorkNeverRuns() {
        Loop loop = Loop.create();
        loop.close();
        AtomicBoolean ran = new AtomicBoolean();

        LoopClosed failure = failureOf(loop.submit(() -> {
            ran.set(true);
            return Promise.unit();
        }));

        assertTrue(failure.refused());
        assertFalse(ran.get());
        assertTrue(failure.getMessage().contains("never ran"), failure.getMessage());
    }

    @Test
    void aSubmitStillQueuedWhenTheLoopShutsDownIsRefusedAndItsWorkNeverRuns() {
        Loop loop = Loop.create();
        loop.runOnce(0);
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Void> queued = loop.submit(() -> {
            ran.set(true);
            return Promise.unit();
        });

        loop.close();

        assertTrue(failureOf(queued).refused());
        assertFalse(ran.get());
    }

    @Test
    void aSubmitWhoseWorkRanAndWhosePromiseWasPendingAtCloseWasCutOff() {
        Loop loop = Loop.create();
        AtomicReference<Promise<Void>> started = new AtomicReference<>();
        CompletableFuture<Void> future = loop.submit(() -> {
            started.set(Promise.<Void>task().promise());
            return started.get();
        });
        loop.runOnce(0); // the work runs; its promise stays pending

        loop.close();

        LoopClosed failure = failureOf(future);
        assertFalse(failure.refused());
        assertTrue(failure.getMessage().contains("cut off"), failure.getMessage());
        assertTrue(started.get().isCancelled(), "the cut-off promise is cancelled");
    }

    @Test
    void sleepsTimeoutsAndPausesPendingAtCloseWereCutOff() {
        Loop loop = Loop.create();
        Promise<Void> sleep = loop.sleep(Duration.ofHours(1));
        Promise<String> timeout = loop.timeout(Duration.ofHours(1));
        Promise<Void> paused = Promise.pause();

        loop.close();

        assertFalse(assertInstanceOf(LoopClosed.class, sleep.failure()).refused());
        assertFalse(assertInstanceOf(LoopClosed.class, timeout.failure()).refused());
        assertFalse(assertInstanceOf(LoopClosed.class, paused.failure()).refused());
    }

    @Test
    void runOfAPromiseStillPendingWhenTheLoopClosesUnderItWasCutOff() {
        Loop loop = Loop.create();
        loop.execute(loop::close);

        LoopClosed failure = assertThrows(LoopClosed.class, () -> loop.run(Promise.pending().promise()));

        assertFalse(failure.refused());
    }

    @Test
    void everyCallAfterCloseIsRefused() {
        Loop loop = Loop.create();
        loop.close();

        assertTrue(assertThrows(LoopClosed.class, () -> loop.execute(() -> {})).refused());
        assertTrue(assertThrows(LoopClosed.class, () -> loop.runOnce(0)).refused());
        assertTrue(assertThrows(LoopClosed.class, () -> loop.run(Promise.pending().promise())).refused());
        assertTrue(assertInstanceOf(LoopClosed.class, loop.sleep(Duration.ofSeconds(1)).failure()).refused());
        assertTrue(failureOf(loop.call(() -> 1)).refused());
    }

    @Test
    void theTwoKindsSayWhatTheyAreInTheirMessages() {
        assertEquals("l is closed: submit was refused and never ran (offer work only to a running loop)",
                new LoopClosed("l", "submit").getMessage());
        assertEquals("l shut down while submit's work was still pending: it had begun and was cut off"
                + " (what it did before the close stands)", LoopClosed.cutOff("l", "submit's work").getMessage());
    }
}
