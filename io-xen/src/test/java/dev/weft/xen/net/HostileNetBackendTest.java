package dev.weft.xen.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A backend that answers netfront's TX and RX rings with nonsense, 100,000 rounds on one loop:
 * unknown ids, statuses netif.h does not define, negative RX statuses, frames that pass the end
 * of their page, flags never negotiated, producer indices that jump, bursts of polls. Every
 * failure must be a {@link NetworkException}, every frame handed to the listener must lie inside
 * its RX page, nothing may be thrown out of our calls, the loop must still run, and no grant may
 * leak: a broken device is replaced by a fresh one. Seeded, so a failure replays.
 */
class HostileNetBackendTest {
    private static final int ROUNDS = 100_000;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain front = xen.createDomain();
    private final SimDomain back = xen.createDomain();

    private static final class Tally implements NetRing.Listener {
        int sent;
        int delivered;
        int broken;
        int devices = 1;
        final List<String> wrong = new ArrayList<>();
        SharedPages pool;

        @Override
        public boolean deliver(MemorySegment frame) {
            long start = frame.address() - pool.memory().address();
            if (start < 0 || start + frame.byteSize() > pool.memory().byteSize()
                    || start / 4096 != (start + Math.max(frame.byteSize() - 1, 0)) / 4096) {
                wrong.add("a frame at " + start + " of " + frame.byteSize() + " bytes leaves its page");
            }
            delivered++;
            return true;
        }

        @Override
        public void broken(NetworkException failure) {
            broken++;
        }

        void observe(Promise<Void> promise) {
            promise.onAny(v -> sent++, failure -> {
                if (!(failure instanceof NetworkException)) {
                    wrong.add("untyped: " + failure);
                }
            });
        }
    }

    /** Answers the slot at the ring's response producer with random, mostly plausible, bytes. */
    private static void answer(SplittableRandom random, MemorySegment ring, int entry, boolean rx) {
        int rspProd = ring.get(U32, SharedRing.RSP_PROD);
        MemorySegment slot = ring.asSlice(SharedRing.HEADER_BYTES + (long) (rspProd & 255) * entry, entry);
        int id = Short.toUnsignedInt(slot.get(U16, rx ? NetifRxCodec.REQ_ID : NetifTxCodec.REQ_ID));
        slot.set(U16, 0, (short) (random.nextInt(10) < 8 ? id : random.nextInt(300)));
        if (rx) {
            slot.set(U16, NetifRxCodec.RSP_OFFSET, (short) (random.nextInt(5) == 0 ? random.nextInt(5000) : 0));
            slot.set(U16, NetifRxCodec.RSP_FLAGS, (short) (random.nextInt(20) == 0 ? random.nextInt(32) : 0));
            slot.set(U16, NetifRxCodec.RSP_STATUS, (short) (random.nextInt(8) == 0 ? random.nextInt(-3, 1)
                    : random.nextInt(20) == 0 ? random.nextInt(4000, 70000) : random.nextInt(1, 1515)));
        } else {
            slot.set(U16, NetifTxCodec.RSP_STATUS, (short) (random.nextInt(10) == 0 ? random.nextInt(-4, 4) : 0));
        }
        int next = switch (random.nextInt(25)) {
            case 0 -> random.nextInt();
            case 1 -> rspProd + random.nextInt(2, 300);
            default -> rspProd + 1;
        };
        ring.set(U32, SharedRing.RSP_PROD, next);
    }

    private static NetRing fresh(MemorySegment txPage, MemorySegment rxPage, GrantAllocator grants, int backDomain,
                                 Tally tally, Netfront.Counters.Mutable counters, UnendedGrants unended) {
        txPage.fill((byte) 0);
        rxPage.fill((byte) 0);
        RingClient<Netif.TxRequest, Netif.TxResponse> tx = new RingClient<>(SharedRing.over(txPage,
                NetifTxCodec.INSTANCE.entrySize()).initialise(0).front(), NetifTxCodec.INSTANCE, () -> { });
        RingClient<Netif.RxRequest, Netif.RxResponse> rx = new RingClient<>(SharedRing.over(rxPage,
                NetifRxCodec.INSTANCE.entrySize()).initialise(0).front(), NetifRxCodec.INSTANCE, () -> { });
        if (tally.pool != null) {
            unended.end(tally.pool);
        }
        tally.pool = grants.share(backDomain, 256, true);
        NetRing ring = new NetRing(tx, rx, grants, backDomain, 1500, tally.pool, tally, counters, unended);
        ring.start();
        return ring;
    }

    @Test
    void aHostileBackendGetsTypedErrorsABrokenDeviceAndNoFrameOutsideItsPage() {
        SplittableRandom random = new SplittableRandom(0x4E7_0BADL);
        Tally tally = new Tally();
        Netfront.Counters.Mutable counters = new Netfront.Counters.Mutable();
        UnendedGrants unended = new UnendedGrants();
        try (Arena arena = Arena.ofConfined(); Loop loop = Loop.create();
             GrantAllocator grants = front.openGrantAllocator()) {
            MemorySegment txPage = arena.allocate(4096, 4096);
            MemorySegment rxPage = arena.allocate(4096, 4096);
            MemorySegment frame = arena.allocate(1514);
            loop.run(Promise.apply(() -> {
                NetRing ring = fresh(txPage, rxPage, grants, back.domainId(), tally, counters, unended);
                for (int round = 0; round < ROUNDS; round++) {
                    if (ring.refusal() != null) {
                        ring.close();
                        ring = fresh(txPage, rxPage, grants, back.domainId(), tally, counters, unended);
                        tally.devices++;
                    }
                    int action = random.nextInt(10);
                    if (action < 3) {
                        tally.observe(ring.write(List.of(frame.asSlice(0, 1 + random.nextInt(1514)))));
                    } else if (action < 5) {
                        answer(random, txPage, NetifTxCodec.INSTANCE.entrySize(), false);
                        ring.tx().poll();
                    } else if (action < 9) {
                        answer(random, rxPage, NetifRxCodec.INSTANCE.entrySize(), true);
                        ring.rx().poll();
                    } else {
                        for (int storm = 0; storm < 50; storm++) {
                            ring.tx().poll();
                            ring.rx().poll();
                        }
                    }
                }
                ring.close();
                unended.end(tally.pool);
                return Promise.unit();
            }));
            assertEquals("alive", loop.run(loop.sleep(java.time.Duration.ofMillis(1)).map(v -> "alive")));
        }
        assertEquals(List.of(), tally.wrong);
        assertEquals(0, unended.pages(), "no page was kept by the backend");
        assertEquals(0, front.liveGrants(), "no grant leaked");
        assertTrue(tally.devices > 100, "the backend broke many devices: " + tally.devices);
        assertTrue(tally.delivered > 1000, "and delivered many frames: " + tally.delivered);
        assertTrue(tally.sent > 1000, "and took many frames: " + tally.sent);
        assertTrue(counters.rxErrors > 100, "and reported RX errors: " + counters.rxErrors);
    }
}
