package dev.weft.xen.store;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Stream;
import dev.weft.promise.StreamPush;
import dev.weft.xen.sim.LoopbackFlow;
import java.lang.foreign.MemorySegment;

/**
 * A scripted daemon on the test's loop: it collects the client's requests and sends whatever
 * bytes the test tells it to, valid or not.
 */
final class FakeDaemon {
    final XenStore client;
    private final LoopbackFlow end;
    private final MessageReader reader = new MessageReader();
    private final Stream<Message> requests;
    private final StreamPush<Message> push;

    FakeDaemon(Loop loop) {
        LoopbackFlow[] ends = LoopbackFlow.pair(loop, loop);
        client = XenStore.over(ends[0], loop);
        end = ends[1];
        Stream.WithPush<Message> created = Stream.create();
        requests = created.stream();
        push = created.push();
        Promise.async(this::pump);
    }

    private Promise<Void> pump() {
        return reader.readFrom(end, push::push, () -> false).tryBind(ended -> {
            push.close();
            return Promise.unit();
        }, closed -> {
            push.close();
            return Promise.unit();
        });
    }

    /** The next request the client sent. */
    Promise<Message> nextRequest() {
        return requests.next();
    }

    /** Sends raw bytes to the client. */
    void send(byte[] bytes) {
        end.write(MemorySegment.ofArray(bytes));
    }

    /** Answers {@code request} with its own type and {@code payload}. */
    void reply(Message request, byte[] payload) {
        send(new Message(request.type(), request.requestId(), request.transactionId(), payload).toBytes());
    }

    /** Answers {@code request} with a message of {@code type}. */
    void reply(Message request, MessageType type, byte[] payload) {
        send(Message.of(type, request.requestId(), request.transactionId(), payload).toBytes());
    }

    /** Closes the daemon's end: the client sees the end of the stream. */
    void hangUp() {
        end.close();
    }
}
