package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wheel against an obviously correct model, a priority queue ordered by (deadline, id),
 * under random schedule, cancel and advance sequences with fixed seeds; and the wheel's contract
 * when the handlers themselves schedule and cancel, as the loop's do (a write timeout re-arms from
 * its handler, a fired callback cancels other sleeps).
 */
class TimerWheelModelTest {

    private record Entry(long deadline, long id) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry other) {
            int byDeadline = Long.compare(deadline, other.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(id, other.id);
        }
    }

    static Stream<Arguments> seedsAndTicks() {
        return Stream.of(1L, 1_000L, 1_000_000L, 3_000_001L)
                .flatMap(tick -> Stream.of(11L, 12L, 13L, 14L, 15L).map(seed -> Arguments.of(seed, tick)));
    }

    @ParameterizedTest(name = "seed {0}, tick {1} ns")
    @MethodSource("seedsAndTicks")
    void firesExactlyWhatAPriorityQueueModelFires(long seed, long tickNanos) {
        Random random = new Random(seed);
        long now = random.nextLong(-1_000_000_000L, 1_000_000_000L);
        TimerWheel<Void> wheel = new TimerWheel<>(now, tickNanos);
        PriorityQueue<Entry> model = new PriorityQueue<>();
        Map<Long, Timer<Void>> handles = new HashMap<>();
        List<Long> fired = new ArrayList<>();

        for (int step = 0; step < 5_000; step++) {
            int action = random.nextInt(10);
            if (action < 5) {
                Timer<Void> timer = wheel.schedule(now + delay(random), null);
                handles.put(timer.id(), timer);
                model.add(new Entry(timer.deadlineNanos(), timer.id()));
            } else if (action < 7 && !model.isEmpty()) {
                Entry victim = model.stream().skip(random.nextInt(model.size())).findFirst().orElseThrow();
                model.remove(victim);
                assertTrue(wheel.cancel(handles.remove(victim.id())));
            } else {
                now += delay(random) / 2;
                fired.clear();
                wheel.expire(now, t -> fired.add(t.id()));
                assertEquals(dueIds(model, now, handles), fired, "step " + step);
            }
            assertEquals(model.size(), wheel.size(), "step " + step);
            long earliest = model.isEmpty() ? TimerWheel.NO_DEADLINE : model.peek().deadline();
            assertTrue(wheel.nextDeadline() <= earliest, "step " + step);
        }
    }

    /**
     * Handlers that schedule (due at once, soon, or far enough to be cascaded) and cancel (timers
     * due in the same call, and later ones) while expire runs: every timer fires exactly once
     * unless cancelled, never before its deadline, never in the call that scheduled it if it was
     * due already, in firing order within a call; after each call nothing due is left but what
     * that call's handlers scheduled; nextDeadline is never later than the earliest pending.
     */
    @ParameterizedTest(name = "seed {0}, tick {1} ns")
    @MethodSource("seedsAndTicks")
    void everyTimerFiresOnceAtOrAfterItsDeadlineWhileHandlersScheduleAndCancel(long seed, long tickNanos) {
        Random random = new Random(seed);
        long[] now = {random.nextLong(-1_000_000_000L, 1_000_000_000L)};
        TimerWheel<Void> wheel = new TimerWheel<>(now[0], tickNanos);
        Map<Long, Timer<Void>> pending = new HashMap<>();
        Set<Long> firedIds = new HashSet<>();
        Set<Long> scheduledInThisCall = new HashSet<>();
        List<Timer<Void>> firedInThisCall = new ArrayList<>();
        int[] cancelled = {0};
        int[] scheduled = {0};
        TimerWheel.ExpiryHandler<Void> handler = timer -> {
            assertTrue(timer.deadlineNanos() <= now[0], () -> timer + " fired early at " + now[0]);
            assertTrue(firedIds.add(timer.id()), () -> timer + " fired twice");
            assertTrue(pending.remove(timer.id()) != null, () -> timer + " fired but was not pending");
            assertTrue(!scheduledInThisCall.contains(timer.id()), () -> timer + " fired in the call that scheduled it");
            firedInThisCall.add(timer);
            for (int i = random.nextInt(3); i > 0; i--) {
                Timer<Void> child = wheel.schedule(now[0] + childDelay(random), null);
                pending.put(child.id(), child);
                scheduledInThisCall.add(child.id());
                scheduled[0]++;
            }
            if (random.nextInt(3) == 0 && !pending.isEmpty()) {
                Timer<Void> victim = pending.values().stream().skip(random.nextInt(pending.size())).findFirst().orElseThrow();
                pending.remove(victim.id());
                assertTrue(wheel.cancel(victim), () -> victim + " was pending but cancel said it was not");
                cancelled[0]++;
            }
        };
        for (int step = 0; step < 5_000; step++) {
            if (random.nextInt(3) > 0) {
                Timer<Void> timer = wheel.schedule(now[0] + delay(random), null);
                pending.put(timer.id(), timer);
                scheduled[0]++;
            } else {
                now[0] += delay(random) / 2;
                scheduledInThisCall.clear();
                firedInThisCall.clear();
                wheel.expire(now[0], handler);
                for (int i = 1; i < firedInThisCall.size(); i++) {
                    assertTrue(firedInThisCall.get(i - 1).firesBefore(firedInThisCall.get(i)), "step " + step + ": out of order");
                }
                for (Timer<Void> left : pending.values()) {
                    assertTrue(left.deadlineNanos() > now[0] || scheduledInThisCall.contains(left.id()),
                            () -> left + " was due at " + now[0] + " and not fired");
                }
            }
            assertEquals(pending.size(), wheel.size(), "step " + step);
            long earliest = pending.values().stream().mapToLong(Timer::deadlineNanos).min().orElse(TimerWheel.NO_DEADLINE);
            assertTrue(wheel.nextDeadline() <= earliest, "step " + step);
        }
        for (int round = 0; round < 100 && !pending.isEmpty(); round++) {
            now[0] += 200_000_000_000L; // past every delay; handlers keep scheduling, so a few rounds
            scheduledInThisCall.clear();
            wheel.expire(now[0], handler);
        }
        // the last rounds' children may still be pending: fire them without new ones
        now[0] += 200_000_000_000L;
        wheel.expire(now[0], timer -> {
            assertTrue(firedIds.add(timer.id()), () -> timer + " fired twice");
            pending.remove(timer.id());
        });
        assertEquals(0, pending.size(), "timers never fired: " + pending.values());
        assertEquals(scheduled[0] - cancelled[0], firedIds.size());
        assertEquals(0, wheel.size());
    }

    /** A child's delay: due at once (or already), within a tick or two, or far enough to cascade. */
    private static long childDelay(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> -random.nextInt(2_000);
            case 1 -> 0;
            case 2 -> random.nextLong(3_000_000L);
            default -> random.nextLong(5_000_000_000L);
        };
    }

    private static List<Long> dueIds(PriorityQueue<Entry> model, long now, Map<Long, Timer<Void>> handles) {
        List<Long> due = new ArrayList<>();
        while (!model.isEmpty() && model.peek().deadline() <= now) {
            long id = model.poll().id();
            handles.remove(id);
            due.add(id);
        }
        return due;
    }

    /** Sub-tick, around a tick, or long enough to reach the higher levels. */
    private static long delay(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> random.nextInt(2_000);
            case 1 -> random.nextLong(10_000_000L);
            case 2 -> random.nextLong(2_000_000_000L);
            case 3 -> random.nextLong(100_000_000_000L);
            default -> 0;
        };
    }
}
