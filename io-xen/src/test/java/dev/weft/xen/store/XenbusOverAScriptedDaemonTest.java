package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.bus.Frontend;
import dev.weft.xen.bus.XenbusDriver;
import dev.weft.xen.bus.XenbusEnd;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A xenbus frontend against a daemon the test scripts reply by reply, to see what a failing end
 * waits for: it stops (rejecting {@code stopped()}) only once xenstored has answered its unwatch,
 * so that no watch is left behind; a daemon that never answers holds it only as long as the
 * connection lives, since closing the connection fails every request still waiting.
 */
class XenbusOverAScriptedDaemonTest {
    private static final String FRONT = "/local/domain/5/device/vif/0";
    private static final String BACK = "/local/domain/0/backend/vif/5/0";

    private final Loop loop = Loop.create();
    private final FakeDaemon daemon = new FakeDaemon(loop);

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void aFailingEndWhoseUnwatchIsNeverAnsweredStopsOnceTheConnectionCloses() {
        IllegalStateException refused = new IllegalStateException("the driver refuses this backend");
        Promise<Frontend> starting = Frontend.start(daemon.client, FRONT, new XenbusDriver() {
            @Override
            public Promise<Void> connect(XenbusEnd end) {
                return Promise.rejected(refused);
            }

            @Override
            public Promise<Void> disconnect(XenbusEnd end) {
                return Promise.unit();
            }
        });
        answer(MessageType.READ, List.of(FRONT + "/backend"), BACK);
        answer(MessageType.WRITE, List.of(FRONT + "/state", "1"), "OK");
        Message watch = expect(MessageType.WATCH, List.of(BACK + "/state"));
        daemon.reply(watch, Message.strings("OK"));
        Frontend frontend = loop.run(starting);
        String token = Message.split(watch.payload()).get(1);
        daemon.send(Message.of(MessageType.WATCH_EVENT, 0, 0, Message.strings(BACK + "/state", token)).toBytes());
        answer(MessageType.READ, List.of(BACK + "/state"), "2"); // InitWait: the driver refuses
        answer(MessageType.WRITE, List.of(FRONT + "/state", "5"), "OK");
        answer(MessageType.WRITE, List.of(FRONT + "/state", "6"), "OK");
        expect(MessageType.UNWATCH, List.of(BACK + "/state", token)); // and never answered

        loop.run(Promise.pause());
        assertTrue(frontend.stopped().isPending(), "it waits for the unwatch to be answered");
        loop.run(daemon.client.close());
        Throwable failure = loop.run(frontend.stopped().map(v -> (Throwable) null).recover(Promise::of));
        assertSame(refused, failure);
    }

    /** The next request is of {@code type} and starts with {@code parts}. */
    private Message expect(MessageType type, List<String> parts) {
        Message request = loop.run(daemon.nextRequest());
        assertEquals(type, request.knownType(), request.toString());
        assertEquals(parts, Message.split(request.payload()).subList(0, parts.size()), request.toString());
        return request;
    }

    private void answer(MessageType type, List<String> parts, String reply) {
        Message request = expect(type, parts);
        daemon.reply(request, type == MessageType.READ ? reply.getBytes() : Message.strings(reply));
    }
}
