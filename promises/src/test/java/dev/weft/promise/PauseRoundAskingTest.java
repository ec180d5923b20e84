package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LoopHooks.wakeupPausedRounds with a spacing of asks: the loop's predicate is asked after the
 * first round, then once at least {@code wokenPerAsk} promises were woken since it was last asked;
 * the rounds in between keep the pause order. LoopHooks.lastPauseRounds counts the rounds run.
 */
class PauseRoundAskingTest {

    @BeforeEach
    @AfterEach
    void drainThePausedQueue() {
        PauseTest.drainPaused();
    }

    private static void pauseRepeatedly(List<String> log, String name) {
        PauseTest.pauseRepeatedly(log, name);
    }

    @Test
    void asksAfterTheFirstRoundThenOncePerSpacingWithTheNumberWokenSince() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        List<Integer> asked = new ArrayList<>();

        int woken = LoopHooks.wakeupPausedRounds(10, 3, wokenSince -> asked.add(wokenSince));

        // rounds of one: asked after round 1, then after rounds 4 and 7; round 10 is the bound
        assertEquals(List.of(1, 3, 3), asked);
        assertEquals(10, woken);
        assertEquals(10, LoopHooks.lastPauseRounds());
        assertEquals(1, LoopHooks.pausedCount());
    }

    @Test
    void aRoundThatWakesTheSpacingOrMoreIsFollowedByAnAsk() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        pauseRepeatedly(log, "b");
        List<Integer> asked = new ArrayList<>();

        LoopHooks.wakeupPausedRounds(4, 2, wokenSince -> asked.add(wokenSince));

        assertEquals(List.of(2, 2, 2), asked);
    }

    @Test
    void roundsBetweenTwoAsksKeepThePauseOrder() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        pauseRepeatedly(log, "b");

        assertEquals(8, LoopHooks.wakeupPausedRounds(4, 64, wokenSince -> true));

        assertEquals(List.of("a", "b", "a", "b", "a", "b", "a", "b"), log);
    }

    @Test
    void aRefusalEndsTheRoundsAtThatAsk() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        List<Integer> asked = new ArrayList<>();

        int woken = LoopHooks.wakeupPausedRounds(100, 3, wokenSince -> {
            asked.add(wokenSince);
            return asked.size() < 2;
        });

        assertEquals(List.of(1, 3), asked);
        assertEquals(4, woken);
        assertEquals(4, LoopHooks.lastPauseRounds());
        assertEquals(1, LoopHooks.pausedCount());
    }

    @Test
    void theRoundsEndWithoutAnotherAskOnceNothingIsPaused() {
        List<String> log = new ArrayList<>();
        Promise.pause().onSuccess(v -> log.add("once"));
        List<Integer> asked = new ArrayList<>();

        assertEquals(1, LoopHooks.wakeupPausedRounds(10, 3, wokenSince -> asked.add(wokenSince)));

        assertEquals(List.of("once"), log);
        assertEquals(List.of(), asked);
        assertEquals(1, LoopHooks.lastPauseRounds());
    }

    @Test
    void whatAnAskThrowsReachesTheCallerWithTheRoundsRunSoFarCounted() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        IllegalStateException thrown = new IllegalStateException("stop");
        List<Integer> asked = new ArrayList<>();

        IllegalStateException caught = assertThrows(IllegalStateException.class, () ->
                LoopHooks.wakeupPausedRounds(100, 3, wokenSince -> {
                    asked.add(wokenSince);
                    if (asked.size() == 2) {
                        throw thrown;
                    }
                    return true;
                }));

        assertSame(thrown, caught);
        assertEquals(4, log.size());
        assertEquals(4, LoopHooks.lastPauseRounds());
        assertEquals(1, LoopHooks.pausedCount());
    }

    @Test
    void aSpacingBelowOneAsksBetweenEveryTwoRounds() {
        List<String> log = new ArrayList<>();
        pauseRepeatedly(log, "a");
        List<Integer> asked = new ArrayList<>();

        LoopHooks.wakeupPausedRounds(4, 0, wokenSince -> asked.add(wokenSince));

        assertEquals(List.of(1, 1, 1), asked);
    }
}
