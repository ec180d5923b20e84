package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dweft.debug=true}: owner-thread checks and async stack traces. Debug.ENABLED is read once
 * when the class initialises, so each scenario runs in a forked JVM (as ConstantSpaceTest does),
 * with or without the switch, and prints what it saw.
 */
class DebugModeTest {

    /** The programs the forked JVMs run; the first argument names the scenario. */
    static final class Probe {
        private Probe() {}

        /** The line this is called from, so a scenario can name the line of the bind beside it. */
        static int line() {
            return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
        }

        public static void main(String[] args) throws Exception {
            switch (args[0]) {
                case "owner" -> owner();
                case "ownerResolver" -> ownerResolver();
                case "unitElsewhere" -> unitElsewhere();
                case "trace" -> trace();
                case "traceOnRejected" -> traceOnRejected();
                case "longTrace" -> longTrace();
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        private static void onThread(String name, Runnable body) throws InterruptedException {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (IllegalStateException e) {
                    System.out.println("refused: " + e.getMessage());
                }
            }, name);
            t.start();
            t.join();
        }

        private static void owner() throws InterruptedException {
            Thread.currentThread().setName("the-owner");
            Promise<Integer> p = Promise.<Integer>pending().promise();
            onThread("the-intruder", () -> p.map(x -> x + 1));
        }

        private static void ownerResolver() throws InterruptedException {
            Thread.currentThread().setName("the-owner");
            Resolver<Integer> r = Promise.pending();
            onThread("the-intruder", () -> r.resolve(1));
            System.out.println("still pending: " + r.promise().isPending());
        }

        private static void unitElsewhere() throws InterruptedException {
            Promise.of(0);
            onThread("another-loop", () -> System.out.println("value: "
                    + Promise.unit().flatMap(v -> Promise.of(42)).value()));
        }

        private static void trace() {
            Resolver<Integer> r = Promise.pending();
            Promise<Integer> a = r.promise().map(x -> x + 1); int mapLine = line();
            Promise<Integer> b = a.flatMap(x -> Promise.of(x * 2)); int flatMapLine = line();
            Promise<Integer> c = b.recover(Promise::rejected);
            r.reject(new IllegalStateException("boom"));
            System.out.println("expected: " + mapLine + "," + flatMapLine);
            report(c.failure());
        }

        private static void traceOnRejected() {
            Promise<Integer> rejected = Promise.rejected(new IllegalStateException("boom"));
            Promise<Integer> a = rejected.map(x -> x + 1); int mapLine = line();
            Promise<Integer> b = a.flatMap(x -> Promise.of(x)); int flatMapLine = line();
            System.out.println("expected: " + mapLine + "," + flatMapLine);
            report(b.failure());
        }

        /** A failure through 100,000 pending maps: the trace stays bounded and the run quick. */
        private static void longTrace() {
            Resolver<Integer> r = Promise.pending();
            Promise<Integer> p = r.promise();
            for (int i = 0; i < 100_000; i++) {
                p = p.map(x -> x + 1);
            }
            r.reject(new IllegalStateException("boom"));
            report(p.failure());
        }

        private static void report(Throwable failure) {
            List<String> sites = new ArrayList<>();
            int traces = 0;
            for (Throwable s : failure.getSuppressed()) {
                if (s instanceof AsyncTrace) {
                    traces++;
                    for (StackTraceElement e : s.getStackTrace()) {
                        sites.add(e.getFileName() + ":" + e.getLineNumber());
                    }
                }
            }
            System.out.println("traces: " + traces);
            System.out.println("sites: " + String.join(",", sites));
        }
    }

    private static List<String> run(boolean debug, String scenario) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        if (debug) {
            command.add("-Dweft.debug=true");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), scenario));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(1, TimeUnit.MINUTES), "forked JVM did not finish");
        assertEquals(0, process.exitValue(), output);
        return output.lines().toList();
    }

    private static String lineStartingWith(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.substring(prefix.length())).orElseThrow(() -> new AssertionError(prefix + " in " + lines));
    }

    private static String expectedSites(List<String> lines) {
        String[] expected = lineStartingWith(lines, "expected: ").split(",");
        return "DebugModeTest.java:" + expected[0] + ",DebugModeTest.java:" + expected[1];
    }

    @Test
    void usingAPromiseFromAnotherThreadFailsFastNamingBothThreads() throws Exception {
        String message = lineStartingWith(run(true, "owner"), "refused: ");
        assertTrue(message.contains("'the-owner'"), message);
        assertTrue(message.contains("'the-intruder'"), message);
    }

    @Test
    void resolvingFromAnotherThreadFailsFastAndLeavesThePromisePending() throws Exception {
        List<String> lines = run(true, "ownerResolver");
        String message = lineStartingWith(lines, "refused: ");
        assertTrue(message.contains("'the-owner'") && message.contains("'the-intruder'"), message);
        assertEquals("true", lineStartingWith(lines, "still pending: "));
    }

    @Test
    void theSharedUnitPromiseIsUsableOnEveryThread() throws Exception {
        assertEquals("42", lineStartingWith(run(true, "unitElsewhere"), "value: "));
    }

    @Test
    void withoutDebugModeOwnersAreNotChecked() throws Exception {
        List<String> lines = run(false, "owner");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("refused: ")), lines::toString);
    }

    @Test
    void aFailureThroughAVeryLongChainKeepsABoundedTrace() throws Exception {
        List<String> lines = run(true, "longTrace");
        assertEquals("1", lineStartingWith(lines, "traces: "));
        assertEquals(AsyncTrace.MAX_SITES, lineStartingWith(lines, "sites: ").split(",").length);
    }

    @Test
    void aFailureRecordsTheSitesOfTheMapAndFlatMapItPassedThroughInOrder() throws Exception {
        List<String> lines = run(true, "trace");
        assertEquals("1", lineStartingWith(lines, "traces: "));
        assertEquals(expectedSites(lines), lineStartingWith(lines, "sites: "));
    }

    @Test
    void mapAndFlatMapOnAnAlreadyRejectedPromiseAlsoRecordTheirSites() throws Exception {
        List<String> lines = run(true, "traceOnRejected");
        assertEquals(expectedSites(lines), lineStartingWith(lines, "sites: "));
    }

    @Test
    void withoutDebugModeNoAsyncTraceIsAttached() throws Exception {
        List<String> lines = run(false, "trace");
        assertEquals("0", lineStartingWith(lines, "traces: "));
        assertEquals("", lineStartingWith(lines, "sites: ").strip());
    }
}
