package dev.weft.samples.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The AgentRunner recipe: the loop and another agent share the runner's thread; closing the runner closes the loop. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one run of the recipe, several facts about it
class AgentRunnerRecipeTest {

    private final AgentRunnerRecipe.Outcome outcome = demonstrate();

    private static AgentRunnerRecipe.Outcome demonstrate() {
        try {
            return AgentRunnerRecipe.demonstrate();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void workSubmittedFromAnotherThreadIsAnswered() {
        assertEquals("slept 10 ms on the loop", outcome.answer());
    }

    @Test
    void theLoopAndTheOtherAgentRunOnTheRunnersThread() {
        assertEquals(outcome.runnerThread(), outcome.loopWorkThread());
        assertEquals(outcome.runnerThread(), outcome.otherAgentThread());
        assertTrue(outcome.otherAgentCycles() > 0);
    }

    @Test
    void closingTheRunnerClosesTheLoopAndEndsItsThread() {
        assertTrue(outcome.loopClosed());
        assertTrue(outcome.runnerThreadEnded());
    }
}
