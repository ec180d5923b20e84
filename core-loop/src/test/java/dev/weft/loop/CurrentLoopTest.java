package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Loop.current(): the loop running on the calling thread, and only while it runs there. */
class CurrentLoopTest {

    @Test
    void aPromiseCallbackSeesTheLoopThatRunsIt() {
        try (Loop loop = Loop.create()) {
            Optional<Loop> seen = loop.run(Promise.pause().map(v -> Loop.current()));

            assertSame(loop, seen.orElseThrow());
        }
    }

    @Test
    void aTimerCallbackSeesItsLoop() {
        try (Loop loop = Loop.create()) {
            Optional<Loop> seen = loop.run(loop.sleep(Duration.ofMillis(1)).map(v -> Loop.current()));

            assertSame(loop, seen.orElseThrow());
        }
    }

    @Test
    void aTaskSubmittedToAStartedLoopSeesThatLoop() throws Exception {
        try (Loop loop = Loop.create()) {
            loop.start();

            Optional<Loop> seen = loop.call(Loop::current).get(10, TimeUnit.SECONDS);

            assertSame(loop, seen.orElseThrow());
        }
    }

    @Test
    void aThreadRunningNoLoopSeesNone() throws Exception {
        try (Loop loop = Loop.create()) {
            loop.start();
            loop.call(() -> 1).get(10, TimeUnit.SECONDS);

            assertEquals(Optional.empty(), CompletableFuture.supplyAsync(Loop::current).get(10, TimeUnit.SECONDS));
            assertEquals(Optional.empty(), Loop.current());
        }
    }

    @Test
    void theLoopThreadSeesNoneBetweenRuns() {
        try (Loop loop = Loop.create()) {
            loop.run(Promise.pause());

            assertTrue(loop.inLoopThread());
            assertEquals(Optional.empty(), Loop.current());
        }
    }

    @Test
    void eachOfTwoNestedLoopsOnDifferentThreadsSeesItself() throws Exception {
        try (Loop outer = Loop.create(); Loop inner = Loop.create()) {
            inner.start();

            Loop seenByInner = outer.run(Promise.pause().flatMap(v -> Bridges.fromStage(outer,
                    inner.call(() -> Loop.current().orElseThrow()))));

            assertSame(inner, seenByInner);
        }
    }

    @Test
    void theEngineIsTheOneTheLoopWasBuiltWith() {
        Engine engine = new PureEngine();
        try (Loop loop = Loop.builder().engine(engine).build()) {
            assertSame(engine, loop.engine());
        }
    }
}
