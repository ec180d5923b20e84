package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A million concurrent timers: all fire, none early, none left behind. */
class MillionTimersTest {

    private static final int TIMERS = 1_000_000;

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aMillionConcurrentTimersAllFireAndNoneEarly(EngineKind kind) {
        // Real time: spread over 300 ms; virtual time: over an hour, which costs nothing.
        long spreadNanos = kind == EngineKind.PURE ? 300_000_000L : 3_600_000_000_000L;
        try (Loop loop = kind.newLoop()) {
            SplittableRandom random = new SplittableRandom(42);
            int[] fired = new int[1];
            int[] early = new int[1];
            Promise<Void>[] sleeps = newArray(TIMERS);
            long origin = loop.clock().nanoTime();
            for (int i = 0; i < TIMERS; i++) {
                long deadline = origin + random.nextLong(spreadNanos);
                sleeps[i] = loop.at(deadline).map(v -> {
                    fired[0]++;
                    if (loop.clock().nanoTime() < deadline) {
                        early[0]++;
                    }
                    return null;
                });
            }
            assertEquals(TIMERS, loop.metrics().timersPending());

            loop.run(Promise.join(java.util.Arrays.asList(sleeps)));

            assertEquals(TIMERS, fired[0]);
            assertEquals(0, early[0]);
            assertEquals(0, loop.metrics().timersPending());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aMillionCancelledTimersLeaveNothingBehind(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            Promise<Void>[] sleeps = newArray(TIMERS);
            for (int i = 0; i < TIMERS; i++) {
                sleeps[i] = loop.sleep(Duration.ofSeconds(1 + i % 3600));
            }

            for (Promise<Void> sleep : sleeps) {
                sleep.cancel();
            }

            assertEquals(0, loop.metrics().timersPending());
            assertEquals(0, loop.pendingTimers());
        }
    }

    @SuppressWarnings("unchecked")
    private static Promise<Void>[] newArray(int n) {
        return (Promise<Void>[]) new Promise<?>[n];
    }
}
