package dev.weft.bench.rounds;

import dev.weft.bench.load.CommandLine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Prints the tables of an interleaved harness run from its results log, as Markdown: per scenario,
 * each server's value per round (the median of its windows in that round) with the median, minimum
 * and maximum, then every standard comparison ({@link Comparison#standardSet}) as per-round ratios
 * (each the median of the round's per-cycle ratios) with their median, minimum, maximum and {@link
 * Verdict}; or the targets' table with pass or fail on the medians. Runs on the
 * calling thread only; reads the log once.
 *
 * <p>Usage: {@code RoundsReport --results FILE --scenario S --servers "c weft-epoll ..." [--unit req/s]}
 * or {@code RoundsReport --results FILE --targets "pipelined weft-epoll/c rate >= 0.90; ..."}.
 */
public final class RoundsReport {

    private static final String TWO_LOOP_MARK = " †";

    private RoundsReport() {}

    /**
     * Prints the tables that the options ask for.
     *
     * @param args the options above
     * @throws IOException if the results log cannot be read
     */
    public static void main(String[] args) throws IOException {
        CommandLine cl = CommandLine.parse(args);
        RoundResults results = RoundResults.read(Path.of(cl.text("results")));
        if (cl.has("targets")) {
            System.out.print(targetTable(results, targets(cl.text("targets"))));
        } else {
            List<String> servers = Arrays.asList(cl.text("servers").strip().split("\\s+"));
            System.out.print(scenarioTables(results, cl.text("scenario"), servers, cl.textOr("unit", "per s")));
        }
    }

    /** Parses targets separated by semicolons. */
    static List<Target> targets(String text) {
        List<Target> targets = new ArrayList<>();
        for (String one : text.split(";")) {
            if (!one.isBlank()) {
                targets.add(Target.parse(one));
            }
        }
        return targets;
    }

    /** The server table and the ratio table of {@code scenario}. */
    static String scenarioTables(RoundResults results, String scenario, List<String> servers, String unit) {
        StringBuilder out = new StringBuilder();
        out.append("| server | ").append(unit).append(", per round | median | min | max | p50 µs (median) | p99 µs (median) | errors |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String server : servers) {
            Spread rate = new Spread(results.perRound(server, scenario, Metric.RATE));
            long errors = results.errors(server, scenario);
            out.append("| ").append(server).append(" | ")
                    .append(perRound(results, server, scenario, Metric.RATE)).append(" | ")
                    .append(whole(rate.median())).append(" | ")
                    .append(whole(rate.min())).append(" | ")
                    .append(whole(rate.max())).append(" | ")
                    .append(micros(new Spread(results.perRound(server, scenario, Metric.P50)).median())).append(" | ")
                    .append(micros(new Spread(results.perRound(server, scenario, Metric.P99)).median())).append(" | ")
                    .append(errors < 0 ? "?" : Long.toString(errors)).append(" |\n");
        }
        out.append('\n');
        out.append("| ratio | per round | median | min | max | verdict |\n");
        out.append("| --- | --- | --- | --- | --- | --- |\n");
        for (Comparison c : Comparison.standardSet(servers)) {
            Spread ratios = c.ratios(results, scenario);
            out.append("| ").append(c.label())
                    .append(c.metric().higherIsBetter() ? "" : " (lower is better)")
                    .append(c.involvesTwoLoops() ? TWO_LOOP_MARK : "").append(" | ")
                    .append(joined(ratios, RoundsReport::ratio)).append(" | ")
                    .append(ratio(ratios.median())).append(" | ")
                    .append(ratio(ratios.min())).append(" | ")
                    .append(ratio(ratios.max())).append(" | ")
                    .append(Verdict.of(ratios).text()).append(" |\n");
        }
        return out.toString();
    }

    /** The targets' table: each target's per-round ratios, their median, and pass or fail on the median. */
    static String targetTable(RoundResults results, List<Target> targets) {
        StringBuilder out = new StringBuilder();
        out.append("| target (median of per-round ratios) | per round | median | rounds meeting it | result |\n");
        out.append("| --- | --- | --- | --- | --- |\n");
        for (Target t : targets) {
            Spread ratios = t.comparison().ratios(results, t.scenario());
            long meeting = ratios.values().stream()
                    .filter(r -> t.judge(new Spread(List.of(r))) == Target.Status.PASS).count();
            Target.Status status = t.judge(ratios);
            out.append("| ").append(t.text()).append(" | ")
                    .append(joined(ratios, RoundsReport::ratio)).append(" | ")
                    .append(ratio(ratios.median())).append(" | ")
                    .append(meeting).append(" of ").append(ratios.values().size()).append(" | ")
                    .append(switch (status) {
                        case PASS -> "pass";
                        case FAIL -> "**FAIL**";
                        case NOT_MEASURED -> "not measured";
                    }).append(" |\n");
        }
        return out.toString();
    }

    /** The server's values round by round, {@code –} for a round without a value. */
    private static String perRound(RoundResults results, String server, String scenario, Metric metric) {
        List<String> cells = new ArrayList<>();
        for (int round : results.rounds()) {
            cells.add(whole(results.value(round, server, scenario, metric)));
        }
        return String.join(" / ", cells);
    }

    private static String joined(Spread spread, DoubleFunction<String> format) {
        if (spread.isEmpty()) {
            return "–";
        }
        List<String> cells = new ArrayList<>();
        for (double v : spread.values()) {
            cells.add(format.apply(v));
        }
        return String.join(" / ", cells);
    }

    private static String whole(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.0f", v) : "–";
    }

    private static String micros(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        return v < 100 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ratio(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "–";
    }
}
