package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Deterministic virtual time and the seeded shuffle. */
class VirtualTimeTest {

    /** A client that retries a slow request every minute for an hour, with a per-try timeout. */
    private static List<String> anHourOfTimeouts() {
        try (Loop loop = Loop.builder().virtualTime().build()) {
            List<String> trace = new ArrayList<>();
            Promise<Integer> attempts = attempt(loop, trace, 1);
            int made = loop.run(attempts);
            trace.add("gave up after " + made + " attempts at " + loop.clock().nanoTime() / 1_000_000_000L + " s");
            return trace;
        }
    }

    private static Promise<Integer> attempt(Loop loop, List<String> trace, int n) {
        Promise<String> reply = loop.sleep(Duration.ofSeconds(90)).map(v -> "reply");
        return loop.withTimeout(Duration.ofSeconds(30), reply).tryBind(ok -> Promise.of(n), failure -> {
            trace.add(loop.clock().nanoTime() / 1_000_000_000L + " s: attempt " + n + " " + failure.getClass().getSimpleName());
            if (n == 60) {
                return Promise.of(n);
            }
            return loop.sleep(Duration.ofSeconds(30)).flatMap(v -> attempt(loop, trace, n + 1));
        });
    }

    @Test
    void anHourOfTimeoutsRunsInMillisecondsWithTheSameTraceEveryTime() {
        long start = System.nanoTime();

        List<String> first = anHourOfTimeouts();
        List<String> second = anHourOfTimeouts();

        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(first, second);
        assertEquals(61, first.size());
        assertEquals("30 s: attempt 1 Timeout", first.get(0));
        assertEquals("gave up after 60 attempts at 3570 s", first.get(60));
        assertTrue(elapsedMs < 5_000, "two virtual hours took " + elapsedMs + " ms");
    }

    private static Promise<Void> pauseRepeatedly(Loop loop, List<Long> seenTimes, int times) {
        seenTimes.add(loop.clock().nanoTime());
        return times == 0 ? Promise.unit() : Promise.pause().flatMap(v -> pauseRepeatedly(loop, seenTimes, times - 1));
    }

    @Test
    void virtualTimeStandsStillWhileWorkIsReadyThenJumpsToTheNextTimer() {
        try (Loop loop = Loop.builder().virtualTime().build()) {
            Promise<Void> fiveMinutes = loop.sleep(Duration.ofMinutes(5));
            List<Long> seenTimes = new ArrayList<>();

            loop.run(pauseRepeatedly(loop, seenTimes, 100));
            long afterPauses = loop.clock().nanoTime();
            loop.run(fiveMinutes);

            assertEquals(101, seenTimes.size());
            assertTrue(seenTimes.stream().allMatch(t -> t == 0), seenTimes.toString());
            assertEquals(0, afterPauses);
            assertEquals(Duration.ofMinutes(5).toNanos(), loop.clock().nanoTime());
        }
    }

    private static List<Integer> fireOrder(long seed) {
        try (Loop loop = Loop.builder().virtualTime().shuffle(seed).build()) {
            List<Integer> order = new ArrayList<>();
            List<Promise<Void>> sleeps = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                sleeps.add(loop.sleep(Duration.ofSeconds(1)).map(v -> {
                    order.add(n);
                    return null;
                }));
            }
            loop.run(Promise.join(sleeps));
            return order;
        }
    }

    private static List<Integer> inboxOrder(long seed) {
        try (Loop loop = Loop.builder().virtualTime().shuffle(seed).build()) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                loop.execute(() -> order.add(n));
            }
            loop.runOnce(0);
            return order;
        }
    }

    @Test
    @ExtendWith(ShuffleSeedExtension.class)
    void theSameSeedShufflesDueTimersTheSameWay(ShuffleSeedExtension.Seed seed) {
        assertEquals(fireOrder(seed.value()), fireOrder(seed.value()));
    }

    @Test
    @ExtendWith(ShuffleSeedExtension.class)
    void theSameSeedShufflesTheInboxBatchTheSameWay(ShuffleSeedExtension.Seed seed) {
        assertEquals(inboxOrder(seed.value()), inboxOrder(seed.value()));
    }

    @Test
    void aShuffleChangesTheOrderOfTimersDueTogether() {
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            inOrder.add(i);
        }

        assertNotEquals(inOrder, fireOrder(1L));
        assertNotEquals(inOrder, inboxOrder(1L));
    }

    @Test
    void aFailureUnderAShuffleNamesItsSeed() {
        AssertionError tagged = ShuffleSeedExtension.withSeed(new AssertionError("expected <1> but was <2>"), 1234L);

        assertTrue(tagged.getMessage().contains("-Dweft.seed=1234"), tagged.getMessage());
        assertTrue(tagged.getMessage().contains("expected <1> but was <2>"), tagged.getMessage());
    }
}
