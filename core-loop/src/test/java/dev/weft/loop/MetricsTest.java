package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** LoopMetrics counts what the loop did and is readable from other threads. */
class MetricsTest {

    @Test
    void metricsCountIterationsCallbacksAndTimers() {
        try (Loop loop = Loop.builder().virtualTime().build()) {
            loop.execute(() -> {});
            loop.execute(() -> {});
            Promise.pause();
            Promise<Void> sleep = loop.sleep(Duration.ofSeconds(1));
            loop.sleep(Duration.ofSeconds(2));

            loop.run(sleep);

            LoopMetrics metrics = loop.metrics();
            assertEquals(2, metrics.iterations()); // iteration 1 blocks to t=1s, iteration 2 fires the timer
            assertEquals(4, metrics.callbacksRun()); // a paused promise, two tasks, one timer
            assertEquals(1, metrics.timersPending());
        }
    }

    @Test
    void tasksTheShutdownRunsAreCountedAsCallbacksAndRefusedSubmissionsAreNot() {
        Loop loop = Loop.create();
        loop.execute(() -> {});
        loop.execute(() -> {});
        loop.submit(() -> Promise.unit()); // still queued at the shutdown: refused, not run

        loop.close(); // the loop never iterated: the shutdown runs the two tasks

        assertEquals(2, loop.metrics().callbacksRun());
    }

    @Test
    void inboxDepthCountsTasksNotYetTaken() {
        try (Loop loop = Loop.create()) {
            for (int i = 0; i < 3; i++) {
                loop.execute(() -> {});
            }

            assertEquals(3, loop.metrics().inboxDepth());
            loop.runOnce(0);
            assertEquals(0, loop.metrics().inboxDepth());
        }
    }

    @Test
    void blockedTimeCountsTheWaitAndBusyTimeTheCallbacks() {
        try (Loop loop = Loop.create()) {
            loop.execute(() -> spin(20_000_000L));
            loop.runOnce(0);
            loop.sleep(Duration.ofMillis(20));

            loop.runOnce(-1);

            assertTrue(loop.metrics().nanosBusy() >= 20_000_000L, loop.metrics().toString());
            assertTrue(loop.metrics().nanosBlocked() >= 15_000_000L, loop.metrics().toString());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anotherThreadSeesTheCountersOfARunningLoopMove() throws Exception {
        Loop loop = Loop.create();
        loop.start();
        loop.submit(() -> loop.sleep(Duration.ofMillis(1))).get(10, TimeUnit.SECONDS);
        loop.submit(() -> Promise.unit()).get(10, TimeUnit.SECONDS);

        // Opaque counters are eventually visible: spin until they show the work done above.
        while (loop.metrics().callbacksRun() < 3 || loop.metrics().iterations() < 2) {
            Thread.onSpinWait();
        }
        loop.close();

        assertEquals(0, loop.metrics().timersPending());
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
