package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Four producers submit ten million tasks in rounds; before each round the loop is blocked in the
 * engine without a timeout, so a lost wakeup would hang the round (and fail on the timeout).
 */
class CrossThreadStressTest {

    private static final int PRODUCERS = 4;
    private static final int ROUNDS = 100;
    private static final int BURST = 25_000;
    private static final long TOTAL = (long) PRODUCERS * ROUNDS * BURST;

    // Written only by the loop thread; read by the test after close() joined that thread.
    private final long[] nextExpected = new long[PRODUCERS];
    private long ran;
    private long outOfOrder;
    private long offThread;

    /** One task: producer p's seq-th; the last of a burst counts the round down. */
    private final class Step implements Runnable {
        private final Loop loop;
        private final int producer;
        private final long seq;
        private final CountDownLatch roundDone;

        Step(Loop loop, int producer, long seq, CountDownLatch roundDone) {
            this.loop = loop;
            this.producer = producer;
            this.seq = seq;
            this.roundDone = roundDone;
        }

        @Override
        public void run() {
            if (!loop.inLoopThread()) {
                offThread++;
            }
            if (nextExpected[producer] != seq) {
                outOfOrder++;
            }
            nextExpected[producer] = seq + 1;
            ran++;
            if (roundDone != null) {
                roundDone.countDown();
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fourProducersTenMillionTasksEachRunOnceOnTheLoopInOrderWithNoLostWakeup() throws Exception {
        CountingEngine engine = new CountingEngine();
        Loop loop = Loop.builder().name("stress").engine(engine).build();
        loop.start("stress-loop", true);
        CyclicBarrier roundStart = new CyclicBarrier(PRODUCERS + 1);
        AtomicReference<CountDownLatch> roundDone = new AtomicReference<>();
        Thread[] producers = new Thread[PRODUCERS];
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            producers[p] = new Thread(() -> produce(loop, producer, roundStart, roundDone), "producer-" + p);
            producers[p].start();
        }

        for (int round = 0; round < ROUNDS; round++) {
            engine.awaitBlocked();
            roundDone.set(new CountDownLatch(PRODUCERS));
            roundStart.await();
            roundDone.get().await();
        }
        for (Thread producer : producers) {
            producer.join();
        }
        loop.close();

        assertEquals(TOTAL, ran);
        assertEquals(0, outOfOrder);
        assertEquals(0, offThread);
        for (int p = 0; p < PRODUCERS; p++) {
            assertEquals((long) ROUNDS * BURST, nextExpected[p]);
        }
        assertTrue(engine.blockingPolls.get() >= ROUNDS, "the loop blocked " + engine.blockingPolls + " times");
        // At most one wakeup each time the loop got ready to block, however many tasks came meanwhile.
        assertEquals(engine.wakeups.get(), loop.metrics().wakeups());
        assertTrue(engine.wakeups.get() <= loop.blockAttempts(),
                engine.wakeups + " wakeups for " + loop.blockAttempts() + " block attempts");
    }

    private void produce(Loop loop, int producer, CyclicBarrier roundStart, AtomicReference<CountDownLatch> roundDone) {
        try {
            long seq = 0;
            for (int round = 0; round < ROUNDS; round++) {
                roundStart.await();
                CountDownLatch done = roundDone.get();
                for (int i = 0; i < BURST; i++) {
                    loop.execute(new Step(loop, producer, seq++, i == BURST - 1 ? done : null));
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
