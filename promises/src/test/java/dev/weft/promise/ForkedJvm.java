package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a scenario of a probe program in a forked JVM, with or without {@code -Dweft.debug=true}
 * (read once per JVM, when {@link Debug} initialises), and reads the lines it printed. The probe
 * prints {@code key: value} lines; {@link #value} finds one.
 */
final class ForkedJvm {
    private ForkedJvm() {}

    /**
     * Runs {@code probe}'s main with {@code scenario}, the JVM given {@code jvmOptions} too; fails
     * unless it exits 0 within two minutes.
     */
    static List<String> run(Class<?> probe, boolean debug, String scenario, String... jvmOptions)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(List.of(jvmOptions));
        if (debug) {
            command.add("-Dweft.debug=true");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), probe.getName(), scenario));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "forked JVM did not finish");
        assertEquals(0, process.exitValue(), output);
        return output.lines().toList();
    }

    /** The rest of the first line that starts with {@code key + ": "}. */
    static String value(List<String> lines, String key) {
        String prefix = key + ": ";
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.substring(prefix.length())).orElseThrow(() -> new AssertionError(prefix + " in " + lines));
    }

    /** The line this is called from, so a probe can name the line of the call beside it. */
    static int line() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
    }
}
