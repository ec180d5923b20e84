package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.fork.ForkedJvm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Async traces with {@code -Dweft.debug=true}: a failure carries the sites where the failing
 * promise was made and every bind, map, recover and combinator it travelled through to the
 * caller, innermost first, each site once. Each scenario runs in a forked JVM (the switch is read
 * once per JVM) and prints the trace it saw as {@code method [operation]@line} and the one it
 * expects, computed from the lines of its own calls.
 */
class AsyncTraceTest {

    /** The programs the forked JVMs run; the first argument names the scenario. */
    static final class Probe {
        private Probe() {}

        private static final List<String> EXPECTED = new ArrayList<>();

        /** The trace should show {@code method [operation]} at {@code line}, after those expected before. */
        private static void expect(String methodAndOperation, int line) {
            EXPECTED.add(methodAndOperation + "@" + line);
        }

        private static int step2Line;
        private static int step1Line;

        public static void main(String[] args) throws Exception {
            switch (args[0]) {
                case "nested" -> nested();
                case "recoverBetween" -> recoverBetween();
                case "all" -> all();
                case "pick" -> pick();
                case "alreadyRejected" -> alreadyRejected();
                case "million" -> million();
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        // ------------------------------------------------------------ step1 -> step2, pending

        private static Promise<Integer> step2(Resolver<Integer> input) {
            step2Line = ForkedJvm.line(); return input.promise().map(x -> {
                throw new IllegalStateException("boom in step2");
            });
        }

        private static Promise<Integer> step1(Resolver<Integer> first, Resolver<Integer> second) {
            step1Line = ForkedJvm.line(); return first.promise().flatMap(v -> step2(second));
        }

        private static void nested() {
            Resolver<Integer> first = Promise.pending();
            Resolver<Integer> second = Promise.pending();
            Promise<Integer> chain = step1(first, second).map(x -> x + 1); int mapLine = ForkedJvm.line();
            Promise<Integer> end = chain.flatMap(Promise::of); int flatMapLine = ForkedJvm.line();
            first.resolve(1);
            second.resolve(2);
            expect("step2 [map]", step2Line);
            expect("step1 [flatMap]", step1Line);
            expect("nested [map]", mapLine);
            expect("nested [flatMap]", flatMapLine);
            report(end.failure());
        }

        private static void recoverBetween() {
            Resolver<Integer> input = Promise.pending();
            Promise<Integer> failed = step2(input);
            int recoverLine = ForkedJvm.line(); Promise<Integer> rethrown = failed.recover(e -> {
                if (e instanceof java.io.IOException) {
                    return Promise.of(0);
                }
                throw (RuntimeException) e;
            });
            Promise<Integer> end = rethrown.map(x -> x * 2); int mapLine = ForkedJvm.line();
            input.resolve(1);
            expect("step2 [map]", step2Line);
            expect("recoverBetween [recover]", recoverLine);
            expect("recoverBetween [map]", mapLine);
            report(end.failure());
        }

        // ------------------------------------------------------------ combinators

        private static Integer fail(Integer x) {
            throw new IllegalArgumentException("bad input " + x);
        }

        private static void all() {
            Resolver<Integer> a = Promise.pending();
            Resolver<Integer> b = Promise.pending();
            Resolver<Integer> c = Promise.pending();
            Promise<Integer> failing = b.promise().map(Probe::fail); expect("all [map]", ForkedJvm.line());
            Promise<List<Integer>> all = Promise.all(a.promise(), failing, c.promise()); expect("all [all: input #1 of 3 failed]", ForkedJvm.line());
            a.resolve(1);
            b.resolve(2);
            c.resolve(3);
            report(all.failure());
        }

        private static void pick() {
            Resolver<Integer> a = Promise.task();
            Resolver<Integer> b = Promise.task();
            Promise<Integer> failing = b.promise().map(Probe::fail); expect("pick [map]", ForkedJvm.line());
            Promise<Integer> winner = Promise.pick(a.promise(), failing); expect("pick [pick: input #1 of 2 failed]", ForkedJvm.line());
            b.resolve(2);
            report(winner.failure());
        }

        private static void alreadyRejected() {
            Promise<Integer> rejected = Promise.rejected(new IllegalStateException("boom")); expect("alreadyRejected [rejected]", ForkedJvm.line());
            Promise<Integer> mapped = rejected.map(x -> x + 1); expect("alreadyRejected [map]", ForkedJvm.line());
            Promise<List<Integer>> all = Promise.all(Promise.of(0), mapped); expect("alreadyRejected [all: input #1 of 2 failed]", ForkedJvm.line());
            report(all.failure());
        }

        // ------------------------------------------------------------ a million-step loop

        private static final int STEPS = 1_000_000;
        private static int step;
        private static Promise<Void> outer;
        private static final List<String> SAMPLES = new ArrayList<>();

        private static int loopLine;
        private static int failLine;

        /** {@code loop() = pause().flatMap(v -> loop())}, failing after {@link #STEPS} steps. */
        private static Promise<Void> loop() {
            if (++step == STEPS / 4 || step == STEPS) {
                sample();
            }
            if (step == STEPS) {
                failLine = ForkedJvm.line(); return Promise.pause().map(v -> {
                    throw new IllegalStateException("step " + step);
                });
            }
            if (loopLine == 0) { loopLine = ForkedJvm.line(); } return Promise.pause().flatMap(v -> loop());
        }

        /**
         * How many sites the caller's promise holds for the chain, and the heap in use after a full
         * collection, in KiB. Sampled at a quarter of the steps and at the end: by then the side
         * table of debug mode has grown to the size the collector's pace sets, so what grows
         * after is what the chain keeps per step.
         */
        private static void sample() {
            System.gc();
            long heapKib = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
            SAMPLES.add("sites=" + Debug.sitesOf(outer).length + " heapKib=" + heapKib);
        }

        private static void million() {
            outer = loop();
            Promise<Void> end = outer.map(v -> v); int mainLine = ForkedJvm.line();
            while (end.isPending()) {
                LoopHooks.wakeupPaused();
            }
            System.out.println("steps: " + step);
            System.out.println("samples: " + String.join(", ", SAMPLES));
            EXPECTED.add("loop [map]@" + failLine);
            EXPECTED.add("loop [flatMap]@" + loopLine);
            EXPECTED.add("million [map]@" + mainLine);
            report(end.failure());
        }

        // ------------------------------------------------------------ output

        static int tracesOf(Throwable failure) {
            int traces = 0;
            for (Throwable s : failure.getSuppressed()) {
                if (s instanceof AsyncTrace) {
                    traces++;
                }
            }
            return traces;
        }

        private static void report(Throwable failure) {
            List<String> sites = new ArrayList<>();
            AsyncTrace trace = AsyncTrace.find(failure);
            if (trace != null) {
                for (StackTraceElement e : trace.getStackTrace()) {
                    sites.add(e.getMethodName() + "@" + e.getLineNumber());
                }
            }
            System.out.println("traces: " + tracesOf(failure));
            System.out.println("expected: " + String.join(", ", EXPECTED));
            System.out.println("sites: " + String.join(", ", sites));
        }
    }

    private static List<String> run(String scenario) throws IOException, InterruptedException {
        return ForkedJvm.run(Probe.class, List.of(ForkedJvm.DEBUG), scenario);
    }

    private static long heapKib(String sample) {
        return Long.parseLong(sample.split(" heapKib=")[1]);
    }

    private static void assertTraceIsTheExpectedOne(List<String> lines) {
        assertEquals("1", ForkedJvm.value(lines, "traces"));
        assertEquals(ForkedJvm.value(lines, "expected"), ForkedJvm.value(lines, "sites"));
    }

    @Test
    void aFailureInANestedFlatMapShowsTheInnerMapTheOuterFlatMapAndTheCallersChainInnermostFirst()
            throws Exception {
        assertTraceIsTheExpectedOne(run("nested"));
    }

    @Test
    void aRecoverThatPassesTheFailureOnAppearsBetweenTheFailingMapAndTheRestOfTheChain() throws Exception {
        assertTraceIsTheExpectedOne(run("recoverBetween"));
    }

    @Test
    void allNamesTheInputThatFailed() throws Exception {
        assertTraceIsTheExpectedOne(run("all"));
    }

    @Test
    void pickNamesTheInputThatFailed() throws Exception {
        assertTraceIsTheExpectedOne(run("pick"));
    }

    @Test
    void aMillionStepRecursiveLoopKeepsABoundedTraceAndConstantMemory() throws Exception {
        // a small fixed heap: a leak of 64 bytes a step would not fit in it
        List<String> lines = ForkedJvm.run(Probe.class, List.of(ForkedJvm.DEBUG, "-Xms64m", "-Xmx64m"), "million");
        assertEquals("1000000", ForkedJvm.value(lines, "steps"));
        assertTraceIsTheExpectedOne(lines);
        String[] samples = ForkedJvm.value(lines, "samples").split(", ");
        assertEquals(2, samples.length);
        // at step 250,000 and at step 1,000,000 the chain holds one site (the loop's flatMap), and
        // the heap grew by less than 4 MiB over 750,000 steps (not even 6 bytes a step)
        assertEquals("sites=1", samples[0].split(" ")[0], samples[0]);
        assertEquals("sites=1", samples[1].split(" ")[0], samples[1]);
        long growthKib = heapKib(samples[1]) - heapKib(samples[0]);
        assertTrue(growthKib < 4 * 1024, "heap grew by " + growthKib + " KiB: " + List.of(samples));
    }

    @Test
    void operationsOnPromisesAlreadyRejectedAreRecordedWhereTheyWereCalled() throws Exception {
        assertTraceIsTheExpectedOne(run("alreadyRejected"));
    }
}
