package dev.weft.unix.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real signals sent to this test JVM with {@code kill}; while watched they do not have their
 * default effect, so the JVM survives them.
 */
class SignalsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aSignalSentToThisProcessResolvesNext(EngineKind kind) throws Exception {
        try (Loop loop = Loop.builder().engine(Engines.open(kind)).build();
                Signals signals = Signals.watch(loop, UnixSignal.HUP, UnixSignal.USR1)) {
            Promise<UnixSignal> next = signals.next();

            SelfSignal.send("-HUP");

            assertEquals(UnixSignal.HUP, loop.run(loop.withTimeout(PATIENCE, next)));
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aSignalArrivingWhileNobodyWaitsIsKeptForTheNextWait(EngineKind kind) throws Exception {
        try (Loop loop = Loop.builder().engine(Engines.open(kind)).build();
                Signals signals = Signals.watch(loop, UnixSignal.USR1)) {
            SelfSignal.send("-USR1");
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (signals.kept() == 0 && System.nanoTime() < deadline) {
                loop.runOnce(Duration.ofMillis(100).toNanos()); // the delivery wakes the loop
            }

            Promise<UnixSignal> next = signals.next();

            assertTrue(next.isFulfilled(), "fulfilled at once, from the kept signal");
            assertEquals(UnixSignal.USR1, next.value());
            assertEquals(0, signals.kept());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void closeRejectsAWaitingNext(EngineKind kind) {
        try (Loop loop = Loop.builder().engine(Engines.open(kind)).build()) {
            Signals signals = Signals.watch(loop, UnixSignal.USR1);
            Promise<UnixSignal> next = signals.next();

            signals.close();

            assertInstanceOf(IllegalStateException.class, next.failure());
        }
    }
}
