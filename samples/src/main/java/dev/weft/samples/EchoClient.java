package dev.weft.samples;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.PromiseLists;
import dev.weft.unix.net.Sockets;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A TCP echo client as a promise pipeline: N connections at once, each sending M messages and
 * checking every echo byte for byte, then reporting round trips per second.
 *
 * <p>Usage: {@code EchoClient [--host 127.0.0.1] [--port 7007] [--connections 4] [--messages 1000]
 * [--engine epoll|nio]}
 */
public final class EchoClient {
    private EchoClient() {}

    /**
     * Sends {@code messages} numbered messages over {@code flow}, waiting for each echo, and checks
     * the echoed bytes.
     *
     * @return fulfilled with the number of round trips, rejected if an echo differs or ends early
     */
    public static Promise<Integer> pingPong(Flow flow, int connection, int messages) {
        return round(flow, connection, 0, messages);
    }

    private static Promise<Integer> round(Flow flow, int connection, int sent, int messages) {
        if (sent == messages) {
            return Promise.of(sent);
        }
        byte[] message = ("conn " + connection + " message " + sent + "\n").getBytes(StandardCharsets.US_ASCII);
        return flow.write(MemorySegment.ofArray(message))
                .flatMap(v -> expect(flow, message, 0))
                .flatMap(v -> round(flow, connection, sent + 1, messages));
    }

    /** Reads until all of {@code expected} came back (the echo may arrive in pieces). */
    private static Promise<Void> expect(Flow flow, byte[] expected, int matched) {
        if (matched == expected.length) {
            return Promise.unit();
        }
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> {
                byte[] got = bytes.toArray(ValueLayout.JAVA_BYTE);
                if (matched + got.length > expected.length
                        || !Arrays.equals(got, 0, got.length, expected, matched, matched + got.length)) {
                    yield Promise.rejected(new IllegalStateException("echo differs from what was sent"));
                }
                yield expect(flow, expected, matched + got.length);
            }
            case Flow.EndOfStream end -> Promise.rejected(new IllegalStateException("server closed mid-echo"));
        });
    }

    /**
     * Runs the client.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        Map<String, String> defaults = SampleOptions.network(7007);
        defaults.put("connections", "4");
        defaults.put("messages", "1000");
        SampleOptions options = SampleOptions.parse(args,
                "EchoClient [--host H] [--port N] [--connections C] [--messages M] [--engine epoll|nio]", defaults);
        int connections = options.integer("connections");
        int messages = options.integer("messages");
        Engine engine = options.engine();
        try (Loop loop = Loop.builder().name("weft-echo-client").engine(engine).build()) {
            Sockets sockets = Sockets.on(loop);
            InetSocketAddress server = options.address();
            int perConnection = messages;
            long start = System.nanoTime();
            var all = PromiseLists.mapP(IntStream.range(0, connections).boxed().toList(), c ->
                    sockets.connect(server, Duration.ofSeconds(10)).flatMap(flow ->
                            pingPong(flow, c, perConnection).andFinally(flow::close)));
            int total = loop.run(all).stream().mapToInt(Integer::intValue).sum();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d round trips over %d connections in %.3f s: %.0f round trips/s%n",
                    total, connections, seconds, total / seconds);
        }
    }
}
