package dev.weft.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A TCP echo ping-pong load generator: N connections, each sends a message, waits for its echo, and
 * sends again. Runs on the calling thread only, one selector for all connections, so that it can be
 * pinned to one CPU like wrk.
 *
 * <p>Bounded: it stops after {@code --seconds} of measurement (after {@code --warmup-seconds}) or
 * {@code --max-round-trips}, whichever comes first, and drives loopback only. It prints one line:
 * {@code round_trips=… seconds=… rps=… p50_us=… p99_us=…}.
 *
 * <p>Usage: {@code EchoLoad --port N [--host 127.0.0.1] [--connections 64] [--size 64]
 * [--seconds 5] [--warmup-seconds 1] [--max-round-trips 100000000]}
 */
public final class EchoLoad {

    private static final long SELECT_TIMEOUT_MILLIS = 100;

    private EchoLoad() {}

    /**
     * Runs the load and prints its result.
     *
     * @param args the options above
     * @throws IOException if a connection fails or the server echoes wrongly
     */
    public static void main(String[] args) throws IOException {
        CommandLine cl = CommandLine.parse(args);
        InetSocketAddress target = cl.loopbackTarget();
        int connections = Math.toIntExact(cl.integer("connections", 64));
        int size = Math.toIntExact(cl.integer("size", 64));
        long warmupNanos = cl.integer("warmup-seconds", 1) * 1_000_000_000L;
        long measureNanos = cl.integer("seconds", 5) * 1_000_000_000L;
        long maxRoundTrips = cl.integer("max-round-trips", 100_000_000L);

        ByteBuffer message = randomMessage(size);
        try (Selector selector = Selector.open()) {
            List<EchoConnection> all = connect(selector, target, connections, message);
            LatencyHistogram histogram = new LatencyHistogram();
            long start = System.nanoTime();
            long measureFrom = start + warmupNanos;
            long end = run(selector, all, histogram, measureFrom, measureFrom + measureNanos, maxRoundTrips);
            double seconds = (end - measureFrom) / 1e9;
            System.out.printf(Locale.ROOT,
                    "round_trips=%d seconds=%.3f rps=%.0f p50_us=%.1f p99_us=%.1f connections=%d size=%d%n",
                    histogram.count(), seconds, histogram.count() / seconds,
                    histogram.percentileMicros(0.50), histogram.percentileMicros(0.99), connections, size);
            for (EchoConnection c : all) {
                c.channel().close();
            }
        }
    }

    private static ByteBuffer randomMessage(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return ByteBuffer.allocateDirect(size).put(bytes).flip();
    }

    private static List<EchoConnection> connect(
            Selector selector, InetSocketAddress target, int connections, ByteBuffer message) throws IOException {
        List<EchoConnection> all = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            SocketChannel channel = SocketChannel.open(target);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            EchoConnection c = new EchoConnection(channel, message);
            channel.register(selector, SelectionKey.OP_READ, c);
            all.add(c);
        }
        return all;
    }

    /** The load loop; returns the time it stopped. */
    private static long run(Selector selector, List<EchoConnection> all, LatencyHistogram histogram,
            long measureFrom, long deadline, long maxRoundTrips) throws IOException {
        long now = System.nanoTime();
        for (EchoConnection c : all) {
            if (!c.send(now)) {
                c.channel().keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }
        while (now < deadline && histogram.count() < maxRoundTrips) {
            selector.select(SELECT_TIMEOUT_MILLIS);
            now = System.nanoTime();
            for (SelectionKey key : selector.selectedKeys()) {
                EchoConnection c = (EchoConnection) key.attachment();
                if (key.isWritable() && c.flush()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
                if (key.isReadable()) {
                    long rtt = c.receive(now);
                    if (rtt >= 0) {
                        if (now >= measureFrom) {
                            histogram.record(rtt);
                        }
                        key.interestOps(c.send(now) ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        return Math.min(now, deadline);
    }
}
