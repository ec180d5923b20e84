package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The process's reserve of spare fds, run out of fds for real: in a child JVM under {@code ulimit
 * -n}, since a test cannot take the fd table of the JVM it runs in.
 */
class FdReserveTest {
    private static final int MAX_FDS = 128;

    @Test
    void withTwoSparesMissingEachOfTheTwoConnectionsThatTookThemPaysOneBack() throws Exception {
        String printed = runUnderFdLimit("dev.weft.unix.net.SparesRepaidScenario");

        assertEquals("paid true true, short false, held 3", printed.strip());
    }

    /** Runs {@code mainClass} of the tests in a JVM limited to {@value #MAX_FDS} fds: its output. */
    private static String runUnderFdLimit(String mainClass) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "ulimit -n " + MAX_FDS + " && exec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' " + mainClass;
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the scenario did not end: " + output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
