package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine of loops without I/O: its poll waits for the timeout or a wakeup, whichever is first. */
@Timeout(60)
class PureEngineTest {

    /** Waits until {@code thread} parks or ends, and returns which. */
    private static Thread.State parkedOrEnded(Thread thread) {
        while (true) {
            Thread.State state = thread.getState();
            if (state == Thread.State.TIMED_WAITING || state == Thread.State.WAITING
                    || state == Thread.State.TERMINATED) {
                return state;
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void aPollWithTheLongestTimeoutWaitsForTheWakeupInsteadOfReturningAtOnce() throws Exception {
        PureEngine engine = new PureEngine();
        AtomicInteger ready = new AtomicInteger(-1);
        // what a loop asks when its one timer is due at Long.MAX_VALUE and its clock was read 1 µs ago
        Thread poller = Thread.ofPlatform().start(() -> ready.set(engine.poll(Long.MAX_VALUE - System.nanoTime() + 1_000)));

        Thread.State state = parkedOrEnded(poller);
        engine.wakeup();
        poller.join();

        assertEquals(Thread.State.TIMED_WAITING, state, "the poll returned without waiting");
        assertTrue(ready.get() == 0);
    }
}
