package dev.weft.bench.rounds;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A few measured values (one per round) with their median, minimum and maximum. Immutable; the
 * values keep their round order.
 *
 * @param values the values, in round order
 */
record Spread(List<Double> values) {

    /** Copies {@code values}. */
    Spread {
        values = List.copyOf(values);
    }

    /** Whether there is no value. */
    boolean isEmpty() {
        return values.isEmpty();
    }

    /** The median: the middle value, or the mean of the two middle values of an even count; NaN if empty. */
    double median() {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The smallest value; NaN if empty. */
    double min() {
        return values.isEmpty() ? Double.NaN : Collections.min(values);
    }

    /** The largest value; NaN if empty. */
    double max() {
        return values.isEmpty() ? Double.NaN : Collections.max(values);
    }

    /** Whether the values lie on both sides of {@code bound} or touch it: min <= bound <= max. */
    boolean straddles(double bound) {
        return !values.isEmpty() && min() <= bound && bound <= max();
    }
}
