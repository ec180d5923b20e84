package dev.weft.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cross-thread wakeups of a loop on each io-unix engine: every task handed over runs, none waits
 * for a wakeup that never comes, and a consumed wakeup does not wake the loop again.
 */
class LoopWakeupTest {

    private static final int PRODUCERS = 4;
    private static final int TASKS_PER_PRODUCER = 20_000;
    /** Tasks a producer hands over before it waits for the loop to catch up. */
    private static final int CHUNK = 500;
    /** An idle stretch the loop spends blocked in one poll, unless a wakeup keeps being reported. */
    private static final Duration IDLE = Duration.ofMillis(50);
    /**
     * Iterations allowed in {@link #IDLE}: the one that blocks until the timer, the one that fires
     * it, and one spurious return for a wakeup written while the loop was awake. A wakeup reported
     * again and again would make thousands.
     */
    private static final long MAX_IDLE_ITERATIONS = 4;
    private static final int RACE_ROUNDS = 20_000;
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(10);

    @EngineTest
    void executesFromFourThreadsAllRunAndTheLoopThenBlocksWithoutSpinning(EngineKind kind) throws Exception {
        try (Loop loop = Loop.builder().name("wakeup-burst").engine(Engines.open(kind)).build()) {
            loop.start("wakeup-burst", true);
            int[] ran = {0}; // loop thread only
            // Between chunks the producers wait together until the loop has run everything so far;
            // it then runs dry and blocks, so each chunk starts by waking it (wakeups, not only a
            // full queue).
            CyclicBarrier caughtUp = new CyclicBarrier(PRODUCERS, () -> loop.submit(() -> Promise.of(true)).join());
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                producers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 1; i <= TASKS_PER_PRODUCER; i++) {
                        loop.execute(() -> ran[0]++);
                        if (i % CHUNK == 0) {
                            await(caughtUp);
                        }
                    }
                }));
            }
            for (Thread producer : producers) {
                producer.join();
            }

            // Offered after every task above, so it runs after them (the inbox is FIFO).
            long[] ranAndIdleIterations = loop.submit(() -> {
                long before = loop.metrics().iterations();
                return loop.sleep(IDLE).map(v -> new long[] {ran[0], loop.metrics().iterations() - before});
            }).get(10, TimeUnit.SECONDS);

            assertEquals(PRODUCERS * TASKS_PER_PRODUCER, ranAndIdleIterations[0]);
            assertTrue(loop.metrics().wakeups() > 0, "the loop never slept: no wakeup was tested");
            assertTrue(ranAndIdleIterations[1] <= MAX_IDLE_ITERATIONS,
                    ranAndIdleIterations[1] + " iterations in " + IDLE.toMillis() + " ms idle: the loop spins");
        }
    }

    @EngineTest
    void anExecuteRacingTheLoopGoingToSleepIsNeverLost(EngineKind kind) {
        try (Loop loop = Loop.builder().name("wakeup-race").engine(Engines.open(kind)).build()) {
            loop.start("wakeup-race", true);
            AtomicInteger ran = new AtomicInteger();
            for (int round = 1; round <= RACE_ROUNDS; round++) {
                // The last task ran just now, so the loop is on its way to block: the execute lands
                // somewhere between its last callback and its epoll_wait, a little later each round.
                for (int spin = round % 128; spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                loop.execute(ran::incrementAndGet);
                awaitRun(ran, round);
            }
            assertTrue(loop.metrics().wakeups() > 0, "the loop never slept: no race was tested");
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            throw new AssertionError("the producers did not meet: the loop did not run a chunk", e);
        }
    }

    /** Spins until the round's task ran; a lost wakeup leaves the loop blocked with no timer, so it fails here. */
    private static void awaitRun(AtomicInteger ran, int round) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (ran.get() < round) {
            if (System.nanoTime() - deadline > 0) {
                fail("round " + round + ": the task did not run within 10 s: a lost wakeup");
            }
            Thread.onSpinWait();
        }
    }
}
