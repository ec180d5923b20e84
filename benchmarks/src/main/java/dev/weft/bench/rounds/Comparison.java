package dev.weft.bench.rounds;

import java.util.ArrayList;
import java.util.List;

/**
 * One server's metric over another's, taken round by round: {@code weft-epoll / netty} on rate,
 * {@code weft-epoll / c} on p99, or a scaling factor {@code weft-epoll-2 / weft-epoll}.
 *
 * @param numerator the server on top
 * @param denominator the server it is compared with
 * @param metric what is compared
 */
record Comparison(String numerator, String denominator, Metric metric) {

    /**
     * The ratio of each round that measured both servers, in round order: the median of the round's
     * per-cycle ratios, each of two windows measured seconds apart in the same cycle. Why per cycle:
     * this machine switches between a fast and a slow state (about 35% apart in kernel time per
     * round trip, for every server alike) at moments of its own; a cycle's two windows nearly always
     * fall in the same state, and the median drops the cycle that straddles a switch, where a ratio
     * of windows taken a minute apart pairs whatever states they fell in.
     */
    Spread ratios(RoundResults results, String scenario) {
        List<Double> ratios = new ArrayList<>();
        for (int round : results.rounds()) {
            List<Double> perCycle = new ArrayList<>();
            for (int cycle : results.cycles(round)) {
                double top = results.value(round, cycle, numerator, scenario, metric);
                double bottom = results.value(round, cycle, denominator, scenario, metric);
                if (top > 0 && bottom > 0 && Double.isFinite(top) && Double.isFinite(bottom)) {
                    perCycle.add(top / bottom);
                }
            }
            if (!perCycle.isEmpty()) {
                ratios.add(new Spread(perCycle).median());
            }
        }
        return new Spread(ratios);
    }

    /** Whether this is a server with two loops over the same server with one. */
    boolean isScaling() {
        return numerator.equals(denominator + TWO_LOOPS);
    }

    /** Whether a server of this comparison runs two loops (and so shares a CPU with the load generator). */
    boolean involvesTwoLoops() {
        return numerator.endsWith(TWO_LOOPS) || denominator.endsWith(TWO_LOOPS);
    }

    /** The comparison as the report names it, e.g. {@code p99 weft-epoll / c}, {@code scaling netty-2 / netty}. */
    String label() {
        String prefix = isScaling() ? "scaling " : metric == Metric.RATE ? "" : metric.key().replace("_us", "") + " ";
        return prefix + numerator + " / " + denominator;
    }

    /** The suffix of a server with two loops (or two event loops): {@code weft-epoll-2}, {@code netty-2}. */
    static final String TWO_LOOPS = "-2";

    /** The C reference server's name. */
    static final String C = "c";

    /** Netty's one-loop server's name. */
    static final String NETTY = "netty";

    /**
     * The comparisons the report makes among {@code servers}: each of Weft's one-loop servers over
     * Netty and over C; Netty over C; NIO over epoll; each of Weft's two-loop servers over Netty's;
     * each two-loop server over its one-loop self (the scaling factor); and the p99 of each one-loop
     * server over C's. A comparison whose servers are not both listed is left out.
     *
     * @param servers the servers of the table, in the table's order
     */
    static List<Comparison> standardSet(List<String> servers) {
        List<Comparison> set = new ArrayList<>();
        List<String> weftOne = new ArrayList<>();
        List<String> weftTwo = new ArrayList<>();
        for (String s : servers) {
            if (s.startsWith("weft")) {
                (s.endsWith(TWO_LOOPS) ? weftTwo : weftOne).add(s);
            }
        }
        for (String w : weftOne) {
            addIfBoth(set, servers, w, NETTY, Metric.RATE);
            addIfBoth(set, servers, w, C, Metric.RATE);
        }
        addIfBoth(set, servers, NETTY, C, Metric.RATE);
        addIfBoth(set, servers, "weft-nio", "weft-epoll", Metric.RATE);
        for (String w : weftTwo) {
            addIfBoth(set, servers, w, NETTY + TWO_LOOPS, Metric.RATE);
        }
        for (String s : servers) {
            if (s.endsWith(TWO_LOOPS)) {
                addIfBoth(set, servers, s, s.substring(0, s.length() - TWO_LOOPS.length()), Metric.RATE);
            }
        }
        for (String s : servers) {
            if (!s.equals(C) && !s.endsWith(TWO_LOOPS)) {
                addIfBoth(set, servers, s, C, Metric.P99);
            }
        }
        return set;
    }

    private static void addIfBoth(List<Comparison> set, List<String> servers, String top, String bottom, Metric metric) {
        if (servers.contains(top) && servers.contains(bottom)) {
            set.add(new Comparison(top, bottom, metric));
        }
    }
}
