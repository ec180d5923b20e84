package dev.weft.samples.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.samples.embedding.BlockingHandler.Response;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The servlet-style recipe: container threads wait, the loop answers, a timeout cancels the loop's work. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one run of the recipe, several facts about it
class BlockingHandlerTest {

    private final BlockingHandler.Outcome outcome = demonstrate();

    private static BlockingHandler.Outcome demonstrate() {
        try {
            return BlockingHandler.demonstrate();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fastRequestsAreAnsweredFromTheLoopThread() {
        List<Response> fast = outcome.responses().stream().filter(r -> r.path().startsWith("/fast")).toList();

        assertEquals(4, fast.size());
        for (Response response : fast) {
            assertEquals(200, response.status(), response::toString);
            assertEquals(response.path() + " answered on " + outcome.loopThread(), response.body());
        }
    }

    @Test
    void everyRequestIsHandledOnAContainerThread() {
        assertTrue(outcome.responses().stream().allMatch(r -> r.handledOn().startsWith("http-exec-")),
                outcome.responses()::toString);
    }

    @Test
    void aRequestTheLoopCannotAnswerInTimeIs504AndItsWorkIsCancelledOnTheLoop() {
        Response slow = outcome.responses().get(2);

        assertEquals("/slow", slow.path());
        assertEquals(504, slow.status());
        assertTrue(outcome.slowWorkCancelledOnTheLoop());
    }

    @Test
    void theLoopAndTheContainerShutDown() {
        assertTrue(outcome.loopClosed());
        assertTrue(outcome.containerTerminated());
    }
}
