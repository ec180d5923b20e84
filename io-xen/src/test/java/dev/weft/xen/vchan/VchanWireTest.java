package dev.weft.xen.vchan;

import static dev.weft.xen.ring.Streams.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Weft server against a client written straight from libxenvchan.h: it reads the xenstore
 * keys, maps the control page, and pokes bytes and indices as C would. What the server published
 * must be exactly what a C client expects.
 */
class VchanWireTest {
    private final VchanPair pair = new VchanPair();

    @AfterEach
    void close() {
        pair.close();
    }

    /** A client by hand: the control page mapped, the port bound. Client loop only. */
    private final class RawClient {
        final GrantMapper mapper = pair.client.domain.openGrantMapper();
        final MappedPages control;
        final MemorySegment page;
        final int port;

        RawClient() {
            int ref = Integer.parseInt(pair.client.await(() -> pair.client.store.read(VchanPair.PATH + "/ring-ref")));
            int remote = Integer.parseInt(pair.client.await(() -> pair.client.store.read(VchanPair.PATH + "/event-channel")));
            control = pair.client.call(() -> mapper.map(1, List.of(new GrantRef(ref)), true));
            page = control.memory();
            port = pair.client.call(() -> pair.client.channels.bindInterdomain(1, remote));
        }

        // The mapping is the client loop's: the model confines a mapping's view to the thread that mapped it.
        int u8(int offset) {
            return pair.client.call(() -> Byte.toUnsignedInt(page.get(ValueLayout.JAVA_BYTE, offset)));
        }

        int u16(int offset) {
            return pair.client.call(() -> Short.toUnsignedInt(page.get(ValueLayout.JAVA_SHORT, offset)));
        }

        int i32(int offset) {
            return pair.client.call(() -> page.get(ValueLayout.JAVA_INT, offset));
        }

        /** Writes {@code text} into the left ring at {@code ring}, publishes prod and notifies. */
        void send(MemorySegment ring, String text) {
            pair.client.call(() -> {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ring, 0, bytes.length);
                page.set(ValueLayout.JAVA_INT, 4, bytes.length);
                pair.client.channels.notify(port);
                return null;
            });
        }

        /**
         * As a libxenvchan client between two waits: asks the server to notify for {@code requests}
         * (srv_notify), consumes {@code consumed} bytes of the right ring, writes {@code text} into
         * the in-page left ring, then notifies once.
         */
        void consumeAndSend(int requests, int consumed, String text) {
            pair.client.call(() -> {
                page.set(ValueLayout.JAVA_BYTE, VchanPage.SRV_NOTIFY, (byte) requests);
                page.set(ValueLayout.JAVA_INT, VchanPage.RIGHT, page.get(ValueLayout.JAVA_INT, VchanPage.RIGHT) + consumed);
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, page, VchanPage.SMALL_OFFSET, bytes.length);
                page.set(ValueLayout.JAVA_INT, VchanPage.LEFT + 4, bytes.length);
                pair.client.channels.notify(port);
                return null;
            });
        }

        void close() {
            pair.client.call(() -> {
                control.close();
                mapper.close();
                pair.client.channels.unbind(port);
                return null;
            });
        }
    }

    @Test
    void aFreshServerPageHoldsOrdersLiveBytesAndNotifyBitsAsInitDotCWritesThem() {
        pair.listen(65536, 4096);
        RawClient raw = new RawClient();

        assertEquals(List.of(16, 12, 2, 1, 1, 0), List.of(raw.u16(16), raw.u16(18), raw.u8(20), raw.u8(21),
                raw.u8(22), raw.u8(23)));
        Set<Integer> grants = new HashSet<>();
        for (int i = 0; i < 17; i++) {
            grants.add(raw.i32(24 + 4 * i));
        }
        assertEquals(17, grants.size(), "16 left pages then 1 right page, all distinct");
        assertEquals(0, raw.i32(24 + 4 * 17), "nothing after the list");
        raw.close();
    }

    @Test
    void bytesAHandWrittenClientPutsInTheInPageLeftRingReachTheServer() throws Exception {
        Vchan server = pair.listen(0, 0);
        RawClient raw = new RawClient();
        CompletableFuture<Flow.Read> read = pair.server.submit(server::read);

        raw.send(raw.page.asSlice(1024, 1024), "from C");

        assertEquals("from C", pair.server.call(() -> text((Flow.Data) join(read))));
        assertEquals(6, raw.i32(0), "the server consumed them: left.cons");
        raw.close();
    }

    @Test
    void bytesInTheFirstGrantedPageOfALargeLeftRingReachTheServer() throws Exception {
        Vchan server = pair.listen(8192, 0);
        RawClient raw = new RawClient();
        int first = raw.i32(24);
        MappedPages left = pair.client.call(() -> raw.mapper.map(1, List.of(new GrantRef(first)), true));
        CompletableFuture<Flow.Read> read = pair.server.submit(server::read);

        raw.send(left.memory(), "paged");

        assertEquals("paged", pair.server.call(() -> text((Flow.Data) join(read))));
        pair.client.call(() -> {
            left.close();
            return null;
        });
        raw.close();
    }

    @Test
    void theServerAsksForAWriteNotificationBeforeWaitingForData() {
        Vchan server = pair.listen(0, 0);
        RawClient raw = new RawClient();
        pair.client.call(() -> {
            raw.page.set(ValueLayout.JAVA_BYTE, 22, (byte) 0);
            return null;
        });

        pair.server.submit(server::read);
        pair.server.call(() -> null); // FIFO inbox: the read has run and waits

        assertEquals(VchanPage.NOTIFY_WRITE, raw.u8(22) & VchanPage.NOTIFY_WRITE);
        raw.close();
    }

    @Test
    void bytesMovedBothWaysInOnePassCostTheServerOneNotification() throws Exception {
        Vchan server = pair.listen(0, 0); // reads 1 KiB at 1024, writes 2 KiB at 2048
        RawClient raw = new RawClient();
        CompletableFuture<Void> written = pair.server.submit(() -> server.write(MemorySegment.ofArray(new byte[5000])));
        CompletableFuture<Flow.Read> read = pair.server.submit(server::read);
        long before = pair.server.call(() -> pair.server.device.notifies);

        raw.consumeAndSend(VchanPage.NOTIFY_WRITE | VchanPage.NOTIFY_READ, 2048, "both ways");

        assertEquals("both ways", pair.server.call(() -> text((Flow.Data) join(read))));
        assertEquals(4096, raw.i32(12), "the server moved 2 KiB more of its write into the ring");
        assertFalse(written.isDone(), "904 bytes are still waiting for space");
        assertEquals(before + 1, pair.server.call(() -> pair.server.device.notifies),
                "one event tells the client of the bytes it may read and the space it may fill");
        assertEquals(0, raw.u8(23), "both requests were taken");
        raw.close();
    }

    @Test
    void theClientIsNotifiedOfAWritesLastBytesBeforeTheWritersCallbackRuns() throws Exception {
        Vchan server = pair.listen(0, 0);
        RawClient raw = new RawClient();
        CompletableFuture<Long> notifiesSeenByCallback = pair.server.submit(() -> {
            long before = pair.server.device.notifies;
            return server.write(MemorySegment.ofArray(new byte[3000]))
                    .map(v -> pair.server.device.notifies - before);
        });
        pair.server.call(() -> null); // FIFO inbox: the write has filled the ring and waits

        raw.consumeAndSend(VchanPage.NOTIFY_WRITE, 2048, "");

        assertEquals(1, notifiesSeenByCallback.get(VchanPair.PATIENCE_SECONDS, TimeUnit.SECONDS),
                "the client was already told of the last 952 bytes when the write's callback ran");
    }

    @Test
    void aClientThatDiesWithoutClosingIsSeenGoneThroughItsUnmapNotification() throws Exception {
        Vchan server = pair.listen(0, 0);
        RawClient raw = new RawClient();
        pair.client.call(() -> {
            raw.control.setUnmapNotify(VchanPage.CLI_LIVE, raw.port);
            raw.page.set(ValueLayout.JAVA_BYTE, 20, (byte) 1);
            return null;
        });
        CompletableFuture<Flow.Read> read = pair.server.submit(server::read);
        assertTrue(pair.server.call(server::peerConnected));

        raw.close(); // unmapped without clearing cli_live: only the notification can tell

        assertSame(Flow.END_OF_STREAM, read.get(VchanPair.PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertFalse(pair.server.call(server::peerConnected));
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(VchanPair.PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
