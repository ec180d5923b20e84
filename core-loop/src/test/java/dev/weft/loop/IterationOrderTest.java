package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The order of one iteration and of the hooks around it (see Loop's implementation notes). */
class IterationOrderTest {

    private final ScriptedEngine engine = new ScriptedEngine();
    private final Loop loop = Loop.builder().engine(engine).build();
    private final List<String> trace = new ArrayList<>();

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void oneIterationRunsPausedThenInboxThenTimersThenReadiness() {
        loop.register(7, Engine.READABLE, events -> trace.add("ready"));
        loop.sleep(Duration.ZERO).onSuccess(v -> trace.add("timer"));
        loop.execute(() -> trace.add("inbox"));
        Promise.pause().onSuccess(v -> trace.add("paused"));
        engine.makeReady(7, Engine.READABLE);

        loop.runOnce(0);

        assertEquals(List.of("paused", "inbox", "timer", "ready"), trace);
    }

    @Test
    void whatAStepPausesRunsFirstInTheNextIteration() {
        loop.execute(() -> Promise.pause().onSuccess(v -> trace.add("paused by inbox")));
        loop.runOnce(0);
        loop.execute(() -> trace.add("inbox of iteration 2"));

        loop.runOnce(0);

        assertEquals(List.of("paused by inbox", "inbox of iteration 2"), trace);
    }

    @Test
    void pausedCallbacksResumeInTheOrderTheyPaused() {
        for (int i = 0; i < 5; i++) {
            int n = i;
            Promise.pause().onSuccess(v -> trace.add("p" + n));
        }

        loop.runOnce(0);

        assertEquals(List.of("p0", "p1", "p2", "p3", "p4"), trace);
    }

    @Test
    void aTimerScheduledByATimerForNowFiresInTheNextIteration() {
        loop.sleep(Duration.ZERO).onSuccess(v -> {
            trace.add("first");
            loop.sleep(Duration.ZERO).onSuccess(w -> trace.add("second"));
        });

        loop.runOnce(0);
        trace.add("end of iteration 1");
        loop.runOnce(0);

        assertEquals(List.of("first", "end of iteration 1", "second"), trace);
    }

    @Test
    void enterAndLeaveHooksSurroundEveryIterationInTheOrderAdded() {
        loop.onEnterIteration(() -> trace.add("enter A"));
        loop.onEnterIteration(() -> trace.add("enter B"));
        loop.onLeaveIteration(() -> trace.add("leave A"));
        loop.onLeaveIteration(() -> trace.add("leave B"));
        loop.execute(() -> trace.add("work"));

        loop.runOnce(0);
        loop.runOnce(0);

        assertEquals(List.of("enter A", "enter B", "work", "leave A", "leave B",
                "enter A", "enter B", "leave A", "leave B"), trace);
    }

    @Test
    void exitHooksRunOnceAtCloseLastAddedFirst() {
        loop.onExit(() -> trace.add("exit A"));
        loop.onExit(() -> trace.add("exit B"));
        loop.runOnce(0);

        loop.close();
        loop.close();

        assertEquals(List.of("exit B", "exit A"), trace);
    }

    @Test
    void aRemovedHookNoLongerRuns() {
        Runnable remove = loop.onEnterIteration(() -> trace.add("enter"));
        loop.runOnce(0);

        remove.run();
        loop.runOnce(0);

        assertEquals(List.of("enter"), trace);
    }

    @Test
    void readinessCallbacksRunAfterTheBlockEnds() {
        loop.register(3, Engine.READABLE, events -> trace.add("ready " + events));
        loop.onLeaveIteration(() -> trace.add("leave"));
        engine.makeReady(3, Engine.READABLE | Engine.ERROR);

        int work = loop.runOnce(-1);

        assertEquals(List.of("ready 5", "leave"), trace);
        assertEquals(1, work);
    }
}
