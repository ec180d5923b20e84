package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Timers and timer-based promises; every test runs on the pure and the virtual-time engine. */
class TimersTest {

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aSleepNeverResolvesBeforeItsDuration(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            long start = loop.clock().nanoTime();
            long[] woke = new long[1];

            loop.run(loop.sleep(Duration.ofMillis(20)).map(v -> woke[0] = loop.clock().nanoTime()));

            assertTrue(woke[0] - start >= 20_000_000L, "woke after " + (woke[0] - start) + " ns");
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void timersResolveInDeadlineOrder(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            List<Integer> order = new ArrayList<>();
            List<Promise<Void>> sleeps = new ArrayList<>();
            // One clock reading for all deadlines: sleeps made one after another would each start
            // from their own "now", and a descheduled test thread could then reorder them.
            long base = loop.clock().nanoTime();
            for (int ms : new int[] {30, 10, 20, 10}) {
                sleeps.add(loop.at(base + Duration.ofMillis(ms).toNanos()).map(v -> {
                    order.add(ms);
                    return null;
                }));
            }

            loop.run(Promise.join(sleeps));

            assertEquals(List.of(10, 10, 20, 30), order);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void timeoutRejectsWithTimeout(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            Timeout thrown = assertThrows(Timeout.class, () -> loop.run(loop.<String>timeout(Duration.ofMillis(5))));

            assertTrue(thrown.getMessage().contains("5 ms"), thrown.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void withTimeoutCancelsThePromiseWhenTimeRunsOut(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            Promise<Void> slow = loop.sleep(Duration.ofHours(1));

            assertThrows(Timeout.class, () -> loop.run(loop.withTimeout(Duration.ofMillis(5), slow)));

            assertTrue(slow.isCancelled());
            assertEquals(0, loop.metrics().timersPending());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void withTimeoutRemovesItsTimerWhenThePromiseWins(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            Promise<String> fast = loop.sleep(Duration.ofMillis(1)).map(v -> "fast");

            assertEquals("fast", loop.run(loop.withTimeout(Duration.ofHours(1), fast)));

            assertEquals(0, loop.metrics().timersPending());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aPickWithATimeoutTakesWhicheverComesFirst(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            // the earlier deadline made first: on a loaded machine more than 20 ms may pass between
            // the two calls, which put the 10 ms deadline after the 30 ms one when made second
            Promise<String> giveUp = loop.sleep(Duration.ofMillis(10)).map(v -> "gave up");
            Promise<String> answer = loop.sleep(Duration.ofMillis(30)).map(v -> "answer");

            assertEquals("gave up", loop.run(Promise.pick(List.of(answer, giveUp))));

            assertTrue(answer.isCancelled());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void atResolvesAtItsDeadline(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            long deadline = loop.clock().nanoTime() + 15_000_000L;

            loop.run(loop.at(deadline));

            assertTrue(loop.clock().nanoTime() >= deadline);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void cancellingASleepRemovesItsTimerAtOnce(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            Promise<Void> sleep = loop.sleep(Duration.ofHours(1));
            assertEquals(1, loop.metrics().timersPending());

            sleep.cancel();

            assertTrue(sleep.isCancelled());
            assertEquals(0, loop.metrics().timersPending());
            assertEquals(0, loop.pendingTimers());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void cancellingABindChainReachesTheSleepItWaitsOn(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            Promise<Void> sleep = loop.sleep(Duration.ofHours(1));
            Promise<String> chain = sleep.map(v -> "never").flatMap(s -> Promise.of(s + "!"));

            chain.cancel();

            assertTrue(sleep.isCancelled());
            assertInstanceOf(dev.weft.promise.Cancelled.class, chain.failure());
            assertEquals(0, loop.metrics().timersPending());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void pauseYieldsToTheNextIteration(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            List<String> trace = new ArrayList<>();
            Promise<Void> a = Promise.pause().map(v -> {
                trace.add("a1");
                return null;
            }).flatMap(v -> Promise.pause()).map(v -> {
                trace.add("a2");
                return null;
            });
            Promise<Void> b = Promise.pause().map(v -> {
                trace.add("b1");
                return null;
            }).flatMap(v -> Promise.pause()).map(v -> {
                trace.add("b2");
                return null;
            });

            loop.run(Promise.join(List.of(a, b)));

            assertEquals(List.of("a1", "b1", "a2", "b2"), trace);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aPipelineOfBindsOverSleepsProducesItsValue(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            Promise<Integer> pipeline = Promise.of(1)
                    .flatMap(x -> loop.sleep(Duration.ofMillis(2)).map(v -> x + 1))
                    .flatMap(x -> loop.sleep(Duration.ofMillis(2)).map(v -> x * 10));

            assertEquals(20, loop.run(pipeline));
            assertFalse(pipeline.isPending());
        }
    }
}
