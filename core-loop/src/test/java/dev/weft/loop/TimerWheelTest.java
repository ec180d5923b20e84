package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimerWheelTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    private static final long HOUR = 3_600 * SECOND;

    private final ManualClock clock = new ManualClock();
    private final TimerWheel<String> wheel = new TimerWheel<>(clock.nanoTime());
    private final List<Timer<String>> fired = new ArrayList<>();
    private final TimerWheel.ExpiryHandler<String> record = fired::add;

    private int expireAt(long nanos) {
        clock.advanceTo(nanos);
        return wheel.expire(clock.nanoTime(), record);
    }

    private List<String> firedPayloads() {
        return fired.stream().map(Timer::payload).toList();
    }

    // ---- never early ------------------------------------------------------------------

    @ParameterizedTest(name = "tick {0} ns")
    @ValueSource(longs = {1L, 7L, 1_000L, MS, SECOND})
    void neverFiresEarlyUnderRandomDeadlinesAndClockSteps(long tickNanos) {
        Random random = new Random(20240601L);
        ManualClock time = new ManualClock(-5 * SECOND, Instant.EPOCH);
        TimerWheel<Void> timers = new TimerWheel<>(time.nanoTime(), tickNanos);
        long[] firedAt = new long[1];
        int[] firedCount = new int[1];
        TimerWheel.ExpiryHandler<Void> check = t -> {
            assertTrue(t.deadlineNanos() <= firedAt[0],
                    () -> t + " fired early at " + firedAt[0]);
            firedCount[0]++;
        };
        int scheduled = 0;
        for (int step = 0; step < 20_000; step++) {
            for (int i = random.nextInt(4); i > 0; i--) {
                timers.schedule(time.nanoTime() + randomDelay(random), null);
                scheduled++;
            }
            time.advanceBy(randomDelay(random) / 4);
            firedAt[0] = time.nanoTime();
            timers.expire(firedAt[0], check);
        }
        time.advanceBy(2 * HOUR); // past the longest delay
        firedAt[0] = time.nanoTime();
        timers.expire(firedAt[0], check);

        assertEquals(scheduled, firedCount[0]);
        assertEquals(0, timers.size());
    }

    /** Mostly sub-tick to a few ms, sometimes seconds or an hour: exercises every level. */
    private static long randomDelay(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(1_000);
            case 1 -> random.nextLong(5 * MS);
            case 2 -> random.nextLong(10 * SECOND);
            default -> random.nextInt(100) == 0 ? random.nextLong(HOUR) : random.nextLong(100 * MS);
        };
    }

    @Test
    void doesNotFireOneNanosecondBeforeItsDeadlineWithinTheSameTick() {
        wheel.schedule(10 * MS + 500_000, "half-tick");

        expireAt(10 * MS + 499_999);
        assertEquals(List.of(), firedPayloads());

        expireAt(10 * MS + 500_000);
        assertEquals(List.of("half-tick"), firedPayloads());
    }

    @Test
    void aDeadlineAlreadyPastFiresInTheNextExpire() {
        expireAt(5 * SECOND);

        wheel.schedule(1 * SECOND, "late");
        wheel.expire(clock.nanoTime(), record);

        assertEquals(List.of("late"), firedPayloads());
    }

    @Test
    void theLargestDeadlineNeitherWrapsNorFiresEarly() {
        TimerWheel<String> timers = new TimerWheel<>(-HOUR);
        timers.schedule(Long.MAX_VALUE, "never");

        timers.expire(Long.MAX_VALUE - 1, record);
        assertEquals(List.of(), firedPayloads());
        assertEquals(Long.MAX_VALUE, timers.nextDeadline());

        timers.expire(Long.MAX_VALUE, record);
        assertEquals(List.of("never"), firedPayloads());
    }

    // ---- order ------------------------------------------------------------------------

    @Test
    void firesInDeadlineOrderAcrossTicksAndWithinOne() {
        wheel.schedule(3 * SECOND, "d");
        wheel.schedule(2 * MS + 900_000, "c");
        wheel.schedule(2 * MS + 100_000, "b");
        wheel.schedule(HOUR, "e");
        wheel.schedule(1, "a");

        expireAt(2 * HOUR);

        assertEquals(List.of("a", "b", "c", "d", "e"), firedPayloads());
    }

    @Test
    void equalDeadlinesFireInSchedulingOrder() {
        wheel.schedule(5 * SECOND, "first");
        expireAt(4 * SECOND + 990 * MS); // first now sits at level 0, the next one arrives there later
        wheel.schedule(5 * SECOND, "second");
        wheel.schedule(5 * SECOND, "third");

        expireAt(6 * SECOND);

        assertEquals(List.of("first", "second", "third"), firedPayloads());
    }

    // ---- cancel -----------------------------------------------------------------------

    @Test
    void cancelRemovesTheTimerAtOnce() {
        Timer<String> sleep = wheel.schedule(SECOND, "sleep");
        wheel.schedule(2 * SECOND, "other");

        assertTrue(wheel.cancel(sleep));

        assertEquals(1, wheel.size());
        assertFalse(sleep.isPending());
        expireAt(HOUR);
        assertEquals(List.of("other"), firedPayloads());
    }

    @Test
    void cancellingTheOnlyTimerLeavesNoDeadline() {
        Timer<String> sleep = wheel.schedule(SECOND, "sleep");

        wheel.cancel(sleep);

        assertEquals(TimerWheel.NO_DEADLINE, wheel.nextDeadline());
        assertEquals(0, wheel.size());
    }

    @Test
    void cancelFromAHandlerStopsATimerDueInTheSameExpire() {
        List<Timer<String>> victims = new ArrayList<>();
        wheel.schedule(MS, "killer");
        victims.add(wheel.schedule(MS + 1, "victim"));
        wheel.schedule(MS + 2, "survivor");

        clock.advanceTo(2 * MS);
        wheel.expire(clock.nanoTime(), t -> {
            fired.add(t);
            if (t.payload().equals("killer")) {
                assertTrue(wheel.cancel(victims.getFirst()));
            }
        });

        assertEquals(List.of("killer", "survivor"), firedPayloads());
        assertEquals(0, wheel.size());
    }

    @Test
    void cancellingAFiredTimerReturnsFalse() {
        Timer<String> sleep = wheel.schedule(MS, "sleep");
        expireAt(MS);

        assertFalse(wheel.cancel(sleep));
        assertEquals(0, wheel.size());
    }

    @Test
    void cancellingATimerOfAnotherWheelIsRejected() {
        Timer<String> foreign = new TimerWheel<String>(0L).schedule(MS, "foreign");

        assertThrows(IllegalArgumentException.class, () -> wheel.cancel(foreign));
    }

    // ---- handles ----------------------------------------------------------------------

    @Test
    void idsAreNeverReusedAfterCancel() {
        Timer<String> first = wheel.schedule(MS, "first");
        wheel.cancel(first);

        Timer<String> second = wheel.schedule(MS, "second");

        assertNotEquals(first.id(), second.id());
        assertTrue(second.id() > first.id());
    }

    @Test
    void cancellingAStaleHandleDoesNotTouchALaterTimer() {
        Timer<String> stale = wheel.schedule(MS, "stale");
        wheel.cancel(stale);
        Timer<String> fresh = wheel.schedule(MS, "fresh");

        assertFalse(wheel.cancel(stale));

        assertTrue(fresh.isPending());
        expireAt(MS);
        assertEquals(List.of("fresh"), firedPayloads());
    }

    // ---- scale and catch-up -----------------------------------------------------------

    @Test
    void aMillionConcurrentTimersFireExactlyOnceInOneCatchUp() {
        int count = 1_000_000;
        TimerWheel<Void> timers = new TimerWheel<>(0L);
        Random random = new Random(7L);
        for (int i = 0; i < count; i++) {
            timers.schedule(random.nextLong(10 * 60 * SECOND), null);
        }
        assertEquals(count, timers.size());
        int[] firedById = new int[count + 1];
        long[] lastDeadline = {Long.MIN_VALUE};

        int firedNow = timers.expire(11 * 60 * SECOND, t -> {
            firedById[(int) t.id()]++;
            assertTrue(t.deadlineNanos() >= lastDeadline[0], "deadline order");
            lastDeadline[0] = t.deadlineNanos();
        });

        assertEquals(count, firedNow);
        assertEquals(0, timers.size());
        for (int id = 1; id <= count; id++) {
            assertEquals(1, firedById[id], "timer " + id);
        }
    }

    @Test
    void catchingUpAnHourWithNoTimersVisitsNoSlots() {
        expireAt(HOUR);

        assertEquals(0, wheel.slotsProcessed());
    }

    @Test
    void catchingUpAnHourToOneTimerVisitsAtMostOneSlotPerLevel() {
        wheel.schedule(HOUR, "alarm");

        expireAt(HOUR);

        assertEquals(List.of("alarm"), firedPayloads());
        assertTrue(wheel.slotsProcessed() <= 11, "slots processed: " + wheel.slotsProcessed());
    }

    @Test
    void catchingUpAnHourOfTimersCostsStepsPerTimerNotPerTick() {
        int timers = 3_600;
        for (int i = 1; i <= timers; i++) {
            wheel.schedule(i * SECOND, "t");
        }

        expireAt(HOUR);

        assertEquals(timers, fired.size());
        // 3,600,000 ticks passed; each timer is cascaded at most three times (levels 3, 2, 1) and
        // fired once, and slots are shared, so the walk is bounded by 4 steps per timer.
        assertTrue(wheel.slotsProcessed() <= 4L * timers, "slots processed: " + wheel.slotsProcessed());
    }

    // ---- nextDeadline -----------------------------------------------------------------

    @Test
    void nextDeadlineIsExactWithoutCancellations() {
        Random random = new Random(99L);
        List<Timer<String>> pending = new ArrayList<>();
        for (int step = 0; step < 5_000; step++) {
            pending.add(wheel.schedule(clock.nanoTime() + randomDelay(random), "t"));
            if (step % 10 == 0) {
                expireAt(clock.nanoTime() + random.nextLong(50 * MS));
                pending.removeIf(t -> !t.isPending());
            }

            assertEquals(earliestOf(pending), wheel.nextDeadline(), "step " + step);
        }
    }

    private static long earliestOf(List<Timer<String>> timers) {
        return timers.stream().mapToLong(Timer::deadlineNanos).min().orElse(TimerWheel.NO_DEADLINE);
    }

    @Test
    void nextDeadlineIsNeverLaterThanTheEarliestAfterCancellations() {
        Random random = new Random(5L);
        List<Timer<String>> pending = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            int action = random.nextInt(10);
            if (action < 5) {
                pending.add(wheel.schedule(clock.nanoTime() + randomDelay(random), "t"));
            } else if (action < 8 && !pending.isEmpty()) {
                wheel.cancel(pending.remove(random.nextInt(pending.size())));
            } else {
                expireAt(clock.nanoTime() + random.nextLong(20 * MS));
                pending.removeIf(t -> !t.isPending());
            }
            assertTrue(wheel.nextDeadline() <= earliestOf(pending), "step " + step);
        }
    }

    @Test
    void aStaleNextDeadlineIsRefreshedByOneExpireAtIt() {
        Timer<String> early = wheel.schedule(5 * MS + 100, "early");
        wheel.schedule(5 * MS + 900, "late");
        wheel.cancel(early);
        long stale = wheel.nextDeadline();
        assertTrue(stale <= 5 * MS + 900);

        expireAt(stale);

        assertEquals(5 * MS + 900, wheel.nextDeadline());
    }

    // ---- scheduling during expire ---------------------------------------------------------

    /** Fires a timer "parent" due at 1 ms, at {@code now}; its handler schedules "child". */
    private void fireParentThatSchedulesChild(long now, long childDeadline) {
        wheel.schedule(MS, "parent");
        clock.advanceTo(now);
        wheel.expire(clock.nanoTime(), t -> {
            fired.add(t);
            if (t.payload().equals("parent")) {
                wheel.schedule(childDeadline, "child");
            }
        });
    }

    @Test
    void aTimerScheduledDuringExpireAndAlreadyDueFiresInTheNextCall() {
        fireParentThatSchedulesChild(2 * MS, 2 * MS);
        assertEquals(List.of("parent"), firedPayloads());
        assertEquals(clock.nanoTime(), wheel.nextDeadline(), "the loop must not block");

        wheel.expire(clock.nanoTime(), record);

        assertEquals(List.of("parent", "child"), firedPayloads());
    }

    @Test
    void aTimerScheduledDuringExpireForLaterWaitsForItsDeadline() {
        fireParentThatSchedulesChild(MS, MS + 1);

        assertEquals(MS + 1, wheel.nextDeadline());
        expireAt(MS + 1);
        assertEquals(List.of("parent", "child"), firedPayloads());
    }

    @Test
    void aTimerScheduledAndCancelledDuringExpireNeverFires() {
        wheel.schedule(MS, "parent");
        clock.advanceTo(MS);
        wheel.expire(clock.nanoTime(), t -> {
            fired.add(t);
            wheel.cancel(wheel.schedule(0, "child"));
        });

        expireAt(2 * MS);

        assertEquals(List.of("parent"), firedPayloads());
        assertEquals(0, wheel.size());
    }

    @Test
    void expireFromAHandlerIsRejected() {
        wheel.schedule(MS, "reentrant");
        clock.advanceTo(MS);

        assertThrows(IllegalStateException.class,
                () -> wheel.expire(clock.nanoTime(), t -> wheel.expire(clock.nanoTime(), record)));
    }

    @Test
    void aThrowingHandlerLeavesTheUnfiredTimersPending() {
        wheel.schedule(MS, "bomb");
        wheel.schedule(MS + 1, "after");
        clock.advanceTo(2 * MS);

        assertThrows(IllegalStateException.class, () -> wheel.expire(clock.nanoTime(), t -> {
            throw new IllegalStateException("handler failed");
        }));

        assertEquals(1, wheel.size());
        wheel.expire(clock.nanoTime(), record);
        assertEquals(List.of("after"), firedPayloads());
    }

    // ---- configuration --------------------------------------------------------------------

    @Test
    void aNonPositiveTickIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TimerWheel<Void>(0L, 0L));
    }
}
