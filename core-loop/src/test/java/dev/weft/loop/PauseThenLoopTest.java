package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Promise.pauseThen under a loop: its tasks are paused work like paused promises (run by step 1's
 * pause rounds, keep the loop from blocking, count in the pause metrics) and a close drops them.
 */
class PauseThenLoopTest {

    private static final int SOURCE = 7;

    private final ManualClock clock = new ManualClock();
    private final ScriptedEngine engine = new ScriptedEngine();
    private final Loop loop = Loop.builder().engine(engine).clock(clock).build();

    @AfterEach
    void close() {
        loop.close();
    }

    /** A task that re-schedules itself for ever, counting its turns. */
    private static final class Forever implements Runnable {
        int turns;

        @Override
        public void run() {
            turns++;
            Promise.pauseThen(this);
        }
    }

    @Test
    void aTaskThatReschedulesItselfRunsTheBoundOfPauseRoundsPerPoll() {
        List<Integer> turnsBeforeEachDispatch = new ArrayList<>();
        Forever forever = new Forever();
        loop.register(SOURCE, Engine.READABLE, events -> {
            turnsBeforeEachDispatch.add(forever.turns);
            engine.makeReady(SOURCE, Engine.READABLE); // level-triggered: still ready next poll
        });
        engine.makeReady(SOURCE, Engine.READABLE);
        loop.execute(() -> Promise.pauseThen(forever));

        for (int i = 0; i < 3; i++) {
            loop.runOnce(0);
        }

        int bound = Loop.DEFAULT_MAX_PAUSE_ROUNDS;
        // the first iteration's inbox task parks it after step 1, so its rounds start one iteration later
        assertEquals(List.of(0, bound, 2 * bound), turnsBeforeEachDispatch);
        assertEquals(2L * bound, loop.metrics().pauseRounds()); // the first iteration had nothing paused
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS) // a loop that blocked behind the task would wait an hour
    void aPendingTaskKeepsTheLoopFromBlocking() {
        Forever forever = new Forever();
        loop.execute(() -> Promise.pauseThen(forever));
        loop.runOnce(0);

        loop.runOnce(TimeUnit.HOURS.toNanos(1));

        assertEquals(Loop.DEFAULT_MAX_PAUSE_ROUNDS, forever.turns);
    }

    @Test
    void tasksAndPausedPromisesResumeInOneOrder() {
        List<String> order = new ArrayList<>();
        loop.execute(() -> {
            Promise.pause().onSuccess(v -> order.add("promise"));
            Promise.pauseThen(() -> order.add("task"));
            Promise.pause().onSuccess(v -> order.add("promise again"));
        });
        loop.runOnce(0);
        loop.runOnce(0);

        assertEquals(List.of("promise", "task", "promise again"), order);
    }

    @Test
    void aCloseDropsAPendingTaskWithoutRunningIt() {
        List<String> ran = new ArrayList<>();
        List<Promise<Void>> paused = new ArrayList<>();
        loop.execute(() -> {
            paused.add(Promise.pause());
            Promise.pauseThen(() -> ran.add("task"));
        });
        loop.runOnce(0); // step 2 parks both; they would resume in the next iteration's step 1

        loop.close();

        assertEquals(List.of(), ran);
        assertTrue(paused.getFirst().failure() instanceof LoopClosed, "the paused promise is rejected");
        assertEquals(0, LoopHooks.pausedCount());
    }
}
