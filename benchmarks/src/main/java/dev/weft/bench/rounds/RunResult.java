package dev.weft.bench.rounds;

import java.util.HashMap;
import java.util.Map;

/**
 * One measured run (a window) of one server in one round: a line of the results log such as
 * <pre>run round=2 cycle=3 server=weft-epoll scenario=plain rate=123456.7 p50_us=480 p99_us=1790 errors=0</pre>
 * A value the load generator did not give is written {@code ?} and held as {@code NaN}. A round
 * measures every server in several cycles of short windows; a line without {@code cycle=} (a log
 * written before cycles) is the round's only cycle, 1.
 *
 * @param round the round, from 1
 * @param cycle the cycle within the round, from 1
 * @param server the server's name in the table ({@code c}, {@code netty}, {@code weft-epoll-2}, ...)
 * @param scenario the load, e.g. {@code plain}, {@code pipelined}, {@code 64conn}
 * @param rate requests or round trips per second
 * @param p50Us median latency in microseconds
 * @param p99Us 99th-percentile latency in microseconds
 * @param errors errors the load generator counted, or -1 if unknown
 */
record RunResult(int round, int cycle, String server, String scenario, double rate, double p50Us, double p99Us, long errors) {

    /** The word that starts a measured run's line; warm-ups and notes start with other words. */
    static final String TAG = "run";

    /** The value of {@code metric} in this run, NaN if unknown. */
    double value(Metric metric) {
        return switch (metric) {
            case RATE -> rate;
            case P50 -> p50Us;
            case P99 -> p99Us;
        };
    }

    /**
     * Parses a {@code run} line.
     *
     * @param line the line, starting with {@link #TAG}
     * @return the run
     * @throws IllegalArgumentException if a field is missing or not a number
     */
    static RunResult parse(String line) {
        String[] words = line.trim().split("\\s+");
        if (!words[0].equals(TAG)) {
            throw new IllegalArgumentException("not a run line (it must start with '" + TAG + " '): " + line);
        }
        Map<String, String> fields = new HashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + words[i] + "' in: " + line);
            }
            fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        String errors = fields.getOrDefault("errors", "?");
        return new RunResult(
                (int) number(fields, "round", line),
                fields.containsKey("cycle") ? (int) number(fields, "cycle", line) : 1,
                text(fields, "server", line),
                text(fields, "scenario", line),
                number(fields, Metric.RATE.key(), line),
                number(fields, Metric.P50.key(), line),
                number(fields, Metric.P99.key(), line),
                errors.equals("?") ? -1 : (long) number(fields, "errors", line));
    }

    private static String text(Map<String, String> fields, String key, String line) {
        String value = fields.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing " + key + "= in: " + line);
        }
        return value;
    }

    private static double number(Map<String, String> fields, String key, String line) {
        String value = fields.getOrDefault(key, "?");
        if (value.equals("?")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + value + " is not a number in: " + line, e);
        }
    }
}
