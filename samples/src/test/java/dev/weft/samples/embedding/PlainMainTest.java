package dev.weft.samples.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The plain-main recipe: the loop runs on the thread that calls run, and is closed after. */
class PlainMainTest {

    @Test
    void callbacksRunOnTheCallersThreadAndTheLoopEndsClosed() {
        PlainMain.Outcome outcome = PlainMain.demonstrate();

        assertEquals("hello, world", outcome.answer());
        assertEquals(Thread.currentThread().getName(), outcome.callerThread());
        assertEquals(outcome.callerThread(), outcome.callbackThread());
        assertTrue(outcome.loopClosed());
    }
}
