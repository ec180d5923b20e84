package dev.weft.bench.xen;

import dev.weft.bench.load.CommandLine;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./weft bench xen}, second table: a vchan between two domains of the hypervisor model beside
 * a TCP loopback connection on io-unix, each between two loops on two threads, in one JVM and one
 * run. Two rows per transport: one-way throughput ({@code --mib} MiB written in 64 KiB pieces by the
 * client and drained by the server; MB/s = 10^6 bytes per second from the first write to the last
 * byte read) and round trips per second of 16-byte ping-pong against an echo ({@code --seconds}
 * per run, every reply checked). Each row is one warm-up run (discarded) and {@code --runs}
 * measured runs; the table shows the median and every run.
 *
 * <p>Usage: {@code VchanBench [--seconds 5] [--runs 3] [--mib 256] [--ring-kib 64]}
 */
public final class VchanBench {
    private static final int CHUNK = 64 * 1024;

    private VchanBench() {}

    /** Medians and every run of one row. */
    private record Row(double[] runs) {
        double median() {
            double[] sorted = runs.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }

        String each() {
            List<String> all = new ArrayList<>();
            for (double value : runs) {
                all.add(String.format(Locale.ROOT, "%.0f", value));
            }
            return String.join("/", all);
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
        long bytes = cl.integer("mib", 256) << 20;
        int ringBytes = Math.toIntExact(cl.integer("ring-kib", 64) << 10);

        Row[] vchan;
        Row[] tcp;
        String vchanName;
        try (FlowPair pair = new VchanOnModel(ringBytes)) {
            vchanName = pair.name();
            vchan = measure(pair, bytes, nanos, runs);
        }
        try (FlowPair pair = new TcpLoopback()) {
            tcp = measure(pair, bytes, nanos, runs);
        }
        System.out.printf(Locale.ROOT, "%s vs tcp loopback (io-unix epoll), two loops on two threads; median of runs%n",
                vchanName);
        System.out.printf(Locale.ROOT, "%-42s %14s %14s %9s   %s%n", "", "vchan (model)", "tcp loopback", "vchan/tcp",
                "runs: vchan | tcp");
        row("throughput MB/s, " + (bytes >> 20) + " MiB one way", vchan[0], tcp[0]);
        row("round trips/s, 16-byte ping-pong", vchan[1], tcp[1]);
    }

    private static Row[] measure(FlowPair pair, long bytes, long nanos, int runs) throws Exception {
        System.err.printf(Locale.ROOT, "weft bench xen: %s: warm-up + %d transfers of %d MiB, then warm-up + %d x %d s"
                + " ping-pong%n", pair.name(), runs, bytes >> 20, runs, TimeUnit.NANOSECONDS.toSeconds(nanos));
        MemorySegment chunk = Arena.ofAuto().allocate(CHUNK, 8);
        double[] throughput = new double[runs];
        transfer(pair, bytes, chunk);
        for (int i = 0; i < runs; i++) {
            throughput[i] = transfer(pair, bytes, chunk);
        }
        CompletableFuture<Void> echo = pair.onServer(FlowLoad::echo);
        double[] roundTrips = new double[runs];
        pingPong(pair, nanos);
        for (int i = 0; i < runs; i++) {
            roundTrips[i] = pingPong(pair, nanos);
        }
        if (echo.isDone()) {
            echo.get(); // the echo ended early: say why
        }
        return new Row[] {new Row(throughput), new Row(roundTrips)};
    }

    /** One transfer of {@code bytes}; MB/s. */
    private static double transfer(FlowPair pair, long bytes, MemorySegment chunk) throws Exception {
        CompletableFuture<Long> drained = pair.onServer(flow -> FlowLoad.drain(flow, bytes));
        long start = System.nanoTime();
        CompletableFuture<Long> sent = pair.onClient(flow -> FlowLoad.send(flow, bytes, chunk));
        long received = drained.get(600, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        if (sent.get(60, TimeUnit.SECONDS) != bytes || received != bytes) {
            throw new IllegalStateException("sent " + sent.get() + ", received " + received + " of " + bytes);
        }
        return bytes * 1e3 / elapsed;
    }

    /** One ping-pong run; round trips per second. */
    private static double pingPong(FlowPair pair, long nanos) throws Exception {
        FlowLoad.PingPongResult result = pair.onClient(flow -> FlowLoad.pingPong(flow, nanos))
                .get(nanos / 1_000_000_000L + 60, TimeUnit.SECONDS);
        if (result.mismatches() != 0) {
            throw new IllegalStateException(result.mismatches() + " replies differed from their message");
        }
        return result.perSecond();
    }

    private static void row(String what, Row vchan, Row tcp) {
        System.out.printf(Locale.ROOT, "%-42s %14.0f %14.0f %8.2fx   %s | %s%n", what, vchan.median(), tcp.median(),
                vchan.median() / tcp.median(), vchan.each(), tcp.each());
    }
}
