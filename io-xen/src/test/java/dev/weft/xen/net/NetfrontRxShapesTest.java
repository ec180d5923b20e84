package dev.weft.xen.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.bus.UnendedGrants;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.ring.RingClient;
import dev.weft.xen.ring.SharedRing;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What netfront's RX side does with responses that are not plain frames, the backend played by
 * the test writing netif.h's structs into the RX ring by hand: runts, GSO prefix slots and frames
 * with extra-info slots are dropped and counted as Linux's netfront drops them (rx_errors), the
 * ring goes on (every request answered is posted again, a later frame arrives), and a delivered
 * frame exposes exactly its own bytes, never what the backend wrote around it.
 */
class NetfrontRxShapesTest {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int GSO_TYPE_TCPV4 = 1;

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain front = xen.createDomain();
    private final SimDomain back = xen.createDomain();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment rxRing = arena.allocate(4096, 4096);
    private final Netfront.Counters.Mutable counters = new Netfront.Counters.Mutable();
    private final List<byte[]> delivered = new ArrayList<>();
    private Consumer<MemorySegment> onFrame = frame -> delivered.add(frame.toArray(ValueLayout.JAVA_BYTE));
    private NetRing ring;
    private SharedPages pool;
    /** The response position the "backend" writes next. */
    private int rspProd;

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void aRuntShorterThanAnEthernetHeaderIsDroppedCountedAndItsPagePostedAgain() {
        run(() -> {
            answer(0, 0, 0, 13);
            answer(1, 0, 0, 0);
            assertDroppedAndTheRingGoesOn(2);
        });
    }

    @Test
    void aGsoPrefixSlotIsDroppedAndCountedWhateverItsFlags() {
        run(() -> {
            // netback's shape: offset = the segment size, status = the GSO type, more-data set
            answer(0, 1448, Netif.FLAG_GSO_PREFIX | Netif.FLAG_MORE_DATA, GSO_TYPE_TCPV4);
            answer(1, 0, Netif.FLAG_GSO_PREFIX, 60);
            assertDroppedAndTheRingGoesOn(2);
        });
    }

    @Test
    void aFrameWithExtraInfoSlotsIsDroppedAndEachSlotsRequestPostedAgain() {
        run(() -> {
            answer(0, 0, Netif.FLAG_EXTRA_INFO, 60);
            extraInfo(1, GSO_TYPE_TCPV4, NetifRxCodec.EXTRA_FLAG_MORE);
            extraInfo(2, 2, 0); // the chain ends here
            assertDroppedAndTheRingGoesOn(1); // one frame: its extra-info slots are not frames
        });
    }

    @Test
    void anExtraInfoChainSplitAcrossTwoPollsIsStillFollowed() {
        run(() -> {
            answer(0, 0, Netif.FLAG_EXTRA_INFO, 60);
            publishAndPoll();
            extraInfo(1, GSO_TYPE_TCPV4, 0);
            assertDroppedAndTheRingGoesOn(1);
        });
    }

    @Test
    void aDeliveredFrameIsASliceOfExactlyItsBytes() {
        run(() -> {
            List<MemorySegment> lent = new ArrayList<>();
            onFrame = lent::add;
            fillPage(0, 0, 4096, (byte) 0x5A); // the backend writes the whole page
            answer(0, 100, 0, 60);
            publishAndPoll();
            MemorySegment frame = lent.getFirst();
            assertEquals(60, frame.byteSize());
            assertThrows(IndexOutOfBoundsException.class, () -> frame.get(ValueLayout.JAVA_BYTE, 60));
            assertThrows(IndexOutOfBoundsException.class, () -> frame.asSlice(0, 61));
        });
    }

    @Test
    void bytesTheBackendWroteOutsideAFrameNeverShowInALaterFrameOnThatPage() {
        run(() -> {
            fillPage(0, 0, 4096, (byte) 0x5A); // around the frame too
            answer(0, 0, 0, 60);
            publishAndPoll();
            // page 0 is posted again under its old id, now the request in position 256
            fillPage(0, 0, 60, (byte) 0x11); // this time the backend writes only 60 bytes...
            answer(0, 0, 0, 200); // ...and reports 200
            publishAndPoll();
            byte[] expected = new byte[200];
            java.util.Arrays.fill(expected, 0, 60, (byte) 0x11);
            assertArrayEquals(expected, delivered.get(1));
        });
    }

    // ---------------------------------------------------------------- the rig

    /** Runs {@code body} on a loop with a fresh ring whose 256 RX pages are all posted. */
    private void run(Runnable body) {
        try (Loop loop = Loop.create(); GrantAllocator grants = front.openGrantAllocator()) {
            loop.run(Promise.apply(() -> {
                RingClient<Netif.TxRequest, Netif.TxResponse> tx = new RingClient<>(SharedRing.over(
                        arena.allocate(4096, 4096), NetifTxCodec.INSTANCE.entrySize()).initialise(0).front(),
                        NetifTxCodec.INSTANCE, () -> { });
                RingClient<Netif.RxRequest, Netif.RxResponse> rx = new RingClient<>(SharedRing.over(rxRing,
                        NetifRxCodec.INSTANCE.entrySize()).initialise(0).front(), NetifRxCodec.INSTANCE, () -> { });
                pool = grants.share(back.domainId(), 256, true);
                ring = new NetRing(tx, rx, grants, back.domainId(), 1500, pool, new NetRing.Listener() {
                    @Override
                    public boolean deliver(MemorySegment frame) {
                        onFrame.accept(frame);
                        return true;
                    }

                    @Override
                    public void broken(NetworkException failure) {
                        throw new AssertionError("the device broke", failure);
                    }
                }, counters, new UnendedGrants());
                ring.start();
                body.run();
                ring.close();
                assertEquals(dev.weft.xen.grant.EndAccess.ENDED, pool.end());
                return Promise.unit();
            }));
        }
        assertEquals(0, front.liveGrants(), "no grant left behind");
    }

    /** The page index the request in RX ring position {@code position} offers. */
    private int pageAt(int position) {
        MemorySegment slot = slot(position);
        int gref = slot.get(U32, NetifRxCodec.REQ_GREF);
        for (int page = 0; page < pool.refs().size(); page++) {
            if (pool.refs().get(page).value() == gref) {
                return page;
            }
        }
        throw new AssertionError("no pool page has gref " + gref);
    }

    private MemorySegment slot(int position) {
        return rxRing.asSlice(SharedRing.HEADER_BYTES + (long) (position & 255) * NetifRxCodec.ENTRY_BYTES,
                NetifRxCodec.ENTRY_BYTES);
    }

    /** Writes a response to the request holding RX page {@code page}, in the next response position. */
    private void answer(int page, int offset, int flags, int status) {
        int id = idOfRequestFor(page);
        MemorySegment slot = slot(rspProd++);
        slot.set(U16, NetifRxCodec.RSP_ID, (short) id);
        slot.set(U16, NetifRxCodec.RSP_OFFSET, (short) offset);
        slot.set(U16, NetifRxCodec.RSP_FLAGS, (short) flags);
        slot.set(U16, NetifRxCodec.RSP_STATUS, (short) status);
    }

    /** Writes an extra-info slot into response position {@code position} (the next one). */
    private void extraInfo(int position, int type, int flags) {
        assertEquals(rspProd, position);
        MemorySegment slot = slot(rspProd++);
        slot.fill((byte) 0);
        slot.set(ValueLayout.JAVA_BYTE, NetifRxCodec.EXTRA_TYPE, (byte) type);
        slot.set(ValueLayout.JAVA_BYTE, NetifRxCodec.EXTRA_FLAGS, (byte) flags);
        slot.set(U16, 2, (short) 1448); // gso.size
    }

    /** The id of the newest request (highest position) offering {@code page}. */
    private int idOfRequestFor(int page) {
        int reqProd = rxRing.get(U32, SharedRing.REQ_PROD);
        for (int position = reqProd - 1; position >= reqProd - 256; position--) {
            if (pageAt(position) == page) {
                return Short.toUnsignedInt(slot(position).get(U16, NetifRxCodec.REQ_ID));
            }
        }
        throw new AssertionError("page " + page + " is not posted");
    }

    private void fillPage(int page, int from, int bytes, byte value) {
        pool.memory().asSlice((long) page * 4096 + from, bytes).fill(value);
    }

    private void publishAndPoll() {
        rxRing.set(U32, SharedRing.RSP_PROD, rspProd);
        ring.rx().poll();
        assertNull(ring.refusal(), "the device must not break");
    }

    /**
     * Publishes the responses written: none is delivered, {@code errors} are counted, every page
     * answered is posted again, zeroed, and a plain frame then still arrives.
     */
    private void assertDroppedAndTheRingGoesOn(int errors) {
        publishAndPoll();
        assertEquals(List.of(), delivered);
        assertEquals(errors, counters.rxErrors);
        assertRingWhole();
        assertAFrameStillArrives();
    }

    /** Every RX page is posted again: 256 requests in flight, and the ring is not broken. */
    private void assertRingWhole() {
        assertEquals(256, ring.rx().inFlight());
        assertEquals(rspProd + 256, rxRing.get(U32, SharedRing.REQ_PROD), "each slot answered was posted again");
        for (int page = 0; page < 256; page++) {
            MemorySegment bytes = pool.memory().asSlice((long) page * 4096, 4096);
            assertEquals(-1, bytes.mismatch(MemorySegment.ofArray(new byte[4096])), "page " + page + " is posted zeroed");
        }
    }

    private void assertAFrameStillArrives() {
        int page = pageAt(rspProd);
        fillPage(page, 0, 60, (byte) 0x77);
        answer(page, 0, 0, 60);
        publishAndPoll();
        byte[] expected = new byte[60];
        java.util.Arrays.fill(expected, (byte) 0x77);
        assertEquals(1, delivered.size());
        assertArrayEquals(expected, delivered.getFirst());
    }
}
