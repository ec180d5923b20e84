package dev.weft.xen.vchan;

import static dev.weft.xen.ring.Streams.bytes;
import static dev.weft.xen.ring.Streams.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.xen.bus.ManualTime;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import dev.weft.xen.ring.Streams;
import dev.weft.xen.ring.Streams.Summary;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server and a client vchan on two loops and threads of the hypervisor model. */
class VchanTest {
    private static final long MIB = 1024 * 1024;
    /** Times the server's waits: a bound passes only when a test says so. */
    private final ManualTime serverTime = new ManualTime();
    private final VchanPair pair = new VchanPair(serverTime);

    @AfterEach
    void close() {
        pair.close();
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(VchanPair.PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    private Summary[] transfer(Vchan from, VchanPair.End sender, Vchan to, VchanPair.End receiver, long total)
            throws Exception {
        CompletableFuture<Summary> received = receiver.submit(() -> Streams.receive(to, total));
        CompletableFuture<Summary> sent = sender.submit(() -> Streams.send(from, total, 42));
        return new Summary[] {get(sent), get(received)};
    }

    @Test
    void aClientMessageReachesTheServerAndTheReplyComesBack() {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();

        CompletableFuture<Flow.Read> request = pair.server.submit(server::read);
        pair.client.await(() -> client.write(bytes("ping")));
        assertEquals("ping", pair.server.call(() -> text((Flow.Data) request.join())));
        pair.server.await(() -> server.write(bytes("pong")));
        assertEquals("pong", pair.client.await(() -> client.read().map(r -> text((Flow.Data) r))));
    }

    @Test
    void aThousandRoundTripsEachSeeTheirOwnReply() {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        pair.server.submit(() -> echo(server));

        int matched = pair.client.await(() -> roundTrips(client, 0, 1000));

        assertEquals(1000, matched);
    }

    private static Promise<Void> echo(Flow flow) {
        return flow.read().flatMap(read -> read instanceof Flow.Data data
                ? flow.write(bytes(text(data))).flatMap(v -> echo(flow))
                : Promise.unit());
    }

    private static Promise<Integer> roundTrips(Flow flow, int done, int total) {
        if (done == total) {
            return Promise.of(done);
        }
        String message = "message " + done;
        return flow.write(bytes(message)).flatMap(v -> flow.read()).flatMap(read -> {
            String reply = text((Flow.Data) read);
            return reply.equals(message) ? roundTrips(flow, done + 1, total) : Promise.of(done);
        });
    }

    @Test
    void sixtyFourMebibytesCrossRingsOnSeparatePagesIntact() throws Exception {
        Vchan server = pair.listen(64 * 1024, 64 * 1024);
        Vchan client = pair.connect();

        Summary[] ends = transfer(server, pair.server, client, pair.client, 64 * MIB);

        assertEquals(ends[0], ends[1]);
        assertEquals(64 * MIB, ends[1].bytes());
        assertEquals(64 * 1024, pair.client.call(client::readCapacity));
    }

    @Test
    void inPageRingsCarryStreamsBothWaysAtOnceIntact() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();

        CompletableFuture<Summary> atServer = pair.server.submit(() -> Streams.receive(server, 4 * MIB));
        CompletableFuture<Summary> atClient = pair.client.submit(() -> Streams.receive(client, 4 * MIB));
        CompletableFuture<Summary> fromClient = pair.client.submit(() -> Streams.send(client, 4 * MIB, 1));
        CompletableFuture<Summary> fromServer = pair.server.submit(() -> Streams.send(server, 4 * MIB, 2));

        assertEquals(get(fromClient), get(atServer));
        assertEquals(get(fromServer), get(atClient));
    }

    @Test
    void smallSizesPutTheReadRingAt1024AndTheWriteRingAt2048InsideTheControlPage() {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();

        assertEquals(List.of(1024, 2048), pair.server.call(() -> List.of(server.readCapacity(), server.writeCapacity())));
        assertEquals(List.of(2048, 1024), pair.client.call(() -> List.of(client.readCapacity(), client.writeCapacity())));
        assertEquals(1, pair.server.call(() -> pair.server.domain.liveGrants()), "only the control page");
    }

    @Test
    void theLargestRingsSpanTwoHundredFiftySixPagesEachAndCarryAStreamIntact() throws Exception {
        Vchan server = pair.listen(1 << 20, 1 << 20);
        Vchan client = pair.connect();

        Summary[] ends = transfer(client, pair.client, server, pair.server, 8 * MIB);

        assertEquals(ends[0], ends[1]);
        assertEquals(1 + 2 * 256, pair.server.call(() -> pair.server.domain.liveGrants()));
        assertEquals(1 << 20, pair.server.call(server::readCapacity));
    }

    @Test
    void aWriteLargerThanTheRingWaitsUntilTheReaderMakesSpace() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        int size = 3 * 2048 + 100;

        Promise<Void> write = pair.server.call(() -> server.write(bytes("x".repeat(size))));
        assertTrue(pair.server.call(write::isPending), "the ring holds 2048 bytes: the rest must wait");
        assertEquals(2048L, pair.server.call(server::bytesWritten));

        Summary read = pair.client.await(() -> Streams.receive(client, size));
        assertEquals(size, read.bytes());
        assertTrue(pair.server.call(write::isFulfilled));
    }

    @Test
    void aReadWaitsUntilThePeerWrites() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();

        CompletableFuture<Flow.Read> read = pair.client.submit(client::read);
        pair.client.call(() -> null); // the loop's inbox is FIFO: the read has started and waits
        assertFalse(read.isDone(), "nothing was written yet");
        pair.server.await(() -> server.write(bytes("late")));

        assertEquals("late", text((Flow.Data) get(read)));
    }

    @Test
    void serverCloseDeliversItsLastBytesThenEndOfStream() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        pair.server.await(() -> server.write(bytes("last words")));
        CompletableFuture<Void> serverClosed = pair.server.submit(server::close);

        assertEquals("last words", pair.client.await(() -> Streams.readAll(client)));
        assertSame(Flow.END_OF_STREAM, pair.client.await(client::read), "end-of-stream repeats");
        assertFalse(serverClosed.isDone(), "the client still maps the pages: the grants cannot end yet");
        pair.client.await(client::close);
        get(serverClosed);
    }

    /** Closes the server while the connected client keeps its end open, and lets the unmap bound pass. */
    private Throwable closeTheServerPastTheUnmapBound(Vchan server) throws Exception {
        CompletableFuture<Throwable> closed = pair.server.submit(() -> server.close()
                .tryBind(v -> Promise.<Throwable>of(null), Promise::of));
        assertFalse(closed.isDone(), "the client still maps the pages");
        pair.server.await(() -> {
            serverTime.elapse();
            return Promise.unit();
        });
        return get(closed);
    }

    @Test
    void aServerWhoseClientNeverUnmapsClosesAtTheBoundWithUnmapTimeout() throws Exception {
        Vchan server = pair.listen(0, 0);
        pair.connect();
        Throwable failure = closeTheServerPastTheUnmapBound(server);
        assertEquals(VchanException.Reason.UNMAP_TIMEOUT, assertInstanceOf(VchanException.class, failure).reason());
        assertEquals(List.of(Vchan.UNMAP_BOUND), serverTime.asked());
    }

    @Test
    void aServerThatGaveUpOnItsClientUnboundItsPortAndSetTheMappedPagesAside() throws Exception {
        Vchan server = pair.listen(64 * 1024, 4096);
        Vchan client = pair.connect();
        closeTheServerPastTheUnmapBound(server);
        assertEquals(0, pair.server.call(() -> pair.server.domain.boundPorts()));
        assertEquals(1 + 16 + 1, pair.server.call(() -> pair.server.domain.liveGrants()), "never ended, never reused");
        pair.client.await(client::close);
    }

    @Test
    void aServerWhoseChannelsCloseWhileItWaitsForTheUnmapGivesUpWithUnmapTimeoutAndReleasesTheRest() throws Exception {
        Vchan server = pair.listen(0, 0);
        pair.connect(); // and keeps its mapping
        CompletableFuture<Throwable> closed = pair.server.submit(() -> server.close()
                .tryBind(v -> Promise.<Throwable>of(null), Promise::of));
        assertFalse(closed.isDone(), "the client still maps the pages");

        pair.server.await(() -> {
            pair.server.channels.close(); // the application closes its channels during the wait
            return Promise.unit();
        });

        Throwable failure = closed.get(10, TimeUnit.SECONDS);
        assertEquals(VchanException.Reason.UNMAP_TIMEOUT, assertInstanceOf(VchanException.class, failure).reason());
        assertEquals(0, pair.server.call(() -> pair.server.domain.boundPorts()));
    }

    @Test
    void aClientClosedAfterItsEventChannelsStillUnmapsSoTheServerClosesCleanly() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        pair.client.await(() -> {
            pair.client.channels.close(); // the application closes its channels first, the vchan after
            return client.close();
        });
        pair.server.await(server::close);
        assertEquals(0, pair.server.call(() -> pair.server.domain.liveGrants()));
    }

    @Test
    void aServerClosedAfterItsEventChannelsLetsGoOfWhatTheClientNoLongerMaps() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        pair.client.await(client::close);
        pair.server.await(() -> {
            pair.server.channels.close();
            return server.close();
        });
        assertEquals(0, pair.server.call(() -> pair.server.domain.liveGrants()));
    }

    @Test
    void clientCloseEndsTheServersStreamAndFailsItsLaterWrites() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        CompletableFuture<Flow.Read> read = pair.server.submit(server::read);

        pair.client.await(client::close);

        assertSame(Flow.END_OF_STREAM, get(read));
        Throwable failure = pair.server.await(() -> server.write(bytes("anyone?"))
                .tryBind(v -> Promise.of(null), Promise::of));
        assertEquals(VchanException.Reason.PEER_CLOSED, assertInstanceOf(VchanException.class, failure).reason());
        pair.server.await(server::close);
    }

    @Test
    void closingBothEndsGivesBackEveryGrantAndPort() throws Exception {
        Vchan server = pair.listen(64 * 1024, 4096);
        Vchan client = pair.connect();
        assertEquals(1 + 16 + 1, pair.server.call(() -> pair.server.domain.liveGrants()));

        CompletableFuture<Void> serverClosed = pair.server.submit(server::close);
        pair.client.await(client::close);
        get(serverClosed);

        assertEquals(0, pair.server.call(() -> pair.server.domain.liveGrants()));
        assertEquals(0, pair.server.call(() -> pair.server.domain.boundPorts()));
        assertEquals(0, pair.client.call(() -> pair.client.domain.boundPorts()));
    }

    @Test
    void closingTheVchanWhenAWriteLandsTouchesTheUnmappedPagesNoMore() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        String message = "goodbye ".repeat(1000); // larger than the 1024-byte ring: lands after events
        CompletableFuture<String> received = pair.server.submit(() -> Streams.readAll(server));
        Queue<Throwable> asyncFailures = new ConcurrentLinkedQueue<>();
        LoopHooks.setAsyncExceptionHook(asyncFailures::add);

        // The write's callback closes the client, which unmaps its pages while the flow is still
        // moving bytes into the ring: the flow must not look at the page after that.
        pair.client.await(() -> client.write(bytes(message)).flatMap(v -> client.close()));

        try {
            assertEquals(message, get(received));
            pair.server.await(server::close);
        } finally {
            LoopHooks.setAsyncExceptionHook(null);
        }
        assertEquals(List.of(), List.copyOf(asyncFailures));
    }

    @Test
    void aClosedVchanRefusesReadsAndWrites() throws Exception {
        Vchan server = pair.listen(0, 0);
        pair.server.await(server::close);

        Throwable read = pair.server.await(() -> server.read().tryBind(r -> Promise.of(null), Promise::of));
        Throwable write = pair.server.await(() -> server.write(bytes("x")).tryBind(r -> Promise.of(null), Promise::of));
        assertInstanceOf(ClosedChannelException.class, read);
        assertInstanceOf(ClosedChannelException.class, write);
    }

    @Test
    void shutdownWriteLetsQueuedBytesThroughThenThePeerSeesEndOfStream() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        String text = "y".repeat(5000);

        CompletableFuture<Void> shut = pair.server.submit(() -> {
            server.write(bytes(text));
            return server.shutdown(Flow.Direction.WRITE);
        });

        assertEquals(text, pair.client.await(() -> Streams.readAll(client)));
        get(shut);
    }

    @Test
    void theServerPublishesRingRefAndEventChannelReadableByTheClientDomainOnly() {
        pair.listen(0, 0);

        Permissions perms = pair.server.await(() -> pair.server.store.getPerms(VchanPair.PATH + "/ring-ref"));
        assertEquals(Permissions.of(1, Access.NONE).with(2, Access.READ), perms);
        String port = pair.server.await(() -> pair.server.store.read(VchanPair.PATH + "/event-channel"));
        assertTrue(Integer.parseInt(port) > 0);
    }

    @Test
    void connectingBeforeTheServerListensFailsWithABadXenstoreEntry() {
        Throwable failure = pair.client.await(() -> Vchan.connect(pair.client.domain, pair.client.channels,
                pair.client.store, 1, VchanPair.PATH).tryBind(v -> Promise.of(null), Promise::of));

        assertEquals(VchanException.Reason.BAD_XENSTORE_ENTRY,
                assertInstanceOf(VchanException.class, failure).reason());
    }

    @Test
    void aSecondReadWhileOneIsPendingIsRefused() {
        Vchan server = pair.listen(0, 0);

        Throwable second = pair.server.await(() -> {
            server.read();
            return server.read().tryBind(r -> Promise.of(null), Promise::of);
        });

        assertInstanceOf(IllegalStateException.class, second);
    }

    @Test
    void aCancelledReadTakesNothingAndTheNextReadGetsTheBytes() {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        pair.server.call(() -> {
            server.read().cancel();
            return null;
        });

        pair.client.await(() -> client.write(bytes("kept")));

        assertEquals("kept", pair.server.await(() -> server.read().map(r -> text((Flow.Data) r))));
    }

    @Test
    void writevSendsItsSegmentsInOrderAsOneStream() throws Exception {
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();

        CompletableFuture<Void> written = pair.client.submit(() -> client.writev(
                List.of(bytes("one "), bytes(""), bytes("two "), bytes("x".repeat(3000)))));
        String seen = pair.server.await(() -> Streams.readText(server, 3008));

        assertEquals("one two " + "x".repeat(3000), seen);
        get(written);
    }
}
