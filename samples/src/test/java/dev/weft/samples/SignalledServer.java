package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A sample server in a child JVM as a user runs it, for the tests of its shutdown on SIGTERM: the
 * first line it prints (its banner) is read at start; {@link #sigtermAndAwaitGracefulExit} sends
 * the signal and checks the graceful path and the exit status. Closing it kills what is left.
 */
final class SignalledServer implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final String banner;

    private SignalledServer(Process process, BufferedReader out, String banner) {
        this.process = process;
        this.out = out;
        this.banner = banner;
    }

    /** Starts {@code mainClass} with {@code args} and reads its banner line. */
    static SignalledServer start(Class<?> mainClass, String... args) throws IOException {
        List<String> command = ServerProcess.javaCommand(mainClass.getName(), List.of());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        return new SignalledServer(process, out, out.readLine());
    }

    /** The first line the server printed, or null if it printed none. */
    String banner() {
        return banner;
    }

    /**
     * Sends SIGTERM, waits for the process to end, and checks that it said it shut down
     * gracefully, said it stopped, and exited with status 0.
     */
    void sigtermAndAwaitGracefulExit() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "server did not stop after SIGTERM");
        StringBuilder rest = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            rest.append(line).append('\n');
        }
        assertTrue(rest.toString().contains("SIGTERM: shutting down gracefully"), rest.toString());
        assertTrue(rest.toString().contains("stopped"), rest.toString());
        assertEquals(0, process.exitValue(), rest.toString());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
