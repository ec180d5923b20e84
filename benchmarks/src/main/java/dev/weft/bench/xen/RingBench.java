package dev.weft.bench.xen;

import dev.weft.bench.load.CommandLine;
import dev.weft.bench.load.LatencyHistogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./weft bench xen}: round trips per second through a Xen shared ring between two loops on
 * the hypervisor model, and the one-way notify-to-wake delay, beside the same request/response
 * over a Unix-domain socket between two loops on io-unix's epoll engine, in one JVM and one run.
 *
 * <p>Two loads per transport: a window of {@code --window} requests in flight (128 by default,
 * the ring's size: every slot busy), and ping-pong (one in flight), whose server-side one-way
 * delays (client sends → server's handler runs) give the p50/p99 wake latency. Each row is one
 * warm-up run (discarded) and {@code --runs} measured runs of {@code --seconds}; the table shows the
 * median and every run. Prints the table on standard output.
 *
 * <p>Usage: {@code RingBench [--seconds 5] [--runs 3] [--window 128]}
 */
public final class RingBench {
    private RingBench() {}

    /** One row: round trips per second of each run and the one-way delays of the last. */
    private record Row(double[] perSecond, double p50Micros, double p99Micros, long mismatches,
                       double signalsPerThousand) {
        double median() {
            double[] sorted = perSecond.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }

        String runs() {
            List<String> each = new ArrayList<>();
            for (double value : perSecond) {
                each.add(String.format(Locale.ROOT, "%.0f", value));
            }
            return String.join("/", each);
        }
    }

    /**
     * Runs both transports and prints the table.
     *
     * @param args the options above
     * @throws Exception if a transport fails to start or a run fails
     */
    public static void main(String[] args) throws Exception {
        CommandLine cl = CommandLine.parse(args);
        long nanos = TimeUnit.SECONDS.toNanos(cl.integer("seconds", 5));
        int runs = Math.toIntExact(cl.integer("runs", 3));
        int window = Math.toIntExact(cl.integer("window", 128));

        Row[] ring = new Row[2];
        Row[] socket = new Row[2];
        try (RoundTrips transport = new RingOnModel()) {
            ring[0] = measure(transport, window, nanos, runs);
            ring[1] = measure(transport, 1, nanos, runs);
        }
        try (RoundTrips transport = new UnixSocketPair()) {
            socket[0] = measure(transport, window, nanos, runs);
            socket[1] = measure(transport, 1, nanos, runs);
        }
        print(window, ring, socket);
        if (ring[0].mismatches() + ring[1].mismatches() + socket[0].mismatches() + socket[1].mismatches() != 0) {
            throw new IllegalStateException("a response did not match its request: the benchmark computed the wrong thing");
        }
    }

    private static Row measure(RoundTrips transport, int window, long nanos, int runs) throws Exception {
        System.err.printf(Locale.ROOT, "weft bench xen: %s, window %d: warm-up + %d x %d s%n", transport.name(),
                window, runs, TimeUnit.NANOSECONDS.toSeconds(nanos));
        once(transport, window, nanos);
        double[] perSecond = new double[runs];
        long mismatches = 0;
        LatencyHistogram delays = null;
        long signals = 0;
        long roundTrips = 0;
        for (int i = 0; i < runs; i++) {
            transport.swapHistogram();
            transport.takeSignals();
            WindowLoad.Result result = once(transport, window, nanos);
            delays = transport.swapHistogram();
            signals += transport.takeSignals();
            roundTrips += result.roundTrips();
            perSecond[i] = result.perSecond();
            mismatches += result.mismatches();
        }
        return new Row(perSecond, delays.percentileMicros(0.50), delays.percentileMicros(0.99), mismatches,
                signals * 1000.0 / roundTrips);
    }

    private static WindowLoad.Result once(RoundTrips transport, int window, long nanos) throws Exception {
        return transport.onClient(() -> WindowLoad.run(transport, window, nanos))
                .get(nanos / 1_000_000_000L + 60, TimeUnit.SECONDS);
    }

    private static void print(int window, Row[] ring, Row[] socket) {
        System.out.printf(Locale.ROOT, "16-byte request/response between two loops on two threads; median of runs%n");
        System.out.printf(Locale.ROOT, "%-42s %14s %14s %9s   %s%n", "", "xen ring", "unix socket", "ring/sock",
                "runs: ring | socket");
        row("round trips/s, window " + window, ring[0].median(), socket[0].median(), true,
                ring[0].runs() + " | " + socket[0].runs());
        row("round trips/s, ping-pong", ring[1].median(), socket[1].median(), true,
                ring[1].runs() + " | " + socket[1].runs());
        row("notify->wake p50 (us), ping-pong", ring[1].p50Micros(), socket[1].p50Micros(), false, "last run");
        row("notify->wake p99 (us), ping-pong", ring[1].p99Micros(), socket[1].p99Micros(), false, "last run");
        row("signals per 1000 round trips, window " + window, ring[0].signalsPerThousand(),
                socket[0].signalsPerThousand(), false, "ring: notifies; socket: writes; all runs");
        row("signals per 1000 round trips, ping-pong", ring[1].signalsPerThousand(),
                socket[1].signalsPerThousand(), false, "both ends together");
    }

    private static void row(String what, double ring, double socket, boolean whole, String runs) {
        String format = whole ? "%-42s %14.0f %14.0f %8.2fx   %s%n" : "%-42s %14.1f %14.1f %8.2fx   %s%n";
        System.out.printf(Locale.ROOT, format, what, ring, socket, ring / socket, runs);
    }
}
