package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many sleeps armed, cancelled and re-armed from callbacks, the way a flow's write timeout is
 * (one sleep per flow; progress cancels and re-arms it; a firing that finds the deadline moved
 * re-arms from its own callback): on a virtual-time loop with a seeded shuffle of due timers,
 * across ticks and wheel cascades, every sleep not cancelled fulfils once, never before its
 * deadline nor after it was cancelled, and every flow whose output is stuck is timed out.
 */
// A lost timer leaves the virtual-time loop waiting for ever: fail it instead (its thread never wakes).
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RearmedSleepsTest {
    private static final int FLOWS = 200;
    private static final long MS = 1_000_000L;

    static LongStream seeds() {
        return LongStream.range(0, 20);
    }

    /** One flow's write timeout, as SocketFlow keeps it: a deadline moved by progress, one sleep at a time. */
    private static final class Flow {
        final Loop loop;
        final long timeoutNanos;
        long lastProgress;
        Promise<Void> timer;
        boolean queued;
        boolean timedOut;
        int firings;

        Flow(Loop loop, long timeoutNanos) {
            this.loop = loop;
            this.timeoutNanos = timeoutNanos;
        }

        void enqueue() {
            queued = true;
            if (timer == null) {
                lastProgress = loop.clock().nanoTime();
                arm(lastProgress + timeoutNanos);
            }
        }

        void progress() {
            lastProgress = loop.clock().nanoTime();
        }

        void drained() {
            queued = false;
            if (timer != null) {
                Promise<Void> stopped = timer;
                timer = null;
                stopped.cancel();
            }
        }

        void arm(long deadline) {
            Promise<Void> armed = loop.at(deadline);
            timer = armed;
            armed.onSuccess(v -> fired(armed, deadline));
        }

        void fired(Promise<Void> sleep, long deadline) {
            firings++;
            long now = loop.clock().nanoTime();
            assertTrue(now >= deadline, "a sleep fired " + (deadline - now) + " ns early");
            assertSame(timer, sleep, "a sleep fired after it was cancelled");
            timer = null;
            if (!queued || timedOut) {
                return;
            }
            long due = lastProgress + timeoutNanos;
            if (now < due) {
                arm(due);
                return;
            }
            timedOut = true;
            drained();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyStuckFlowIsTimedOutAndNoSleepFiresEarlyOrAfterItsCancel(long seed) {
        Random random = new Random(seed);
        try (Loop loop = Loop.builder().virtualTime().shuffle(seed).build()) {
            List<Flow> flows = new ArrayList<>();
            for (int i = 0; i < FLOWS; i++) {
                // from sub-tick to long enough for the wheel's higher levels
                long timeout = switch (i % 4) {
                    case 0 -> 1 + random.nextInt((int) MS);
                    case 1 -> random.nextLong(1, 100 * MS);
                    case 2 -> random.nextLong(1, 5_000 * MS);
                    default -> random.nextLong(1, 300_000 * MS);
                };
                flows.add(new Flow(loop, timeout));
            }
            // Traffic for a virtual minute: each step wakes after a random gap and pokes flows.
            loop.run(traffic(loop, flows, random, 2_000));
            // Then every flow with output queued stops making progress: each must time out.
            for (Flow flow : flows) {
                flow.enqueue();
            }
            loop.run(loop.sleep(Duration.ofMinutes(10)));

            for (Flow flow : flows) {
                assertTrue(flow.timedOut, "a flow whose output was stuck for 10 minutes was not timed out ("
                        + flow.timeoutNanos + " ns timeout, " + flow.firings + " firings)");
            }
            assertEquals(0, loop.pendingTimers(), "sleeps left on the wheel");
        }
    }

    private static Promise<Void> traffic(Loop loop, List<Flow> flows, Random random, int steps) {
        if (steps == 0) {
            return Promise.unit();
        }
        long gap = random.nextInt(4) == 0 ? random.nextLong(200 * MS) : random.nextLong(2 * MS);
        return loop.sleep(Duration.ofNanos(gap)).flatMap(v -> {
            for (int i = random.nextInt(20); i > 0; i--) {
                Flow flow = flows.get(random.nextInt(flows.size()));
                if (flow.timedOut) {
                    continue;
                }
                switch (random.nextInt(3)) {
                    case 0 -> flow.enqueue();
                    case 1 -> flow.progress();
                    default -> flow.drained();
                }
            }
            return traffic(loop, flows, random, steps - 1);
        });
    }
}
