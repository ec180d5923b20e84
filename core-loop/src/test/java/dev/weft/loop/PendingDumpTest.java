package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.PendingReport;
import example.pending.PendingDumpProbe;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.promise.fork.ForkedJvm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Loop#dumpPending()}: the pending promises of a loop, grouped so that thousands of stuck
 * chains read as a few lines. Debug mode is read once per JVM, so the scenarios run in a forked JVM
 * with {@code -Dweft.debug=true} and print one machine-readable line per group; the last test runs
 * in this JVM, where debug mode is off. The probe lives outside Weft's packages, as application
 * code does, so that the report can name it as the code behind each group.
 */
class PendingDumpTest {
    static final int CONNECTIONS = PendingDumpProbe.CONNECTIONS;

    private record Group(String waitsOn, String madeBy, String calledFrom, int count, long oldestNanos,
            long newestNanos, String example) {}

    @Test
    void tenThousandStuckChainsAndTheirTimersLocksAndStreamsReadAsAFewCountedGroups() throws Exception {
        Run run = runProbe("stuckServer");
        Group timers = run.only("ITS_RESOLVER", "Loop.sleep");
        assertEquals(CONNECTIONS, timers.count(), run.output);
        assertTrue(timers.calledFrom().contains("PendingDumpProbe.awaitRequest"), run.output);
        assertTrue(timers.example().contains("sleep timer due in"), run.output);
        Group maps = run.only("ANOTHER_PROMISE", "PendingDumpProbe.awaitRequest");
        assertEquals(CONNECTIONS, maps.count(), run.output);
        assertTrue(maps.example().startsWith("the promise made at dev.weft.loop.Loop.sleep("), run.output);
        Group all = run.only("SEVERAL_PROMISES", "stuckServer");
        assertEquals(1, all.count(), run.output);
        Group paused = run.only("ITS_RESOLVER", "stuckServer");
        assertEquals("pause(): resumes at the loop's next iteration", paused.example(), run.output);
        assertTrue(run.only("ITS_RESOLVER", "Mutex.lock").calledFrom().contains("stuckServer"), run.output);
        assertTrue(run.only("ITS_RESOLVER", "Stream.get").calledFrom().contains("stuckServer"), run.output);
        assertTrue(run.output.lines().count() < 40, "a summary, not one line per promise:\n" + run.output);
        int total = run.groups.stream().mapToInt(Group::count).sum();
        assertTrue(run.output.contains("  " + total + " pending promises in " + run.groups.size() + " groups"), run.output);
    }

    @Test
    void eachGroupSaysHowLongItsOldestAndNewestHaveBeenPending() throws Exception {
        Run run = runProbe("ages");
        Group sleeps = run.only("ITS_RESOLVER", "Loop.sleep");
        assertEquals(2, sleeps.count(), run.output);
        long oldest = sleeps.oldestNanos();
        long newest = sleeps.newestNanos();
        long gap = PendingDumpProbe.AGE_GAP.toNanos();
        assertTrue(oldest - newest >= gap, "made " + gap + " ns apart: oldest " + oldest + ", newest " + newest);
        assertTrue(newest >= 0, run.output);
        assertTrue(run.output.contains("pending for"), run.output);
    }

    @Test
    void resolvedAndCancelledPromisesAreNotListed() throws Exception {
        Run run = runProbe("settledLeave");
        assertEquals(1, run.groups.size(), run.output);
        Group left = run.groups.get(0);
        assertEquals("ITS_RESOLVER", left.waitsOn(), run.output);
        assertEquals(1, left.count(), run.output);
        assertTrue(left.madeBy().contains("settledLeave"), run.output);
    }

    @Test
    void promisesOfAnotherThreadAreNotThisLoops() throws Exception {
        Run run = runProbe("otherThread");
        assertEquals(1, run.groups.stream().mapToInt(Group::count).sum(), run.output);
    }

    @Test
    void withoutDebugModeTheReportIsEmptyAndSaysWhy() {
        try (Loop loop = Loop.create()) {
            PendingReport report = loop.run(Promise.apply(() -> {
                Resolver<Integer> waiting = Promise.task();
                PendingReport taken = loop.dumpPending();
                waiting.promise().cancel();
                return Promise.of(taken);
            }));
            assertFalse(report.debugMode());
            assertTrue(report.groups().isEmpty());
            assertTrue(report.toString().contains("-Dweft.debug=true"), report.toString());
        }
    }

    private record Run(String output, List<Group> groups) {
        Group only(String waitsOn, String madeBy) {
            List<Group> matching = groups.stream()
                    .filter(g -> g.waitsOn().equals(waitsOn) && g.madeBy().contains(madeBy)).toList();
            assertEquals(1, matching.size(), "one group " + waitsOn + " made by " + madeBy + " in:\n" + output);
            return matching.get(0);
        }
    }

    private static Run runProbe(String scenario) throws IOException, InterruptedException {
        List<String> lines = ForkedJvm.run(PendingDumpProbe.class, List.of(ForkedJvm.DEBUG), scenario);
        String output = String.join("\n", lines);
        List<Group> groups = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("GROUP ")) {
                String[] fields = line.substring(6).split("\\|", -1);
                groups.add(new Group(fields[0], fields[1], fields[2], Integer.parseInt(fields[3]),
                        Long.parseLong(fields[4]), Long.parseLong(fields[5]), fields[6]));
            }
        }
        return new Run(output, groups);
    }
}
