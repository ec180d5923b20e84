package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Promise.pauseThen(Runnable): a pause without a promise, in the same queue as pause(), run by the
 * same rounds, under the context it was made in, dropped by rejectPaused.
 */
class PauseThenTest {
    private static final ContextKey<String> REQUEST_ID = ContextKey.named("request-id");

    @RegisterExtension
    final AsyncExceptionRecorder hook = new AsyncExceptionRecorder();

    private final List<String> ran = new ArrayList<>();

    @BeforeEach
    @AfterEach
    void drainThePausedQueue() {
        PauseTest.drainPaused();
    }

    @Test
    void aTaskRunsAtTheNextPauseRoundNotBefore() {
        Promise.pauseThen(() -> ran.add("task"));
        assertEquals(List.of(), ran);
        assertEquals(1, LoopHooks.pausedCount());
        assertEquals(1, LoopHooks.wakeupPaused());
        assertEquals(List.of("task"), ran);
        assertEquals(0, LoopHooks.pausedCount());
    }

    @Test
    void tasksAndPausedPromisesResumeInTheOrderTheyPaused() {
        Promise.pause().onSuccess(v -> ran.add("promise 1"));
        Promise.pauseThen(() -> ran.add("task 1"));
        Promise.pause().onSuccess(v -> ran.add("promise 2"));
        Promise.pauseThen(() -> ran.add("task 2"));
        LoopHooks.wakeupPaused();
        assertEquals(List.of("promise 1", "task 1", "promise 2", "task 2"), ran);
    }

    @Test
    void whatATaskPausesWaitsForTheNextRound() {
        Promise.pauseThen(() -> {
            ran.add("first");
            Promise.pauseThen(() -> ran.add("second"));
        });
        assertEquals(1, LoopHooks.wakeupPaused());
        assertEquals(List.of("first"), ran);
        assertEquals(1, LoopHooks.pausedCount());
        LoopHooks.wakeupPaused();
        assertEquals(List.of("first", "second"), ran);
    }

    @Test
    void aTaskThatReschedulesItselfRunsOncePerRound() {
        Runnable[] self = new Runnable[1];
        self[0] = () -> {
            ran.add("turn");
            if (ran.size() < 5) {
                Promise.pauseThen(self[0]);
            }
        };
        Promise.pauseThen(self[0]);
        assertEquals(5, LoopHooks.wakeupPausedRounds(100, woken -> true));
        assertEquals(5, ran.size());
        assertEquals(5, LoopHooks.lastPauseRounds());
    }

    @Test
    void whatATaskThrowsGoesToTheAsyncExceptionHookAndTheRoundGoesOn() {
        IllegalStateException boom = new IllegalStateException("boom");
        Promise.pauseThen(() -> {
            throw boom;
        });
        Promise.pauseThen(() -> ran.add("after"));
        LoopHooks.wakeupPaused();
        assertEquals(List.of(boom), hook.received());
        assertEquals(List.of("after"), ran);
    }

    @Test
    void aTaskSeesTheContextBoundWhenItWasMadeAndNoOther() {
        Promise.withValue(REQUEST_ID, "r1", () -> {
            Promise.pauseThen(() -> ran.add("inside " + REQUEST_ID.get()));
            return Promise.of(null);
        });
        Promise.pauseThen(() -> ran.add("outside " + REQUEST_ID.orElse("nothing")));
        LoopHooks.wakeupPaused();
        assertEquals(List.of("inside r1", "outside nothing"), ran);
    }

    @Test
    void aTaskRunFromInsideABoundContextDoesNotSeeIt() {
        Promise.pauseThen(() -> ran.add("task sees " + REQUEST_ID.orElse("nothing")));
        Promise.withValue(REQUEST_ID, "waker", () -> {
            LoopHooks.wakeupPaused(); // a round run by a callback that has a value bound
            ran.add("waker still sees " + REQUEST_ID.get());
            return Promise.of(null);
        });
        assertEquals(List.of("task sees nothing", "waker still sees waker"), ran);
    }

    @Test
    void rejectPausedDropsTasksAndRejectsPromises() {
        Promise<Void> paused = Promise.pause();
        Promise.pauseThen(() -> ran.add("task"));
        IllegalStateException closed = new IllegalStateException("loop closed");
        assertEquals(1, LoopHooks.rejectPaused(closed));
        assertRejected(closed, paused);
        assertEquals(List.of(), ran);
        assertEquals(0, LoopHooks.pausedCount());
    }

    @Test
    void aNullTaskIsRefusedAndNothingIsPaused() {
        assertThrows(NullPointerException.class, () -> Promise.pauseThen(null));
        assertEquals(0, LoopHooks.pausedCount());
    }

    @Test
    void aPausedPromiseCancelledBesideATaskIsSkippedAndTheTaskStillRuns() {
        Promise<Void> cancelled = Promise.pause();
        Promise.pauseThen(() -> ran.add("task"));
        cancelled.cancel();
        LoopHooks.wakeupPaused();
        assertEquals(List.of("task"), ran);
        assertCancelled(cancelled);
    }
}
