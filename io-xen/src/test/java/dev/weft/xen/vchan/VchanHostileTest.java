package dev.weft.xen.vchan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.ring.RingBroken;
import dev.weft.xen.ring.Streams;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that break the protocol: indices that claim more bytes than a ring holds, scribbled live
 * and notify bytes, control pages whose orders or grant lists cannot be. The vchan breaks with a
 * typed error, touches nothing outside its rings, and the loop goes on.
 */
class VchanHostileTest {
    private static final int ROUNDS = 100_000;
    private final VchanPair pair = new VchanPair();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        pair.close();
        arena.close();
    }

    /** A server end over {@code page} (left ring at 1024, right at 2048), on the server's loop. */
    private Vchan serverOver(MemorySegment page, int port) {
        BytePipe pipe = BytePipe.over(page, VchanPage.LEFT, page.asSlice(1024, 1024), VchanPage.RIGHT,
                page.asSlice(2048, 2048), "hostile round");
        return new Vchan("hostile round", Vchan.Role.SERVER, new VchanPage(page), pipe, pair.server.channels, port,
                Promise::unit);
    }

    @Test
    void aProducerIndexBeyondTheRingBreaksTheVchanForGood() {
        MemorySegment page = arena.allocate(4096, 4096);
        page.set(ValueLayout.JAVA_INT, VchanPage.LEFT + 4, 1025); // left.prod: 1025 bytes in a 1024-byte ring
        page.set(ValueLayout.JAVA_BYTE, VchanPage.CLI_LIVE, (byte) 1);

        Throwable[] failures = pair.server.await(() -> {
            int port = pair.server.channels.bindUnbound(2);
            Vchan vchan = serverOver(page, port);
            Promise<Flow.Read> first = vchan.read();
            Promise<Flow.Read> second = vchan.read();
            Promise<Void> write = vchan.write(MemorySegment.ofArray(new byte[8]));
            return Promise.of(new Throwable[] {first.failure(), second.failure(), write.failure(),
                    vchan.failure().orElse(null)});
        });

        RingBroken broken = assertInstanceOf(RingBroken.class, failures[0]);
        assertEquals(RingBroken.Reason.INDEX_OVERFLOW, broken.reason());
        assertSame(broken, failures[1]);
        assertSame(broken, failures[2]);
        assertSame(broken, failures[3]);
    }

    @Test
    void aHundredThousandScribbledPagesEachEndInAnOutcomeTheIndicesAllowAndTheLoopLivesOn() {
        MemorySegment page = arena.allocate(4096, 4096);
        long[] outcomes = pair.server.await(() -> {
            int port = pair.server.channels.bindUnbound(2);
            Random random = new Random(7);
            long[] counts = new long[4]; // data, end of stream, pending, broken
            for (int round = 0; round < ROUNDS; round++) {
                int cons = random.nextInt();
                int prod = random.nextBoolean() ? random.nextInt() : cons + random.nextInt(2 * 1024);
                page.set(ValueLayout.JAVA_INT, VchanPage.LEFT, cons);
                page.set(ValueLayout.JAVA_INT, VchanPage.LEFT + 4, prod);
                page.set(ValueLayout.JAVA_INT, VchanPage.RIGHT, random.nextInt());
                page.set(ValueLayout.JAVA_INT, VchanPage.RIGHT + 4, random.nextInt());
                page.set(ValueLayout.JAVA_INT, VchanPage.CLI_LIVE, random.nextInt());
                Vchan vchan = serverOver(page, port);
                Promise<Flow.Read> read = vchan.read();
                counts[classify(read, Integer.toUnsignedLong(prod - cons), round)]++;
                checkWrite(vchan.write(MemorySegment.ofArray(new byte[64])), round);
                vchan.close();
            }
            return Promise.of(counts);
        });

        assertTrue(outcomes[0] > 0 && outcomes[3] > 0, "both intact and broken rounds happened");
        assertEquals(0, pair.server.call(() -> pair.server.channels.waiters()), "every wait was given up at close");
        Vchan server = pair.listen(0, 0);
        Vchan client = pair.connect();
        pair.client.await(() -> client.write(Streams.bytes("still here")));
        assertEquals("still here", pair.server.await(() -> server.read().map(r -> Streams.text((Flow.Data) r))));
    }

    /** Which outcome {@code read} had; fails the test unless it is the one the indices allow. */
    private static int classify(Promise<Flow.Read> read, long inFlight, int round) {
        String where = "round " + round + ", " + inFlight + " bytes claimed";
        if (inFlight > 1024) {
            assertInstanceOf(RingBroken.class, read.failure(), where);
            return 3;
        }
        if (read.isPending()) {
            assertEquals(0, inFlight, where);
            return 2;
        }
        Flow.Read value = read.value();
        if (value instanceof Flow.Data data) {
            assertEquals(inFlight, data.bytes().byteSize(), where);
            return 0;
        }
        assertEquals(0, inFlight, where);
        return 1;
    }

    private static void checkWrite(Promise<Void> write, int round) {
        if (write.isRejected()) {
            Throwable failure = write.failure();
            assertTrue(failure instanceof RingBroken || failure instanceof VchanException,
                    "round " + round + ": " + failure);
        }
    }

    private Throwable connectToPageWithOrders(int left, int right, int grants) {
        int[] published = pair.server.await(() -> {
            SharedPages control = pair.server.domain.openGrantAllocator().share(2, 1, true);
            MemorySegment page = control.memory();
            page.set(ValueLayout.JAVA_SHORT, VchanPage.LEFT_ORDER, (short) left);
            page.set(ValueLayout.JAVA_SHORT, VchanPage.RIGHT_ORDER, (short) right);
            for (int i = 0; i < grants; i++) {
                page.set(ValueLayout.JAVA_INT, VchanPage.GRANTS + 4L * i, control.refs().get(0).value());
            }
            int port = pair.server.channels.bindUnbound(2);
            String ref = Integer.toString(control.refs().get(0).value());
            Permissions readable = Permissions.of(1, Access.NONE).with(2, Access.READ);
            return pair.server.store.write(VchanPair.PATH + "/ring-ref", ref)
                    .flatMap(v -> pair.server.store.write(VchanPair.PATH + "/event-channel", Integer.toString(port)))
                    .flatMap(v -> pair.server.store.setPerms(VchanPair.PATH, readable))
                    .flatMap(v -> pair.server.store.setPerms(VchanPair.PATH + "/ring-ref", readable))
                    .flatMap(v -> pair.server.store.setPerms(VchanPair.PATH + "/event-channel", readable))
                    .map(v -> new int[] {port});
        });
        Throwable failure = pair.client.await(() -> Vchan.connect(pair.client.domain, pair.client.channels,
                pair.client.store, 1, VchanPair.PATH).tryBind(v -> Promise.of(null), Promise::of));
        assertEquals(0, pair.client.call(() -> pair.client.domain.boundPorts()), "the client let its port go");
        assertTrue(published[0] > 0);
        return failure;
    }

    private void assertBadLayout(Throwable failure) {
        assertEquals(VchanException.Reason.BAD_LAYOUT, assertInstanceOf(VchanException.class, failure).reason());
    }

    @Test
    void anOrderBelowTenIsRefused() {
        assertBadLayout(connectToPageWithOrders(9, 11, 0));
    }

    @Test
    void anOrderAboveTwentyIsRefused() {
        assertBadLayout(connectToPageWithOrders(21, 12, 0));
    }

    @Test
    void twoRingsInTheSameInPageSlotAreRefused() {
        assertBadLayout(connectToPageWithOrders(11, 11, 0));
    }

    @Test
    void aGrantListThatWouldRunIntoTheInPageRingIsRefused() {
        assertBadLayout(connectToPageWithOrders(10, 20, 0));
    }
}
