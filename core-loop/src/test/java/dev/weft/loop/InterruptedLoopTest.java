package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An interrupt of the loop thread wakes the loop once and is kept for whoever drives it; it never
 * makes the loop spin. How many iterations a 30 ms sleep on the loop's own timer takes tells a
 * blocked loop (a handful: the interrupt's, the timer's) from a spinning one (thousands).
 */
@Timeout(60)
class InterruptedLoopTest {

    /** Far above what a loop that blocks runs in one timed wait, far below what a spin runs in 30 ms. */
    private static final long FEW_ITERATIONS = 20;
    private static final Duration WAIT = Duration.ofMillis(30);

    private final Loop loop = Loop.builder().name("interrupted").build();

    @AfterEach
    void close() {
        Thread.interrupted(); // leave the test thread as it was
        loop.close();
    }

    @Test
    void aCallbackThatInterruptsTheLoopThreadDoesNotMakeTheLoopSpin() throws Exception {
        loop.start("interrupted-loop", true);

        long iterations = loop.submit(() -> {
            Thread.currentThread().interrupt();
            long before = loop.metrics().iterations();
            return loop.sleep(WAIT).map(v -> loop.metrics().iterations() - before);
        }).get(60, TimeUnit.SECONDS);

        assertTrue(iterations <= FEW_ITERATIONS, "the loop spun: " + iterations + " iterations in " + WAIT);
    }

    @Test
    void runOnAnInterruptedThreadBlocksAndGivesTheInterruptBackWhenItReturns() {
        Thread.currentThread().interrupt();
        long before = loop.metrics().iterations();

        loop.run(loop.sleep(WAIT));

        long iterations = loop.metrics().iterations() - before;
        assertTrue(iterations <= FEW_ITERATIONS, "the loop spun: " + iterations + " iterations in " + WAIT);
        assertTrue(Thread.interrupted(), "run swallowed the caller's interrupt");
    }

    @Test
    void runOnceOnAnInterruptedThreadReturnsAtOnceAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();

        int ran = loop.runOnce(-1); // would wait for ever for a wakeup if it took the interrupt for nothing

        assertEquals(0, ran);
        assertTrue(Thread.interrupted(), "runOnce swallowed the host's interrupt (AgentRunner stops on it)");
    }
}
