package dev.weft.samples.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The ExecutorService recipe: pool threads ask, the loop's own thread does the work, both stop. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one run of the recipe, several facts about it
class ExecutorServiceCallsTest {

    private final ExecutorServiceCalls.Outcome outcome = demonstrate();

    private static ExecutorServiceCalls.Outcome demonstrate() {
        try {
            return ExecutorServiceCalls.demonstrate(8);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyCallIsAnswered() {
        assertEquals(IntStream.rangeClosed(1, 8).boxed().toList(),
                outcome.replies().stream().map(ExecutorServiceCalls.Reply::request).toList());
    }

    @Test
    void theWorkRunsOnTheLoopsThreadAndTheCallersArePoolThreads() {
        List<ExecutorServiceCalls.Reply> replies = outcome.replies();

        assertEquals("weft-recipe", outcome.loopThread());
        assertTrue(replies.stream().allMatch(reply -> reply.ranOn().equals(outcome.loopThread())), replies::toString);
        assertTrue(replies.stream().allMatch(reply -> reply.caller().startsWith("pool-")), replies::toString);
    }

    @Test
    void theLoopThreadAndThePoolEnd() {
        assertTrue(outcome.loopThreadEnded());
        assertTrue(outcome.poolTerminated());
    }
}
