package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.fork.ForkedJvm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Unhandled rejections with {@code -Dweft.debug=true}: a rejected promise garbage-collected
 * without anyone observing its failure is reported to the async-exception hook as an
 * {@link UnhandledRejection} whose cause is the failure and whose stack trace is where the promise
 * was made; a failure observed in any of the ways {@link LoopHooks#reportUnhandledRejections()}
 * lists is not. Each scenario runs in a forked JVM, drops its promises in a method that has
 * returned, asks for a collection and drains the queue until every watched promise was collected
 * (a bounded number of rounds; each waits on the reference queue, not on a clock).
 */
class UnhandledRejectionTest {

    /** The programs the forked JVMs run; the first argument names the scenario. */
    static final class Probe {
        private Probe() {}

        private static final List<Throwable> HOOK = new ArrayList<>();
        private static int mapLine;

        public static void main(String[] args) throws Exception {
            LoopHooks.setAsyncExceptionHook(HOOK::add);
            switch (args[0]) {
                case "unobserved" -> unobserved();
                case "observed" -> observed();
                case "watched" -> watched();
                case "harvested" -> harvested();
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        private static void dropAnUnobservedMap() {
            Resolver<Integer> input = Promise.pending();
            input.promise().map(x -> x + 1); mapLine = ForkedJvm.line();
            input.reject(new IllegalStateException("nobody looked"));
        }

        private static void unobserved() throws InterruptedException {
            dropAnUnobservedMap();
            collectAndDrain();
            System.out.println("reports: " + HOOK.size());
            UnhandledRejection report = (UnhandledRejection) HOOK.get(0);
            System.out.println("cause: " + report.getCause().getMessage());
            StackTraceElement made = report.getStackTrace()[0];
            System.out.println("made at: " + made.getMethodName() + "@" + made.getLineNumber());
            System.out.println("expected: dropAnUnobservedMap [map]@" + mapLine);
        }

        private static IllegalStateException failure(String how) {
            return new IllegalStateException(how);
        }

        /** Each way of observing a failure, and two failures not observed. */
        private static void dropObservedAndUnobserved() {
            Promise.rejected(failure("onFailure")).onFailure(e -> { });
            Promise.rejected(failure("recover")).recover(e -> Promise.of(0));
            Promise.rejected(failure("failure()")).failure();
            try {
                Promise.rejected(failure("value()")).value();
            } catch (IllegalStateException expected) {
                // value() of a rejected promise throws, with the failure as its cause
            }
            Promise.all(Promise.rejected(failure("all")), Promise.of(1)).onFailure(e -> { });
            Resolver<Integer> waited = Promise.pending();
            waited.promise().onFailure(e -> { });
            waited.reject(failure("callback before"));
            Resolver<Integer> bound = Promise.pending();
            bound.promise().flatMap(x -> Promise.rejected(failure("returned to flatMap"))).onFailure(e -> { });
            bound.resolve(1);
            Promise.task().promise().cancel();
            Promise.rejected(failure("not observed"));
            Promise.rejected(failure("map on it")).map(x -> x);
        }

        private static void observed() throws InterruptedException {
            dropObservedAndUnobserved();
            collectAndDrain();
            TreeSet<String> reported = new TreeSet<>();
            for (Throwable report : HOOK) {
                reported.add(report.getClass().getSimpleName() + "(" + report.getCause().getMessage() + ")");
            }
            System.out.println("reports: " + reported);
        }

        /** An nchoose, npick and nchooseSplit each rejected by an input that failed while they waited, handled. */
        private static void dropHandledHarvests() {
            Resolver<Integer> nchooseInput = Promise.pending();
            Promise.nchoose(List.of(nchooseInput.promise(), Promise.<Integer>pending().promise())).onFailure(e -> { });
            nchooseInput.reject(failure("nchoose"));
            Resolver<Integer> npickInput = Promise.pending();
            Promise.npick(List.of(npickInput.promise(), Promise.<Integer>pending().promise())).onFailure(e -> { });
            npickInput.reject(failure("npick"));
            Resolver<Integer> splitInput = Promise.pending();
            Promise.nchooseSplit(List.of(splitInput.promise(), Promise.<Integer>pending().promise()))
                    .onFailure(e -> { });
            splitInput.reject(failure("nchooseSplit"));
        }

        private static void harvested() throws InterruptedException {
            dropHandledHarvests();
            collectAndDrain();
            System.out.println("reports: " + HOOK.size());
        }

        private static void watched() {
            Promise.rejected(failure("not observed"));
            System.out.println("watched: " + UnhandledRejections.watchedCount());
            System.out.println("reported: " + LoopHooks.reportUnhandledRejections());
        }

        /** Collects until every watched promise was collected and drained; at most ten rounds. */
        private static void collectAndDrain() throws InterruptedException {
            for (int round = 0; round < 10 && UnhandledRejections.watchedCount() > 0; round++) {
                System.gc();
                UnhandledRejections.awaitAndDrain(1_000);
            }
            System.out.println("still watched: " + UnhandledRejections.watchedCount());
        }
    }

    private static List<String> run(boolean debug, String scenario) throws IOException, InterruptedException {
        return ForkedJvm.run(Probe.class, debug ? List.of(ForkedJvm.DEBUG) : List.of(), scenario);
    }

    @Test
    void aRejectedPromiseCollectedUnobservedIsReportedWithWhereItWasMade() throws Exception {
        List<String> lines = run(true, "unobserved");
        assertEquals("0", ForkedJvm.value(lines, "still watched"));
        assertEquals("1", ForkedJvm.value(lines, "reports"));
        assertEquals("nobody looked", ForkedJvm.value(lines, "cause"));
        assertEquals(ForkedJvm.value(lines, "expected"), ForkedJvm.value(lines, "made at"));
    }

    @Test
    void failuresObservedByACallbackACombinatorFlatMapFailureOrValueAreNotReportedNorCancellations()
            throws Exception {
        List<String> lines = run(true, "observed");
        assertEquals("0", ForkedJvm.value(lines, "still watched"));
        assertEquals("[UnhandledRejection(map on it), UnhandledRejection(not observed)]",
                ForkedJvm.value(lines, "reports"));
    }

    @Test
    void anNchooseRejectedByAnInputThatFailedWhileItWaitedIsNotReportedWhenItsFailureIsHandled() throws Exception {
        List<String> lines = run(true, "harvested");
        assertEquals("0", ForkedJvm.value(lines, "still watched"));
        assertEquals("0", ForkedJvm.value(lines, "reports"));
    }

    @Test
    void debugModeWatchesARejectedPromiseNobodyObserved() throws Exception {
        assertEquals("1", ForkedJvm.value(run(true, "watched"), "watched"));
    }

    @Test
    void withoutDebugModeNothingIsWatchedOrReported() throws Exception {
        List<String> lines = run(false, "watched");
        assertEquals("0", ForkedJvm.value(lines, "watched"));
        assertEquals("0", ForkedJvm.value(lines, "reported"));
    }
}
