package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Step 1's further pause rounds (see Loop's implementation notes): while paused promises are the
 * only ready work, an iteration runs more rounds before it polls, within a bound of rounds and of
 * time. The clock is manual, so time passes only where a test moves it and every count is exact.
 */
class PauseRoundsTest {

    private static final int SOURCE = 7;

    private final ManualClock clock = new ManualClock();
    private final ScriptedEngine engine = new ScriptedEngine();
    private final Loop loop = Loop.builder().engine(engine).clock(clock).build();
    private final List<String> trace = new ArrayList<>();
    /** Pauses made by {@link #pauseForever}'s chain so far. */
    private int pauses;

    @AfterEach
    void close() {
        loop.close();
    }

    /** A chain that pauses, counts, runs {@code eachStep} and pauses again, forever. */
    private Promise<Void> pauseForever(Runnable eachStep) {
        return Promise.pause().flatMap(v -> {
            pauses++;
            eachStep.run();
            return pauseForever(eachStep);
        });
    }

    @Test
    void anAlwaysReadySourceIsServedAfterAtMostTheBoundOfPauseRounds() {
        List<Integer> pausesBeforeEachDispatch = new ArrayList<>();
        loop.register(SOURCE, Engine.READABLE, events -> {
            pausesBeforeEachDispatch.add(pauses);
            pauses = 0;
            engine.makeReady(SOURCE, Engine.READABLE); // level-triggered: still ready next poll
        });
        engine.makeReady(SOURCE, Engine.READABLE);
        pauseForever(() -> {});

        for (int i = 0; i < 4; i++) {
            loop.runOnce(0);
        }

        int bound = Loop.DEFAULT_MAX_PAUSE_ROUNDS;
        assertEquals(List.of(bound, bound, bound, bound), pausesBeforeEachDispatch);
        assertEquals(4L * bound, loop.metrics().pauseRounds());
        assertEquals(4, loop.metrics().iterations());
    }

    @Test
    void readinessTheEngineKnowsOfEndsThePauseRoundsWithinTheCheckSpacing() {
        engine.tellsReadiness = true;
        List<Integer> pausesBeforeTheDispatch = new ArrayList<>();
        loop.register(SOURCE, Engine.READABLE, events -> pausesBeforeTheDispatch.add(pauses));
        pauseForever(() -> {
            if (pauses == 3) {
                engine.makeReady(SOURCE, Engine.READABLE);
            }
        });

        loop.runOnce(0);

        // Ready during the 3rd pause, after the first round's check: seen at the next check, at
        // most WOKEN_PER_CLOCK_READ pauses later, and dispatched by the same iteration's poll,
        // long before the bound of rounds an engine that cannot tell is held to.
        assertEquals(1, pausesBeforeTheDispatch.size());
        int seenAfter = pausesBeforeTheDispatch.get(0);
        assertTrue(3 + Loop.WOKEN_PER_CLOCK_READ < Loop.DEFAULT_MAX_PAUSE_ROUNDS);
        assertTrue(seenAfter >= 3 && seenAfter <= 3 + Loop.WOKEN_PER_CLOCK_READ, "pauses: " + seenAfter);
        assertEquals(seenAfter, loop.metrics().pauseRounds());
        assertEquals(1, loop.metrics().iterations());
    }

    @Test
    void pauseRoundsStopOnceTheTimeBoundHasPassed() {
        pauseForever(() -> clock.advanceBy(2_000)); // each pause takes 2 µs

        loop.runOnce(0);

        // The first round, then one per 2 µs until 50 µs have passed since it ended, seen at the
        // next clock read, which comes at most WOKEN_PER_CLOCK_READ pauses later: before the
        // bound of rounds, so the time bound is what stopped them.
        long rounds = loop.metrics().pauseRounds();
        long atTheBound = 1 + Loop.PAUSE_ROUNDS_NANOS / 2_000;
        assertTrue(atTheBound + Loop.WOKEN_PER_CLOCK_READ < Loop.DEFAULT_MAX_PAUSE_ROUNDS);
        assertTrue(rounds >= atTheBound && rounds <= atTheBound + Loop.WOKEN_PER_CLOCK_READ, "rounds: " + rounds);
    }

    @Test
    void aTimerFallingDueDuringPauseRoundsEndsThemAndFiresInTheSameIteration() {
        List<Integer> pausesBeforeTheTimer = new ArrayList<>();
        loop.at(10_000).onSuccess(v -> pausesBeforeTheTimer.add(pauses));
        pauseForever(() -> clock.advanceBy(1_000));

        loop.runOnce(0);

        // Due after the 10th pause; seen at the next clock read, at most WOKEN_PER_CLOCK_READ later.
        assertEquals(1, pausesBeforeTheTimer.size());
        int seenAfter = pausesBeforeTheTimer.get(0);
        assertTrue(10 + Loop.WOKEN_PER_CLOCK_READ < Loop.DEFAULT_MAX_PAUSE_ROUNDS);
        assertTrue(seenAfter >= 10 && seenAfter <= 10 + Loop.WOKEN_PER_CLOCK_READ, "pauses: " + seenAfter);
        assertEquals(seenAfter, loop.metrics().pauseRounds());
        assertEquals(1, loop.metrics().iterations());
    }

    @Test
    void aQueuedTaskEndsThePauseRoundsWithinTheCheckSpacingAndRunsInTheSameIteration() {
        List<Integer> pausesBeforeTheTask = new ArrayList<>();
        pauseForever(() -> {
            if (pauses == 3) {
                loop.execute(() -> pausesBeforeTheTask.add(pauses));
            }
        });

        loop.runOnce(0);

        // Queued during the 3rd pause, after the first round's check: seen at the next check,
        // at most WOKEN_PER_CLOCK_READ pauses later, before the bound of rounds.
        assertEquals(1, pausesBeforeTheTask.size());
        int seenAfter = pausesBeforeTheTask.get(0);
        assertTrue(3 + Loop.WOKEN_PER_CLOCK_READ < Loop.DEFAULT_MAX_PAUSE_ROUNDS);
        assertTrue(seenAfter >= 3 && seenAfter <= 3 + Loop.WOKEN_PER_CLOCK_READ, "pauses: " + seenAfter);
        assertEquals(seenAfter, loop.metrics().pauseRounds());
        assertEquals(1, loop.metrics().iterations());
    }

    @Test
    void aTaskQueuedInTheFirstRoundEndsThePauseRoundsAfterIt() {
        pauseForever(() -> {
            trace.add("pause " + pauses);
            if (pauses == 1) {
                loop.execute(() -> trace.add("task"));
            }
        });

        loop.runOnce(0);

        assertEquals(List.of("pause 1", "task"), trace);
        assertEquals(1, loop.metrics().pauseRounds());
    }

    @Test
    void underAWatchdogAQueuedTaskEndsThePauseRoundsAtOnce() {
        Loop watched = Loop.builder().engine(new ScriptedEngine()).clock(clock)
                .watchdog(Duration.ofSeconds(30), blocked -> {}).build();
        try {
            pauseForever(() -> {
                trace.add("pause " + pauses);
                if (pauses == 3) {
                    watched.execute(() -> trace.add("task"));
                }
            });

            watched.runOnce(0);

            // each round is one callback to the watchdog, so the loop is asked between every two
            assertEquals(List.of("pause 1", "pause 2", "pause 3", "task"), trace);
            assertEquals(3, watched.metrics().pauseRounds());
        } finally {
            watched.close();
        }
    }

    @Test
    void pausedPromisesResumeInTheOrderTheyPausedInEveryRound() {
        chain("a", 3);
        chain("b", 3);

        loop.runOnce(0);

        assertEquals(List.of("a1", "b1", "a2", "b2", "a3", "b3"), trace);
        assertEquals(3, loop.metrics().pauseRounds());
    }

    private Promise<Void> chain(String name, int steps) {
        return Promise.pause().flatMap(v -> {
            trace.add(name + (trace.stream().filter(t -> t.startsWith(name)).count() + 1));
            return steps == 1 ? Promise.of(null) : chain(name, steps - 1);
        });
    }

    @Test
    void runReturnsWithinTheCheckSpacingOnceItsPromiseResolvesInAPauseRound() {
        pauseForever(() -> {});
        Promise<Void> fivePauses = chain("c", 5);

        loop.run(fivePauses);

        // resolved in the 5th round, after the first round's check: seen at the next one
        assertTrue(pauses >= 5 && pauses <= 5 + Loop.WOKEN_PER_CLOCK_READ, "pauses: " + pauses);
        assertEquals(pauses, loop.metrics().pauseRounds());
        assertEquals(1, loop.metrics().iterations());
    }

    @Test
    void aBoundOfOneRoundIsLwtsOnePausePerPoll() {
        Loop lwt = Loop.builder().engine(new ScriptedEngine()).clock(clock).maxPauseRounds(1).build();
        try {
            pauseForever(() -> {});

            lwt.runOnce(0);
            lwt.runOnce(0);

            assertEquals(2, pauses);
            assertEquals(2, lwt.metrics().pauseRounds());
        } finally {
            lwt.close();
        }
    }

    @Test
    void aBoundBelowOneRoundIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Loop.builder().maxPauseRounds(0));
    }

    @Test
    void aRoundThatPausesNothingEndsStepOne() {
        Promise.pause().onSuccess(v -> trace.add("once"));

        loop.runOnce(0);

        assertEquals(List.of("once"), trace);
        assertEquals(1, loop.metrics().pauseRounds());
    }
}
