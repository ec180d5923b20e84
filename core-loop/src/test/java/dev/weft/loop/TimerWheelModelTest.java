package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wheel against an obviously correct model, a priority queue ordered by (deadline, id),
 * under random schedule, cancel and advance sequences with fixed seeds.
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
