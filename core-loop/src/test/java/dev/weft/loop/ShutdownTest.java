package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** close(): exit hooks, pending work rejected with LoopClosed, nothing left behind. */
class ShutdownTest {

    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test
    void closeRejectsPausedPromisesSoALaterLoopOnTheThreadDoesNotResumeThem() {
        Loop loop = Loop.create();
        Promise<Void> paused = Promise.pause();
        Promise<Void> pausedByItsCallback = paused.recover(e -> Promise.pause());

        loop.close();

        assertInstanceOf(LoopClosed.class, paused.failure());
        assertInstanceOf(LoopClosed.class, pausedByItsCallback.failure());
        assertEquals(0, LoopHooks.pausedCount());
    }

    /** Pauses, and on any failure (the close's LoopClosed included) pauses again, for ever. */
    private static Promise<Void> retryForEver(int[] attempts) {
        attempts[0]++;
        return Promise.pause().recover(e -> retryForEver(attempts));
    }

    @Test
    @Timeout(30)
    void closeEndsEvenWhenAChainPausesAgainEachTimeItsPauseIsRejected() {
        Loop loop = Loop.create();
        loop.run(Promise.unit());
        int[] attempts = {0};
        Promise<Void> retrying = retryForEver(attempts);

        loop.close();

        assertTrue(retrying.isPending(), "the last retry is left pending, not resolved");
        assertTrue(attempts[0] > 1, "the close rejected the retries for a while: " + attempts[0]);
        assertEquals(0, LoopHooks.pausedCount(), "nothing is left paused on the thread");
    }

    @Test
    void closingOneOfTwoLoopsSharingAThreadLeavesThePausesOfTheOtherToIt() {
        Loop closing = Loop.create();
        Loop goingOn = Loop.create();
        closing.runOnce(0); // both bound to this thread, as two LoopAgents of one CompositeAgent
        goingOn.runOnce(0);
        List<Promise<String>> work = new ArrayList<>();
        goingOn.execute(() -> work.add(Promise.pause().map(v -> "resumed")));
        goingOn.runOnce(0);

        closing.close();
        goingOn.runOnce(0);

        assertEquals("resumed", work.getFirst().value());
        goingOn.close();
    }

    @Test
    void aTaskAcceptedBeforeCloseRunsOnceAtCloseWhenNoIterationTookIt() {
        Loop loop = Loop.create();
        List<String> trace = new ArrayList<>();
        loop.execute(() -> trace.add("ran")); // accepted; the loop never iterates

        loop.close();

        assertEquals(List.of("ran"), trace);
    }

    @Test
    void aTaskRunAtCloseFindsTheLoopRefusingNewWork() {
        Loop loop = Loop.create();
        List<Object> seen = new ArrayList<>();
        loop.execute(() -> {
            seen.add(loop.sleep(Duration.ofSeconds(1)).failure());
            try {
                loop.execute(() -> seen.add("must not run"));
            } catch (LoopClosed refused) {
                seen.add(refused);
            }
        });

        loop.close();

        assertEquals(2, seen.size(), seen.toString());
        assertInstanceOf(LoopClosed.class, seen.get(0));
        assertInstanceOf(LoopClosed.class, seen.get(1));
    }

    @Test
    void aCancelledSubmissionStillQueuedAtCloseRaisesNoReport() {
        Loop loop = Loop.create();
        CompletableFuture<Void> future = loop.submit(() -> Promise.<Void>task().promise());
        List<Throwable> reported = new ArrayList<>();
        LoopHooks.setAsyncExceptionHook(reported::add);
        try {
            future.cancel(true); // queues the loop's own task that would cancel the promise
            loop.close();        // the loop never ran: both the submission and that task are queued
        } finally {
            LoopHooks.setAsyncExceptionHook(null);
        }
        assertEquals(List.of(), reported);
        assertTrue(future.isCancelled());
    }

    @Test
    void closeRejectsPendingTimersWithLoopClosed() {
        Loop loop = Loop.create();
        Promise<Void> sleep = loop.sleep(Duration.ofHours(1));
        Promise<String> timeout = loop.timeout(Duration.ofHours(2));

        loop.close();

        assertInstanceOf(LoopClosed.class, sleep.failure());
        assertInstanceOf(LoopClosed.class, timeout.failure());
        assertEquals(0, loop.metrics().timersPending());
        assertEquals(0, loop.pendingTimers());
    }

    @Test
    void closeFailsTheFutureOfASubmitWhosePromiseIsPending() throws Exception {
        Loop loop = Loop.create();
        loop.start();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> future = loop.submit(() -> {
            started.countDown();
            return loop.sleep(Duration.ofHours(1));
        });
        started.await();

        loop.close();

        ExecutionException thrown = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(LoopClosed.class, thrown.getCause());
    }

    @Test
    void closeFailsTheFutureOfASubmitStillQueued() {
        Loop loop = Loop.create();
        loop.runOnce(0);
        CompletableFuture<String> queued = loop.submit(() -> Promise.of("never"));

        loop.close();

        assertTrue(queued.isCompletedExceptionally());
        assertThrows(LoopClosed.class, () -> {
            try {
                queued.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void workOfferedAfterCloseIsRejected() {
        Loop loop = Loop.create();
        loop.close();

        assertThrows(LoopClosed.class, () -> loop.execute(() -> {}));
        assertTrue(loop.submit(() -> Promise.of(1)).isCompletedExceptionally());
        assertInstanceOf(LoopClosed.class, loop.sleep(Duration.ofSeconds(1)).failure());
        assertThrows(LoopClosed.class, () -> loop.runOnce(0));
    }

    @Test
    void closeFromACallbackFinishesTheIterationThenShutsDown() {
        Loop loop = Loop.create();
        List<String> trace = new ArrayList<>();
        loop.onExit(() -> trace.add("exit"));
        loop.onLeaveIteration(() -> trace.add("leave"));
        loop.execute(() -> {
            loop.close();
            trace.add("after close() in the callback");
        });

        loop.runOnce(0);

        assertEquals(List.of("after close() in the callback", "leave", "exit"), trace);
        assertTrue(loop.isClosed());
    }

    @Test
    void runThrowsLoopClosedWhenTheLoopClosesUnderIt() {
        Loop loop = Loop.create();
        Promise<Void> never = Promise.<Void>pending().promise();
        loop.execute(loop::close);

        assertThrows(LoopClosed.class, () -> loop.run(never));
    }

    @Test
    void closeFromAnotherThreadStopsAStartedLoopAndLeavesNoThreadOrEngineBehind() {
        CountingEngine engine = new CountingEngine();
        Loop loop = Loop.builder().engine(engine).watchdog(Duration.ofSeconds(5), w -> {}).build();
        loop.start("leak-check-loop", false);
        loop.execute(() -> loop.sleep(Duration.ofHours(1)));
        loop.execute(() -> loop.sleep(Duration.ofMinutes(1)));
        engine.awaitBlocked();
        assertTrue(threadNamed("leak-check-loop"));

        loop.close();

        assertFalse(threadNamed("leak-check-loop"));
        assertFalse(threadNamed("leak-check-loop-watchdog"));
        assertFalse(threadNamed(loop.name() + "-watchdog"));
        assertTrue(engine.closed);
        assertEquals(0, loop.metrics().timersPending());
        assertTrue(loop.isClosed());
    }
}
