package dev.weft.unix.net;

import static dev.weft.unix.net.Net.ANY_LOOPBACK;
import static dev.weft.unix.net.Net.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.device.Flow;
import dev.weft.promise.ContextKey;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Context across I/O waits, the server use case (request ids, as MDC gives threads): two
 * connections handled at once on one loop, each handler with its own request id bound by
 * Promise.withValue, each waiting on its socket; whichever wakes first, each sees its own id.
 * Runs on every engine.
 */
class ContextAcrossSocketsTest {
    private static final ContextKey<String> REQUEST_ID = ContextKey.named("request-id");

    @SocketTest
    void twoConcurrentRequestsKeepTheirOwnIdsAcrossReadsAndWrites(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] first = net.connectedPair(listener);
            SocketFlow[] second = net.connectedPair(listener);
            List<String> log = new ArrayList<>();
            Promise<Void> handlers = Promise.join(
                    Promise.withValue(REQUEST_ID, "req-1", () -> handle(first[1], log)),
                    Promise.withValue(REQUEST_ID, "req-2", () -> handle(second[1], log)));

            // the second request's bytes arrive first, so the handlers wake in the other order
            net.run(second[0].write(text("b")));
            String secondReply = net.readString(second[0], "req-2".length());
            net.run(first[0].write(text("a")));
            String firstReply = net.readString(first[0], "req-1".length());
            net.run(handlers);

            assertEquals(List.of("req-2 read b", "req-2 wrote", "req-1 read a", "req-1 wrote"), log);
            assertEquals("req-2", secondReply);
            assertEquals("req-1", firstReply);
        }
    }

    /** One request: wait for a byte, log it under the bound id, answer with the id, log again. */
    private static Promise<Void> handle(SocketFlow flow, List<String> log) {
        return flow.read().flatMap(read -> {
            Flow.Data data = (Flow.Data) read;
            String body = new String(data.bytes().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            log.add(REQUEST_ID.get() + " read " + body);
            return flow.write(text(REQUEST_ID.get()));
        }).map(written -> {
            log.add(REQUEST_ID.get() + " wrote");
            return null;
        });
    }
}
