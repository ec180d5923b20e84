package dev.weft.promise.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a probe program's {@code main} to completion in a forked JVM on the test's own class path,
 * and returns what it printed (standard output and error, merged) as lines. For what a JVM reads
 * once (such as {@code -Dweft.debug=true}, read when the promise core initialises) or must not
 * share with the test JVM (a small heap). A probe prints {@code key: value} lines; {@link #value}
 * finds one.
 *
 * <p>Shared with the other modules' tests as promises' test-jar ({@code <type>test-jar</type>}).
 * <b>Threading:</b> any test thread; each call forks and waits for its own JVM.
 */
public final class ForkedJvm {
    /** The JVM option that turns on Weft's debug mode. */
    public static final String DEBUG = "-Dweft.debug=true";

    /** How long {@link #run(Class, List, String...)} lets a probe run. */
    private static final Duration DEFAULT_LIMIT = Duration.ofMinutes(2);

    private ForkedJvm() {}

    /**
     * Runs {@code probe}'s main with {@code args}, the JVM given {@code jvmOptions}; fails unless
     * it exits 0 within two minutes. Returns its output's lines.
     */
    public static List<String> run(Class<?> probe, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        return run(DEFAULT_LIMIT, probe, jvmOptions, args);
    }

    /**
     * As {@link #run(Class, List, String...)}, failing unless the JVM exits 0 within {@code
     * limit}; a JVM still running then is killed.
     */
    public static List<String> run(Duration limit, Class<?> probe, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), probe.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Read while it runs: a probe that prints more than a pipe holds would otherwise block.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process));
        boolean exited = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        String printed = printed(output);
        assertTrue(exited, "forked JVM did not finish in " + limit + ":\n" + printed);
        assertEquals(0, process.exitValue(), printed);
        return printed.lines().toList();
    }

    /** The rest of the first line that starts with {@code key + ": "}. */
    public static String value(List<String> lines, String key) {
        String prefix = key + ": ";
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.substring(prefix.length())).orElseThrow(() -> new AssertionError(prefix + " in " + lines));
    }

    /** The line this is called from, so a probe can name the line of the call beside it. */
    public static int line() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
    }

    private static String readAll(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String printed(CompletableFuture<String> output) throws InterruptedException, IOException {
        try {
            return output.get();
        } catch (ExecutionException e) {
            throw new IOException("reading the forked JVM's output", e.getCause());
        }
    }
}
