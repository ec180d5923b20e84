package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.fork.ForkedJvm;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dweft.debug=true}: owner-thread checks (async traces: {@link AsyncTraceTest}).
 * Debug.ENABLED is read once when the class initialises, so each scenario runs in a forked JVM
 * ({@link ForkedJvm}), with or without the switch, and prints what it saw.
 */
class DebugModeTest {

    /** The programs the forked JVMs run; the first argument names the scenario. */
    static final class Probe {
        private Probe() {}

        public static void main(String[] args) throws Exception {
            switch (args[0]) {
                case "owner" -> owner();
                case "ownerResolver" -> ownerResolver();
                case "unitElsewhere" -> unitElsewhere();
                case "fulfilledElsewhere" -> fulfilledElsewhere();
                case "trace" -> trace();
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

        /**
         * A promise made fulfilled on one thread, used on another, as a shared constant is (Flow's
         * {@code ChunkHandler.READ_ON}, a server's canned response) by the loops of a group.
         */
        private static void fulfilledElsewhere() throws InterruptedException {
            Promise<Integer> shared = Promise.of(41);
            onThread("another-loop", () -> System.out.println("value: "
                    + (shared.isPending() ? "pending" : shared.map(v -> v + 1).value())));
        }

        /** A failure through a map, printed as AsyncTraceTest's probe does, to see no trace is kept. */
        private static void trace() {
            Resolver<Integer> r = Promise.pending();
            Promise<Integer> mapped = r.promise().map(x -> x + 1);
            r.reject(new IllegalStateException("boom"));
            System.out.println("traces: " + AsyncTraceTest.Probe.tracesOf(mapped.failure()));
        }
    }

    private static List<String> run(boolean debug, String scenario) throws IOException, InterruptedException {
        return ForkedJvm.run(Probe.class, debug ? List.of(ForkedJvm.DEBUG) : List.of(), scenario);
    }

    @Test
    void usingAPromiseFromAnotherThreadFailsFastNamingBothThreads() throws Exception {
        String message = ForkedJvm.value(run(true, "owner"), "refused");
        assertTrue(message.contains("'the-owner'"), message);
        assertTrue(message.contains("'the-intruder'"), message);
    }

    @Test
    void resolvingFromAnotherThreadFailsFastAndLeavesThePromisePending() throws Exception {
        List<String> lines = run(true, "ownerResolver");
        String message = ForkedJvm.value(lines, "refused");
        assertTrue(message.contains("'the-owner'") && message.contains("'the-intruder'"), message);
        assertEquals("true", ForkedJvm.value(lines, "still pending"));
    }

    @Test
    void theSharedUnitPromiseIsUsableOnEveryThread() throws Exception {
        assertEquals("42", ForkedJvm.value(run(true, "unitElsewhere"), "value"));
    }

    @Test
    void aPromiseMadeFulfilledIsUsableOnEveryThreadAsTheUnitPromiseIs() throws Exception {
        assertEquals("42", ForkedJvm.value(run(true, "fulfilledElsewhere"), "value"));
    }

    @Test
    void withoutDebugModeOwnersAreNotChecked() throws Exception {
        List<String> lines = run(false, "owner");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("refused: ")), lines::toString);
    }

    @Test
    void withoutDebugModeNoAsyncTraceIsAttached() throws Exception {
        assertEquals("0", ForkedJvm.value(run(false, "trace"), "traces"));
    }
}
