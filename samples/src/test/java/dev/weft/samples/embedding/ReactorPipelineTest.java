package dev.weft.samples.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.samples.embedding.ReactorPipeline.Hops;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Reactor recipe: each element hops Reactor -> loop -> Reactor, in order, and everything shuts down. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one run of the recipe, several facts about it
class ReactorPipelineTest {

    private final ReactorPipeline.Outcome outcome = demonstrate();

    private static ReactorPipeline.Outcome demonstrate() {
        try {
            return ReactorPipeline.demonstrate(5);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyElementArrivesInOrderWithItsResult() {
        assertEquals(IntStream.rangeClosed(1, 5).boxed().toList(), outcome.hops().stream().map(Hops::element).toList());
        assertEquals("#3 slept on the loop", outcome.hops().get(2).result());
    }

    @Test
    void elementsStartOnReactorsThreads() {
        assertTrue(outcome.hops().stream().allMatch(h -> h.reactorThread().startsWith("reactor-in-")), outcome::toString);
    }

    @Test
    void theSchedulerStepAndThePromiseStepRunOnTheLoopThread() {
        assertEquals("weft-reactor", outcome.loopThread());
        assertTrue(outcome.hops().stream().allMatch(h -> h.schedulerThread().equals(outcome.loopThread())
                && h.promiseThread().equals(outcome.loopThread())), outcome::toString);
    }

    @Test
    void resultsLeaveTheLoopBeforeDownstreamRuns() {
        assertTrue(outcome.hops().stream().allMatch(h -> h.backThread().startsWith("reactor-out-")), outcome::toString);
    }

    @Test
    void theLoopAndTheSchedulersShutDown() {
        assertTrue(outcome.loopClosed());
        assertTrue(outcome.schedulersDisposed());
    }
}
