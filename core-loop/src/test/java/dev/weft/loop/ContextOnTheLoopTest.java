package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.ContextKey;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Context (Promise.withValue) driven by a real loop: a value bound for a chain is seen after the
 * loop's timers and pauses, and chains interleaved by the loop keep their own values. Every test
 * runs on the pure and the virtual-time engine.
 */
class ContextOnTheLoopTest {
    private static final ContextKey<String> REQUEST_ID = ContextKey.named("request-id");

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aValueBoundForAChainIsSeenAfterATimer(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            Promise<String> afterSleep = Promise.withValue(REQUEST_ID, "r1",
                    () -> loop.sleep(Duration.ofMillis(5)).map(v -> REQUEST_ID.get()));

            assertEquals("r1", loop.run(afterSleep));
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void chainsInterleavedByTimersAndPausesKeepTheirOwnValues(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            List<String> seen = new ArrayList<>();
            Resolver<Void> fastDone = Promise.pending();
            // "slow" starts first and waits for "fast", which runs both its steps in between and
            // wakes "slow" from inside its own last callback
            Promise<Void> slow = Promise.withValue(REQUEST_ID, "slow", () -> Promise.pause()
                    .flatMap(v -> { seen.add("slow:" + REQUEST_ID.get()); return fastDone.promise(); })
                    .map(v -> { seen.add("slow:" + REQUEST_ID.get()); return v; }));
            Promise<Void> fast = Promise.withValue(REQUEST_ID, "fast", () -> loop.sleep(Duration.ofMillis(5))
                    .flatMap(v -> { seen.add("fast:" + REQUEST_ID.get()); return Promise.pause(); })
                    .map(v -> {
                        seen.add("fast:" + REQUEST_ID.get());
                        fastDone.resolve(null);
                        seen.add("fast:" + REQUEST_ID.get());
                        return v;
                    }));

            loop.run(Promise.join(slow, fast));

            assertEquals(List.of("slow:slow", "fast:fast", "fast:fast", "slow:slow", "fast:fast"), seen);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void workSubmittedToTheLoopDoesNotSeeTheValueOfTheChainThatIsWaiting(EngineKind kind) {
        try (Loop loop = kind.newLoop()) {
            List<String> seen = new ArrayList<>();
            Promise<Void> bound = Promise.withValue(REQUEST_ID, "r1", () -> loop.sleep(Duration.ofMillis(5)));
            loop.execute(() -> seen.add(REQUEST_ID.orElse("none")));

            loop.run(bound);

            assertEquals(List.of("none"), seen);
        }
    }
}
