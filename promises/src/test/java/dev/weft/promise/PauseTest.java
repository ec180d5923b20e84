package dev.weft.promise;

import static dev.weft.promise.PromiseAssertions.assertCancelled;
import static dev.weft.promise.PromiseAssertions.assertFulfilled;
import static dev.weft.promise.PromiseAssertions.assertPending;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pause(), LoopHooks.wakeupPaused() and wakeupPausedRounds(): FIFO, one round per call (or up to
 * a bound of rounds per call), per thread.
 */
class PauseTest {

    @RegisterExtension
    final AsyncExceptionRecorder hook = new AsyncExceptionRecorder();

    @BeforeEach
    @AfterEach
    void drainThePausedQueue() {
        drainPaused();
    }

    /** Wakes paused promises until none is left (their callbacks may pause again, a bounded number of times). */
    static void drainPaused() {
        while (LoopHooks.pausedCount() > 0) {
            LoopHooks.wakeupPaused();
        }
    }

    @Test
    void nothingIsPausedInitially() {
        assertEquals(0, LoopHooks.pausedCount());
    }

    @Test
    void aPausedPromiseIsPendingUntilWakeupPaused() {
        Promise<Void> p = Promise.pause();
        assertPending(p);
        assertEquals(1, LoopHooks.pausedCount());
        assertEquals(1, LoopHooks.wakeupPaused());
        assertEquals(0, LoopHooks.pausedCount());
        assertFulfilled(null, p);
    }

    @Test
    void wakeupPausedFulfilsEveryPausedPromise() {
        Promise<Void> p1 = Promise.pause();
        Promise<Void> p2 = Promise.pause();
        assertEquals(2, LoopHooks.pausedCount());
        assertPending(p1);
        assertPending(p2);
        LoopHooks.wakeupPaused();
        assertEquals(0, LoopHooks.pausedCount());
        assertFulfilled(null, p1);
        assertFulfilled(null, p2);
    }

    @Test
    void wakeupPausedWithNothingPausedDoesNothing() {
        assertEquals(0, LoopHooks.wakeupPaused());
        assertEquals(0, LoopHooks.pausedCount());
    }

    @Test
    void pausedPromisesResumeInTheOrderTheyPaused() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            Promise.pause().onSuccess(v -> order.add(n));
        }
        LoopHooks.wakeupPaused();
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    @Test
    void aPauseDuringWakeupPausedWaitsForTheNextRound() {
        Promise<Void> p1 = Promise.pause();
        Promise<Void> p2 = p1.flatMap(v -> Promise.pause());
        assertEquals(1, LoopHooks.pausedCount());
        LoopHooks.wakeupPaused();
        assertEquals(1, LoopHooks.pausedCount());
        assertPending(p2);
        LoopHooks.wakeupPaused();
        assertFulfilled(null, p2);
    }

    @Test
    void manyPausesThatPauseAgainDuringTheirRoundKeepTheirOrderAndWaitForTheNextRound() {
        // more than the paused queue's first capacity, each pausing again while its round runs,
        // so the queue grows in the middle of a round
        int n = 100;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            Promise.pause().onSuccess(v -> {
                order.add(id);
                Promise.pause().onSuccess(w -> order.add(n + id));
            });
        }
        assertEquals(n, LoopHooks.wakeupPaused());
        assertEquals(n, order.size(), "the pauses made during the round did not run in it");
        assertEquals(n, LoopHooks.pausedCount());
        assertEquals(n, LoopHooks.wakeupPaused());
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 2 * n; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
    }

    @Test
    void aWakeupCalledFromInsideAPausedCallbackRunsTheRestInOrderAndTheOuterRoundThenEnds() {
        List<String> order = new ArrayList<>();
        Promise.pause().onSuccess(v -> {
            order.add("a");
            Promise.pause().onSuccess(w -> order.add("d"));
            LoopHooks.wakeupPaused();
        });
        Promise.pause().onSuccess(v -> order.add("b"));
        Promise.pause().onSuccess(v -> order.add("c"));

        LoopHooks.wakeupPaused();

        assertEquals(List.of("a", "b", "c", "d"), order);
        assertEquals(0, LoopHooks.pausedCount());
    }

    @Test
    void rejectPausedRejectsThePausesItsCallbacksMakeToo() {
        List<Promise<Void>> again = new ArrayList<>();
        Promise<Void> first = Promise.pause();
        first.onFailure(failure -> again.add(Promise.pause()));
        assertEquals(2, LoopHooks.rejectPaused(new Cancelled()));
        assertCancelled(first);
        assertCancelled(again.get(0));
        assertEquals(0, LoopHooks.pausedCount());
    }

    @Test
    void aPausedPromiseCanBeCancelledAndIsThenSkipped() {
        Promise<Void> p = Promise.pause();
        p.cancel();
        assertCancelled(p);
        LoopHooks.wakeupPaused();
        assertCancelled(p);
    }

    @Test
    void pausedPromisesArePerThread() throws InterruptedException {
        Promise.pause();
        int[] countElsewhere = {-1};
        Thread other = new Thread(() -> countElsewhere[0] = LoopHooks.pausedCount());
        other.start();
        other.join();
        assertEquals(0, countElsewhere[0]);
        assertEquals(1, LoopHooks.pausedCount());
    }

    /**
     * Pauses, and each time the pause resumes logs {@code name} and pauses again, until the log
     * holds 100 entries (so that the queue drained after each test empties). PauseRoundAskingTest
     * uses it too.
     */
    static void pauseRepeatedly(List<String> log, String name) {
        Promise.pause().onSuccess(v -> {
            log.add(name);
            if (log.size() < 100) {
                pauseRepeatedly(log, name);
            }
        });
    }

    @Test
    void pausesKeepTheirOrderAcrossCallsThatMoveTheQueueToANewArray() {
        // the queue moves to a new array at the start of a call once 256 were woken since the
        // last move: 3,000 pauses of three chains over 100 calls cross that point many times,
        // with the queue's counts at every offset of the array
        List<Integer> order = new ArrayList<>();
        for (int chain = 0; chain < 3; chain++) {
            pauseInTurn(order, chain);
        }
        int woken = 0;
        for (int call = 0; call < 100; call++) {
            woken += LoopHooks.wakeupPausedRounds(10, round -> true);
        }
        assertEquals(3_000, woken);
        for (int i = 0; i < order.size(); i++) {
            assertEquals(i % 3, order.get(i), "position " + i);
        }
        assertEquals(3_000, order.size());
    }

    /** Pauses, and each time the pause resumes logs {@code chain} and pauses again (1,000 times in all). */
    private static void pauseInTurn(List<Integer> order, int chain) {
        Promise.pause().onSuccess(v -> {
            order.add(chain);
            if (order.size() < 2_998) {
                pauseInTurn(order, chain);
            }
        });
    }

    @Test
    void wakeupPausedRoundsRunsRoundsInPauseOrderUpToItsBound() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        pauseRepeatedly(log, "b");
        assertEquals(6, LoopHooks.wakeupPausedRounds(3, woken -> true));
        assertEquals(List.of("a", "b", "a", "b", "a", "b"), log);
        assertEquals(2, LoopHooks.pausedCount());
    }

    @Test
    void wakeupPausedRoundsAsksBetweenRoundsWithWhatTheLastRoundWokeAndStopsWhenRefused() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        pauseRepeatedly(log, "b");
        List<Integer> asked = new ArrayList<>();
        int woken = LoopHooks.wakeupPausedRounds(10, wokenByLastRound -> {
            asked.add(wokenByLastRound);
            return asked.size() < 2;
        });
        // each round woke the two paused before it, not the two its callbacks paused
        assertEquals(List.of(2, 2), asked);
        assertEquals(4, woken);
        assertEquals(2, LoopHooks.pausedCount());
    }

    @Test
    void wakeupPausedRoundsEndsWithoutAskingOnceNothingIsPaused() {
        Promise<Void> p = Promise.pause();
        List<Integer> asked = new ArrayList<>();
        assertEquals(1, LoopHooks.wakeupPausedRounds(10, wokenByLastRound -> asked.add(wokenByLastRound)));
        assertFulfilled(null, p);
        assertEquals(List.of(), asked);
    }

    @Test
    void wakeupPausedRoundsWithABoundOfOneRunsOneRoundWithoutAsking() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        List<Integer> asked = new ArrayList<>();
        assertEquals(1, LoopHooks.wakeupPausedRounds(1, wokenByLastRound -> asked.add(wokenByLastRound)));
        assertEquals(List.of("a"), log);
        assertEquals(List.of(), asked);
        assertEquals(1, LoopHooks.pausedCount());
    }

    @Test
    void whatTheRoundPredicateThrowsReachesTheCallerAndLeavesTheNextRoundPaused() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        IllegalStateException thrown = new IllegalStateException("stop");
        IllegalStateException caught = assertThrows(IllegalStateException.class, () ->
                LoopHooks.wakeupPausedRounds(10, wokenByLastRound -> {
                    throw thrown;
                }));
        assertSame(thrown, caught);
        assertEquals(List.of("a"), log);
        assertEquals(1, LoopHooks.pausedCount());
        assertEquals(1, LoopHooks.wakeupPaused());
        assertEquals(List.of("a", "a"), log);
    }

    // A paused promise whose only callback is one onSuccess consumer is woken without the drain's
    // work list (Resolution.wakeLoneConsumer); these pin that it behaves as the drain would.

    @Test
    void aLoneConsumerThatThrowsIsReportedAndTheRestOfTheRoundRuns() {
        List<String> order = new ArrayList<>();
        IllegalStateException thrown = new IllegalStateException("consumer");
        Promise.pause().onSuccess(v -> {
            order.add("a");
            throw thrown;
        });
        Promise.pause().onSuccess(v -> order.add("b"));

        assertEquals(2, LoopHooks.wakeupPaused());

        assertEquals(List.of("a", "b"), order);
        assertEquals(List.of(thrown), hook.received());
    }

    @Test
    void aLoneConsumerRunsInsideACallbackSoWhatItResolvesLaterRunsOnceItReturns() {
        List<String> order = new ArrayList<>();
        Resolver<String> later = Promise.task();
        later.promise().onSuccess(v -> order.add(v));
        Promise.pause().onSuccess(v -> {
            later.resolveLater("later");
            order.add("consumer returns");
        });

        LoopHooks.wakeupPaused();

        assertEquals(List.of("consumer returns", "later"), order);
    }

    @Test
    void aPauseThatAFlatMapReturnedWakesTheFlatMapsPromiseAndItsLoneConsumerOnce() {
        Resolver<Integer> input = Promise.task();
        Promise<Void> outer = input.promise().flatMap(v -> Promise.pause());
        List<Object> seen = new ArrayList<>();
        outer.onSuccess(seen::add);
        input.resolve(1); // the pause is now a proxy of outer, which holds the lone consumer

        assertEquals(1, LoopHooks.wakeupPaused());

        assertFulfilled(null, outer);
        assertEquals(1, seen.size());
        assertEquals(null, seen.get(0));
    }

    @Test
    void aCancelledPauseWithALoneConsumerIsSkippedAndItsConsumerNeverRuns() {
        List<String> order = new ArrayList<>();
        Promise<Void> p = Promise.pause().onSuccess(v -> order.add("ran"));
        p.cancel();

        LoopHooks.wakeupPaused();

        assertCancelled(p);
        assertEquals(List.of(), order);
    }

    // A lone consumer registered under a bound Context is wrapped with it (Context.captureConsumer)
    // and may be woken on the fast path; a waker that has a Context bound itself takes the drain
    // (the fast path is taken only with none bound). Either way the consumer sees its own context.

    private static final ContextKey<String> REQUEST_ID = ContextKey.named("request-id");

    @Test
    void aLoneConsumerPausedUnderABoundContextSeesThatContextWhenWoken() {
        List<String> seen = new ArrayList<>();
        Promise.withValue(REQUEST_ID, "r1", () -> Promise.pause().onSuccess(v -> seen.add(REQUEST_ID.orElse("none"))));

        assertEquals(1, LoopHooks.wakeupPaused()); // nothing bound here: the fast path

        assertEquals(List.of("r1"), seen);
        assertFalse(REQUEST_ID.isBound(), "the consumer's context is not left bound after it");
    }

    @Test
    void aLoneConsumerPausedUnderABoundContextSeesItsOwnContextNotItsWakers() {
        List<String> seen = new ArrayList<>();
        Promise.withValue(REQUEST_ID, "r1", () -> Promise.pause().onSuccess(v -> seen.add(REQUEST_ID.orElse("none"))));

        Promise<String> wakerSees = Promise.withValue(REQUEST_ID, "waker", () -> {
            LoopHooks.wakeupPaused(); // a context is bound here: the drain, not the fast path
            return Promise.of(REQUEST_ID.orElse("none"));
        });

        assertEquals(List.of("r1"), seen);
        assertFulfilled("waker", wakerSees); // the waker's context is back once the consumer returned
    }

    @Test
    void aLoneConsumerPausedWithNoContextSeesNoneEvenIfItsWakerHasOneBound() {
        List<String> seen = new ArrayList<>();
        Promise.pause().onSuccess(v -> seen.add(REQUEST_ID.orElse("none")));

        Promise.withValue(REQUEST_ID, "waker", () -> {
            LoopHooks.wakeupPaused();
            return Promise.unit();
        });

        assertEquals(List.of("none"), seen);
    }
}
