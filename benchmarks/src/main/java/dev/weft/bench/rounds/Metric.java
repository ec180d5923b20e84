package dev.weft.bench.rounds;

/**
 * What one run measured: its rate (requests or round trips per second) or a latency percentile in
 * microseconds. Each metric knows its key in the results log and which direction is better.
 */
enum Metric {
    /** Requests or round trips per second: higher is better. */
    RATE("rate", true),
    /** The median latency in microseconds: lower is better. */
    P50("p50_us", false),
    /** The 99th-percentile latency in microseconds: lower is better. */
    P99("p99_us", false);

    private final String key;
    private final boolean higherIsBetter;

    Metric(String key, boolean higherIsBetter) {
        this.key = key;
        this.higherIsBetter = higherIsBetter;
    }

    /** The metric's key in a {@code run} line and in a target ({@code rate}, {@code p50_us}, {@code p99_us}). */
    String key() {
        return key;
    }

    /** Whether a higher value is the better one. */
    boolean higherIsBetter() {
        return higherIsBetter;
    }

    /**
     * The metric a target names: its key, or {@code p50}/{@code p99} for short.
     *
     * @throws IllegalArgumentException if no metric has that name
     */
    static Metric named(String name) {
        for (Metric m : values()) {
            if (m.key.equals(name) || m.key.equals(name + "_us")) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + name + "': expected rate, p50 or p99");
    }
}
