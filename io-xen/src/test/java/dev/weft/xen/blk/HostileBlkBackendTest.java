package dev.weft.xen.blk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Block;
import dev.weft.promise.Promise;
import dev.weft.xen.bus.UnendedGrants;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.ring.RingClient;
import dev.weft.xen.ring.SharedRing;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A backend that answers blkfront's requests with nonsense, 100,000 rounds on one loop: responses
 * with unknown ids, other operations, statuses blkif.h does not define, producer indices that
 * jump or run backwards, bursts of events, and grants it keeps mapped after answering. Every
 * failure must be a {@link BlockDeviceException} (BROKEN for protocol violations), nothing may be
 * thrown out of our calls, the loop must still run afterwards, and no grant may leak: a broken
 * device is replaced by a fresh one and the rounds go on. Seeded, so a failure replays.
 */
class HostileBlkBackendTest {
    private static final int ROUNDS = 100_000;
    private static final long SECTORS = 10_000;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain front = xen.createDomain();
    private final SimDomain back = xen.createDomain();

    private static final class Tally {
        int fulfilled;
        int backendErrors;
        int broken;
        int devices = 1;
        int mostSetAside;
        final List<Throwable> untyped = new ArrayList<>();

        void observe(Promise<Void> promise) {
            promise.onAny(v -> fulfilled++, failure -> {
                if (!(failure instanceof BlockDeviceException typed)) {
                    untyped.add(failure);
                } else if (typed.reason() == BlockDeviceException.Reason.BROKEN) {
                    broken++;
                } else {
                    backendErrors++;
                }
            });
        }
    }

    private static BlkRing freshDevice(MemorySegment page, GrantAllocator grants, int backDomain,
                                       UnendedGrants unreusable) {
        page.fill((byte) 0);
        SharedRing ring = SharedRing.over(page, BlkifCodec.INSTANCE.entrySize()).initialise(0);
        RingClient<BlkifRequest, BlkifResponse> client = new RingClient<>(ring.front(), BlkifCodec.INSTANCE, () -> { });
        return new BlkRing(client, grants, backDomain, 0, new Block.Info(true, 512, SECTORS),
                new Blkfront.Features(true, false, false, 512, 0), unreusable);
    }

    /** Writes one response the way a hostile backend might, and publishes it (or an index that makes no sense). */
    private static void answer(SplittableRandom random, MemorySegment page, GrantMapper mapper, int frontDomain,
                               ArrayDeque<MappedPages> held) {
        int rspProd = page.get(U32, SharedRing.RSP_PROD);
        MemorySegment slot = page.asSlice(SharedRing.HEADER_BYTES + (long) (rspProd & 31) * BlkifCodec.REQUEST_BYTES,
                BlkifCodec.REQUEST_BYTES);
        int operation = Byte.toUnsignedInt(slot.get(ValueLayout.JAVA_BYTE, BlkifCodec.REQ_OPERATION));
        long id = slot.get(U64, BlkifCodec.REQ_ID);
        int segments = Byte.toUnsignedInt(slot.get(ValueLayout.JAVA_BYTE, BlkifCodec.REQ_NR_SEGMENTS));
        if (segments > 0 && random.nextInt(50) == 0) { // keep the first page mapped: its grant cannot end
            try {
                held.add(mapper.map(frontDomain, List.of(new GrantRef(slot.get(U32, BlkifCodec.REQ_SEGMENTS))), true));
            } catch (RuntimeException notGranted) {
                // the slot held an old request whose grant already ended: nothing to keep
            }
        }
        int roll = random.nextInt(100);
        long answeredId = roll < 80 ? id : roll < 90 ? random.nextInt(40) : random.nextLong();
        int answeredOp = random.nextInt(10) == 0 ? random.nextInt(256) : operation;
        int status = switch (random.nextInt(12)) {
            case 0 -> BlkifCodec.STATUS_ERROR;
            case 1 -> BlkifCodec.STATUS_EOPNOTSUPP;
            case 2 -> (short) random.nextInt();
            default -> BlkifCodec.STATUS_OKAY;
        };
        slot.set(U64, BlkifCodec.RSP_ID, answeredId);
        slot.set(ValueLayout.JAVA_BYTE, BlkifCodec.RSP_OPERATION, (byte) answeredOp);
        slot.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), BlkifCodec.RSP_STATUS, (short) status);
        int next = switch (random.nextInt(20)) {
            case 0 -> random.nextInt();
            case 1 -> rspProd - 1;
            case 2 -> rspProd + random.nextInt(2, 60);
            default -> rspProd + 1;
        };
        page.set(U32, SharedRing.RSP_PROD, next);
    }

    @Test
    void aHostileBackendGetsTypedErrorsABrokenDeviceAndNoLeakedGrants() {
        SplittableRandom random = new SplittableRandom(0xB10C_0BADL);
        Tally tally = new Tally();
        UnendedGrants unreusable = new UnendedGrants();
        ArrayDeque<MappedPages> held = new ArrayDeque<>();
        try (Arena arena = Arena.ofConfined(); Loop loop = Loop.create();
             GrantAllocator grants = front.openGrantAllocator(); GrantMapper mapper = back.openGrantMapper()) {
            MemorySegment page = arena.allocate(4096, 4096);
            MemorySegment data = arena.allocate(64 * 512, 8);
            loop.run(Promise.apply(() -> {
                BlkRing device = freshDevice(page, grants, back.domainId(), unreusable);
                for (int round = 0; round < ROUNDS; round++) {
                    if (device.refusal() != null) {
                        assertEquals(BlockDeviceException.Reason.BROKEN, device.refusal().reason());
                        device.close();
                        device = freshDevice(page, grants, back.domainId(), unreusable);
                        tally.devices++;
                    }
                    int action = random.nextInt(10);
                    if (action < 4) {
                        long sectors = 1 + random.nextInt(64);
                        MemorySegment buffer = data.asSlice(0, sectors * 512);
                        long start = random.nextLong(SECTORS - sectors);
                        tally.observe(random.nextBoolean() ? device.read(start, List.of(buffer))
                                : random.nextInt(10) == 0 ? device.flush() : device.write(start, List.of(buffer)));
                    } else if (action < 8) {
                        answer(random, page, mapper, front.domainId(), held);
                        device.client().poll();
                    } else if (action == 8) {
                        for (int storm = 0; storm < 50; storm++) {
                            device.client().poll();
                        }
                    } else if (!held.isEmpty() && random.nextBoolean()) {
                        held.poll().close();
                        device.retryUnreusable();
                    } else {
                        page.set(U32, 4L * random.nextInt(4), random.nextInt());
                        device.client().poll();
                    }
                    tally.mostSetAside = Math.max(tally.mostSetAside, unreusable.pages());
                }
                device.close();
                return Promise.unit();
            }));
            assertEquals("alive", loop.run(loop.sleep(java.time.Duration.ofMillis(1)).map(v -> "alive")));
            while (!held.isEmpty()) {
                held.poll().close();
            }
            unreusable.retry();
        }
        assertEquals(List.of(), tally.untyped);
        assertTrue(tally.mostSetAside > 0, "grants the backend kept were set aside, not reused");
        assertEquals(0, unreusable.pages(), "every grant ends once the backend lets go");
        assertEquals(0, front.liveGrants(), "no grant leaked");
        assertTrue(tally.devices > 100, "the backend broke many devices: " + tally.devices);
        assertTrue(tally.fulfilled > 1000, "and answered many requests well: " + tally.fulfilled);
        assertTrue(tally.backendErrors > 100, "and failed some with a status: " + tally.backendErrors);
    }
}
