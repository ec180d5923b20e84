package dev.weft.bench.rounds;

import java.util.Locale;

/**
 * A goal for the median of a comparison's per-round ratios under one scenario, written as
 * {@code pipelined weft-epoll/c rate >= 0.90} or {@code plain weft-epoll/c p99 <= 1.20}.
 *
 * @param scenario the scenario the target is about
 * @param comparison the per-round ratio whose median is judged
 * @param atLeast true for {@code >=}, false for {@code <=}
 * @param bound the bound on the median
 */
record Target(String scenario, Comparison comparison, boolean atLeast, double bound) {

    /** How a target fared in one run of the harness. */
    enum Status {
        /** The median of the per-round ratios meets the bound. */
        PASS,
        /** It does not. */
        FAIL,
        /** No round measured both servers. */
        NOT_MEASURED
    }

    /**
     * Parses {@code SCENARIO NUMERATOR/DENOMINATOR METRIC (>=|<=) BOUND}.
     *
     * @throws IllegalArgumentException if the text does not have that shape, naming what is wrong
     */
    static Target parse(String text) {
        String[] w = text.strip().split("\\s+");
        if (w.length != 5 || w[1].indexOf('/') <= 0 || !(w[3].equals(">=") || w[3].equals("<="))) {
            throw new IllegalArgumentException("target '" + text + "' is not 'SCENARIO A/B METRIC >=|<= BOUND'"
                    + " (e.g. 'pipelined weft-epoll/c rate >= 0.90')");
        }
        String[] pair = w[1].split("/", 2);
        double bound;
        try {
            bound = Double.parseDouble(w[4]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target '" + text + "': bound " + w[4] + " is not a number", e);
        }
        return new Target(w[0], new Comparison(pair[0], pair[1], Metric.named(w[2])), w[3].equals(">="), bound);
    }

    /** This target's status given the per-round ratios it judges. */
    Status judge(Spread ratios) {
        if (ratios.isEmpty()) {
            return Status.NOT_MEASURED;
        }
        double median = ratios.median();
        return (atLeast ? median >= bound : median <= bound) ? Status.PASS : Status.FAIL;
    }

    /** The target as written, e.g. {@code pipelined: weft-epoll / c rate >= 0.90}. */
    String text() {
        return String.format(Locale.ROOT, "%s: %s %s %s %.2f", scenario, comparison.numerator() + " / "
                + comparison.denominator(), comparison.metric().key().replace("_us", ""), atLeast ? ">=" : "<=", bound);
    }
}
