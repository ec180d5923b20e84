package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import java.io.EOFException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted daemon: matching replies, and what a misbehaving peer does to it. */
class XenStoreProtocolTest {
    private final Loop loop = Loop.create();
    private final FakeDaemon daemon = new FakeDaemon(loop);
    private final XenStore client = daemon.client;

    @AfterEach
    void close() {
        loop.run(client.close());
        daemon.hangUp();
        // Let the two ends' last deliveries to each other run before the loop goes.
        for (int i = 0; i < 3; i++) {
            loop.run(Promise.pause());
        }
        loop.close();
    }

    private Throwable failure(Promise<?> promise) {
        try {
            throw new AssertionError("expected a failure, got " + loop.run(promise));
        } catch (RuntimeException e) {
            return e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
        }
    }

    @Test
    void repliesOutOfOrderAreMatchedByRequestId() {
        Promise<String> first = client.read("/first");
        Promise<String> second = client.read("/second");
        Message firstRequest = loop.run(daemon.nextRequest());
        Message secondRequest = loop.run(daemon.nextRequest());
        daemon.reply(secondRequest, "2".getBytes());
        daemon.reply(firstRequest, "1".getBytes());
        assertEquals("1 2", loop.run(first) + " " + loop.run(second));
    }

    @Test
    void aReplyForARequestNotOutstandingBreaksTheConnection() {
        Promise<String> read = client.read("/x");
        Message request = loop.run(daemon.nextRequest());
        daemon.send(new Message(request.type(), request.requestId() + 1, 0, new byte[0]).toBytes());
        assertInstanceOf(XenStoreProtocolException.class, failure(read));
    }

    @Test
    void aHeaderClaimingMoreThanThePayloadLimitBreaksTheConnectionBeforeAnyPayload() {
        Promise<String> read = client.read("/x");
        Message request = loop.run(daemon.nextRequest());
        byte[] header = Arrays.copyOf(new Message(request.type(), request.requestId(), 0, new byte[0]).toBytes(), 16);
        header[12] = header[13] = header[14] = header[15] = (byte) 0xff;
        daemon.send(header);
        assertInstanceOf(XenStoreProtocolException.class, failure(read));
    }

    @Test
    void aReplyOfAnotherTypeBreaksTheConnection() {
        Promise<String> read = client.read("/x");
        daemon.reply(loop.run(daemon.nextRequest()), MessageType.WRITE, Message.strings("OK"));
        assertInstanceOf(XenStoreProtocolException.class, failure(read));
    }

    @Test
    void anErrorNamingAnUnknownErrnoBreaksTheConnection() {
        Promise<String> read = client.read("/x");
        daemon.reply(loop.run(daemon.nextRequest()), MessageType.ERROR, Message.strings("EWHATEVER"));
        assertInstanceOf(XenStoreProtocolException.class, failure(read));
    }

    @Test
    void anErrorReplyRejectsWithItsErrnoName() {
        Promise<String> read = client.read("/x");
        daemon.reply(loop.run(daemon.nextRequest()), MessageType.ERROR, Message.strings("EACCES"));
        assertEquals(XsError.EACCES, ((XenStoreException) failure(read)).error());
    }

    @Test
    void anAcknowledgementOtherThanOkBreaksTheConnection() {
        Promise<Void> write = client.write("/x", "v");
        daemon.reply(loop.run(daemon.nextRequest()), Message.strings("KO"));
        assertInstanceOf(XenStoreProtocolException.class, failure(write));
    }

    @Test
    void aTransactionIdThatIsNotDecimalBreaksTheConnection() {
        Promise<Integer> tx = client.transaction(t -> Promise.of(1));
        daemon.reply(loop.run(daemon.nextRequest()), Message.strings("12a"));
        assertInstanceOf(XenStoreProtocolException.class, failure(tx));
    }

    @Test
    void malformedPermissionsBreakTheConnection() {
        Promise<Permissions> perms = client.getPerms("/x");
        daemon.reply(loop.run(daemon.nextRequest()), Message.strings("q0"));
        assertInstanceOf(XenStoreProtocolException.class, failure(perms));
    }

    @Test
    void aWatchEventWithoutItsTokenBreaksTheConnection() {
        Promise<String> read = client.read("/x");
        loop.run(daemon.nextRequest());
        daemon.send(Message.of(MessageType.WATCH_EVENT, 0, 0, Message.strings("/x")).toBytes());
        assertInstanceOf(XenStoreProtocolException.class, failure(read));
    }

    @Test
    void aWatchEventWithMoreThanPathAndTokenIsDeliveredWithThoseTwo() {
        Promise<Watch> registered = client.watch("/w", "tok");
        daemon.reply(loop.run(daemon.nextRequest()), Message.strings("OK"));
        Watch watch = loop.run(registered);
        daemon.send(Message.of(MessageType.WATCH_EVENT, 0, 0, Message.strings("/w/x", "tok", "extra")).toBytes());
        assertEquals(new WatchEvent("/w/x", "tok"), loop.run(watch.events().next()));
    }

    @Test
    void requestsAfterABreakFailWithTheSameError() {
        Promise<String> read = client.read("/x");
        daemon.reply(loop.run(daemon.nextRequest()), MessageType.WRITE, Message.strings("OK"));
        Throwable first = failure(read);
        assertSame(first, failure(client.read("/y")));
    }

    @Test
    void aMalformedReplyPayloadBreaksTheConnectionForLaterRequests() {
        Promise<Void> write = client.write("/x", "v");
        daemon.reply(loop.run(daemon.nextRequest()), Message.strings("KO"));
        Throwable first = failure(write);
        assertSame(first, failure(client.read("/y")));
    }

    @Test
    void aBreakEndsEveryWatchStream() {
        Promise<Watch> registered = client.watch("/w", "tok");
        daemon.reply(loop.run(daemon.nextRequest()), Message.strings("OK"));
        Watch watch = loop.run(registered);
        daemon.send(Message.of(MessageType.READ, 77, 0, new byte[0]).toBytes());
        loop.run(watch.events().closed());
        assertInstanceOf(XenStoreProtocolException.class, client.failure());
    }

    @Test
    void aReplyArrivingOneByteAtATimeIsReassembled() {
        Promise<String> read = client.read("/x");
        Message request = loop.run(daemon.nextRequest());
        byte[] reply = new Message(request.type(), request.requestId(), 0, "value".getBytes()).toBytes();
        for (byte b : reply) {
            daemon.send(new byte[] {b});
        }
        assertEquals("value", loop.run(read));
    }

    @Test
    void closeFailsOutstandingRequestsWithClosedChannelException() {
        Promise<String> read = client.read("/x");
        loop.run(client.close());
        assertInstanceOf(ClosedChannelException.class, failure(read));
    }

    @Test
    void theDaemonHangingUpFailsOutstandingRequestsWithEndOfFile() {
        Promise<String> read = client.read("/x");
        loop.run(daemon.nextRequest());
        daemon.hangUp();
        assertInstanceOf(EOFException.class, failure(read));
    }

    @Test
    void aCancelledRequestsReplyIsConsumedWithoutBreakingTheConnection() {
        Promise<String> read = client.read("/x");
        Message request = loop.run(daemon.nextRequest());
        read.cancel();
        daemon.reply(request, "late".getBytes());
        Promise<String> next = client.read("/y");
        daemon.reply(loop.run(daemon.nextRequest()), "fine".getBytes());
        assertEquals("fine", loop.run(next));
    }

    @Test
    void aWatchCancelledBeforeItsAcknowledgementIsTakenBackFromTheDaemon() {
        Promise<Watch> watch = client.watch("/k", "t1");
        Message watchRequest = loop.run(daemon.nextRequest());
        watch.cancel();
        daemon.reply(watchRequest, Message.strings("OK"));
        handleEverythingSentSoFar();
        client.read("/after");
        Message next = loop.run(daemon.nextRequest());
        assertEquals(MessageType.UNWATCH.number(), next.type(), "got " + next);
        assertEquals("/k\0t1\0", new String(next.payload()));
    }

    @Test
    void aTransactionCancelledBeforeItStartedIsAbortedAtTheDaemon() {
        Promise<String> transaction = client.transaction(tx -> tx.read("/k"));
        Message start = loop.run(daemon.nextRequest());
        transaction.cancel();
        daemon.reply(start, Message.strings("17"));
        handleEverythingSentSoFar();
        client.read("/after");
        Message next = loop.run(daemon.nextRequest());
        assertEquals(MessageType.TRANSACTION_END.number(), next.type(), "got " + next);
        assertEquals(17, next.transactionId());
        assertEquals("F\0", new String(next.payload()));
    }

    /** A read answered: the client has handled every reply the daemon sent before it. */
    private void handleEverythingSentSoFar() {
        Promise<String> probe = client.read("/probe");
        daemon.reply(loop.run(daemon.nextRequest()), "probe".getBytes());
        assertEquals("probe", loop.run(probe));
    }

    @Test
    void theRequestCarriesTheTypeThePathAndANul() {
        client.read("/local/domain/3/name");
        Message request = loop.run(daemon.nextRequest());
        assertEquals(MessageType.READ.number(), request.type());
        assertEquals("/local/domain/3/name\0", new String(request.payload()));
    }

    @Test
    void aWriteSendsThePathANulAndTheValueWithoutATerminator() {
        client.write("/k", "v1");
        assertEquals("/k\0v1", new String(loop.run(daemon.nextRequest()).payload()));
    }

    @Test
    void requestsInsideATransactionCarryItsId() {
        client.transaction(tx -> tx.read("/k"));
        daemon.reply(loop.run(daemon.nextRequest()), Message.strings("17"));
        assertEquals(17, loop.run(daemon.nextRequest()).transactionId());
    }
}
