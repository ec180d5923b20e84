package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EmbeddedLoop: a pool thread runs the loop, the other pool threads call it, and both stop. */
class EmbeddedLoopTest {

    @Test
    void everyCallIsAnsweredOnTheLoopThreadAndTheLoopAndPoolStop() throws Exception {
        List<String> lines = runMain();

        assertTrue(lines.getFirst().matches("loop running on app-\\d"), lines::toString);
        String loopThread = lines.getFirst().substring("loop running on ".length());
        List<String> answers = lines.subList(1, 7);
        for (int request = 1; request <= 6; request++) {
            String answer = answers.get(request - 1);
            assertTrue(answer.matches("request " + request + " from app-\\d answered on " + loopThread), answer);
            assertTrue(!answer.contains("from " + loopThread + " "), "a caller ran on the loop's thread: " + answer);
        }
        assertEquals("loop closed: true; pool stopped", lines.get(7));
    }

    private static List<String> runMain() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EmbeddedLoop.main(new String[0]);
        } finally {
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
