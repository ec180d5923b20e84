package dev.weft.bench.rounds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Every measured run of one harness invocation, read from its results log. Immutable.
 *
 * <p>A server that failed to start in a round has no run in that round; lookups then return NaN and
 * the comparisons leave that round out rather than pairing values from different rounds. Likewise
 * within a round, a comparison pairs only values of the same cycle.
 */
final class RoundResults {

    private final List<RunResult> runs;

    private RoundResults(List<RunResult> runs) {
        this.runs = List.copyOf(runs);
    }

    /**
     * Reads a results log: {@code run} lines are runs; blank lines, {@code #} comments and lines
     * starting with any other word (warm-ups, rounds' notes, memory) are not.
     *
     * @throws IllegalArgumentException if a {@code run} line is malformed (naming the line)
     */
    static RoundResults parse(List<String> lines) {
        List<RunResult> runs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith(RunResult.TAG + " ")) {
                try {
                    runs.add(RunResult.parse(line));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("results log line " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
        }
        return new RoundResults(runs);
    }

    /** Reads the results log at {@code file}, as {@link #parse(List)}. */
    static RoundResults read(Path file) throws IOException {
        return parse(Files.readAllLines(file));
    }

    /** The rounds that have at least one run, in order. */
    SortedSet<Integer> rounds() {
        SortedSet<Integer> rounds = new TreeSet<>();
        for (RunResult r : runs) {
            rounds.add(r.round());
        }
        return rounds;
    }

    /** The cycles of {@code round} that have at least one run, in order. */
    SortedSet<Integer> cycles(int round) {
        SortedSet<Integer> cycles = new TreeSet<>();
        for (RunResult r : runs) {
            if (r.round() == round) {
                cycles.add(r.cycle());
            }
        }
        return cycles;
    }

    /**
     * The value of {@code metric} for {@code server} under {@code scenario} in {@code round}: the
     * median of its known values over the round's cycles (each cycle measures a server once); NaN
     * if the round has no known value.
     */
    double value(int round, String server, String scenario, Metric metric) {
        List<Double> values = new ArrayList<>();
        for (RunResult r : runs) {
            if (r.round() == round && r.server().equals(server) && r.scenario().equals(scenario)
                    && Double.isFinite(r.value(metric))) {
                values.add(r.value(metric));
            }
        }
        return new Spread(values).median();
    }

    /**
     * The value of {@code metric} for {@code server} under {@code scenario} in one cycle of {@code
     * round}: NaN if that run is missing or did not give it.
     */
    double value(int round, int cycle, String server, String scenario, Metric metric) {
        for (RunResult r : runs) {
            if (r.round() == round && r.cycle() == cycle && r.server().equals(server) && r.scenario().equals(scenario)) {
                return r.value(metric);
            }
        }
        return Double.NaN;
    }

    /** The known values of {@code metric} for {@code server} under {@code scenario}, one per round in order. */
    List<Double> perRound(String server, String scenario, Metric metric) {
        List<Double> values = new ArrayList<>();
        for (int round : rounds()) {
            double v = value(round, server, scenario, metric);
            if (Double.isFinite(v)) {
                values.add(v);
            }
        }
        return values;
    }

    /** The errors counted over all runs of {@code server} under {@code scenario}; -1 if any run's count is unknown. */
    long errors(String server, String scenario) {
        long sum = 0;
        for (RunResult r : runs) {
            if (r.server().equals(server) && r.scenario().equals(scenario)) {
                if (r.errors() < 0) {
                    return -1;
                }
                sum += r.errors();
            }
        }
        return sum;
    }
}
