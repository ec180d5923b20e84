package dev.weft.xen.blk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.xen.bus.Backend;
import dev.weft.xen.bus.IdleDriver;
import dev.weft.xen.bus.XenbusDriver;
import dev.weft.xen.bus.XenbusEnd;
import dev.weft.xen.bus.XenbusState;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.ring.RingCodec;
import dev.weft.xen.ring.RingServer;
import dev.weft.xen.ring.SharedRing;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Blkfront against a backend domain that connects properly through xenbus and then breaks the
 * ring protocol one way or another, on two loops over the model: the operation fails with BROKEN,
 * the device says it is broken, and the frontend's loop goes on running.
 */
class HostileBlkbackOverXenbusTest {
    private final Arena arena = Arena.ofShared();
    private VbdRig rig;

    /** How the backend misbehaves. */
    enum Misdeed {
        UNKNOWN_ID, UNDEFINED_STATUS, UNDEFINED_OPERATION, OTHER_OPERATION, IMPOSSIBLE_INDEX, NONE
    }

    /** A backend that maps the ring and answers every request OKAY, corrupted by {@code misdeed}. */
    private static final class HostileDriver implements XenbusDriver {
        final Misdeed misdeed;
        MappedPages ring;
        int port;

        HostileDriver(Misdeed misdeed) {
            this.misdeed = misdeed;
        }

        private final class Corrupting implements RingCodec<BlkifRequest, BlkifResponse> {
            @Override
            public int entrySize() {
                return BlkifCodec.INSTANCE.entrySize();
            }

            @Override
            public void writeRequest(long id, BlkifRequest request, MemorySegment slot) {
                BlkifCodec.INSTANCE.writeRequest(id, request, slot);
            }

            @Override
            public long requestId(MemorySegment copy) {
                return BlkifCodec.INSTANCE.requestId(copy);
            }

            @Override
            public BlkifRequest readRequest(MemorySegment copy) {
                return BlkifCodec.INSTANCE.readRequest(copy);
            }

            @Override
            public void writeResponse(long id, BlkifResponse response, MemorySegment slot) {
                BlkifCodec.INSTANCE.writeResponse(misdeed == Misdeed.UNKNOWN_ID ? id + 17 : id, response, slot);
                switch (misdeed) {
                    case UNDEFINED_STATUS -> slot.set(ValueLayout.JAVA_SHORT_UNALIGNED, BlkifCodec.RSP_STATUS, (short) 7);
                    case UNDEFINED_OPERATION -> slot.set(ValueLayout.JAVA_BYTE, BlkifCodec.RSP_OPERATION, (byte) 9);
                    case OTHER_OPERATION -> slot.set(ValueLayout.JAVA_BYTE, BlkifCodec.RSP_OPERATION,
                            (byte) (response.operation() ^ 1));
                    default -> { }
                }
            }

            @Override
            public long responseId(MemorySegment copy) {
                return BlkifCodec.INSTANCE.responseId(copy);
            }

            @Override
            public BlkifResponse readResponse(MemorySegment copy) {
                return BlkifCodec.INSTANCE.readResponse(copy);
            }
        }

        @Override
        public Promise<Void> connect(XenbusEnd end) {
            XenStore store = end.store();
            return Promise.both(store.read(end.otherPath() + "/ring-ref"), store.read(end.otherPath() + "/event-channel"))
                    .flatMap(refs -> {
                        ring = mapper().map(1, List.of(new GrantRef(Integer.parseUnsignedInt(refs.first()))), true);
                        port = channels().bindInterdomain(1, Integer.parseInt(refs.second()));
                        MemorySegment page = ring.memory();
                        RingServer<BlkifRequest, BlkifResponse> server = new RingServer<>(
                                SharedRing.over(page, BlkifCodec.INSTANCE.entrySize()).back(), new Corrupting(),
                                request -> Promise.of(new BlkifResponse(request.operation(), BlkifCodec.STATUS_OKAY)),
                                (request, failure) -> new BlkifResponse(request.operation(), BlkifCodec.STATUS_ERROR),
                                () -> {
                                    if (misdeed == Misdeed.IMPOSSIBLE_INDEX) {
                                        page.set(ValueLayout.JAVA_INT, SharedRing.RSP_PROD,
                                                page.get(ValueLayout.JAVA_INT, SharedRing.RSP_PROD) + 1000);
                                    }
                                    channels().notify(port);
                                });
                        server.pollOnEvents(channels(), port);
                        return store.write(end.path() + "/sectors", "64")
                                .flatMap(v -> store.write(end.path() + "/sector-size", "512"));
                    });
        }

        @Override
        public Promise<Void> disconnect(XenbusEnd end) {
            return Promise.unit();
        }

        VbdRig rig;

        private dev.weft.xen.grant.GrantMapper mapper() {
            return rig.split.mapper;
        }

        private dev.weft.xen.evtchn.EventChannels channels() {
            return rig.split.backChannels;
        }
    }

    /**
     * A backend that maps nothing and publishes a 64-sector disk whose {@code sector-size} is, at
     * each connection, the next of {@code sizes} (the last one for every later connection).
     */
    private static final class DiskDriver implements XenbusDriver {
        private final List<String> sizes;
        private int connects;

        DiskDriver(String... sizes) {
            this.sizes = List.of(sizes);
        }

        @Override
        public Promise<Void> connect(XenbusEnd end) {
            String sectorSize = sizes.get(Math.min(connects++, sizes.size() - 1));
            return end.store().write(end.path() + "/sectors", "64")
                    .flatMap(v -> end.store().write(end.path() + "/sector-size", sectorSize));
        }

        @Override
        public Promise<Void> disconnect(XenbusEnd end) {
            return Promise.unit();
        }
    }

    @AfterEach
    void close() throws Exception {
        rig.close();
        arena.close();
    }

    private Blkfront connect(HostileDriver driver) throws Exception {
        rig = new VbdRig(1 << 20, "w");
        driver.rig = rig;
        rig.startBackend(driver);
        return rig.startBlkfront(Blkfront.Config.DEFAULT);
    }

    @ParameterizedTest
    @EnumSource(value = Misdeed.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aBackendThatBreaksTheRingFailsTheOperationAndMarksTheDeviceBroken(Misdeed misdeed) throws Exception {
        Blkfront blkfront = connect(new HostileDriver(misdeed));
        Promise<Void> read = rig.front(() -> settled(blkfront.read(0, List.of(arena.allocate(512)))));
        BlockDeviceException failure = assertInstanceOf(BlockDeviceException.class, read.failure());
        assertEquals(BlockDeviceException.Reason.BROKEN, failure.reason());
        assertTrue(rig.front(() -> Promise.of(blkfront.broken().isPresent())));
        Promise<Void> later = rig.front(() -> Promise.of(blkfront.write(0, List.of(arena.allocate(512)))));
        assertEquals(BlockDeviceException.Reason.BROKEN, assertInstanceOf(BlockDeviceException.class, later.failure()).reason());
        assertEquals("alive", rig.front(() -> Promise.of("alive")));
    }

    @Test
    void anEventStormFromTheBackendLeavesTheFrontendServing() throws Exception {
        HostileDriver driver = new HostileDriver(Misdeed.NONE);
        Blkfront blkfront = connect(driver);
        rig.back(() -> {
            for (int i = 0; i < 100_000; i++) {
                rig.split.backChannels.notify(driver.port);
            }
            return Promise.unit();
        });
        rig.front(() -> blkfront.read(0, List.of(arena.allocate(4096))));
        assertTrue(rig.front(() -> Promise.of(blkfront.broken().isEmpty())));
    }

    @Test
    void aBackendOfferingANonsensicalRingOrderRejectsStartInsteadOfHanging() throws Exception {
        Promise<Blkfront> started = startAgainstNonsensicalRingOrder();
        BlockDeviceException failure = assertInstanceOf(BlockDeviceException.class, started.failure());
        assertEquals(BlockDeviceException.Reason.BROKEN, failure.reason());
    }

    @Test
    void aBackendRefusedWhileConnectingLeavesNoWatchAtTheDaemon() throws Exception {
        startAgainstNonsensicalRingOrder();
        assertEquals(0, rig.split.frontWatches());
    }

    @Test
    void aFirstDiskThatMakesNoSenseRejectsStartAndLeavesNoGrantOrPortBehind() throws Exception {
        Promise<Blkfront> started = startAgainstDiskOfSectorSize("1000"); // not a power of two
        BlockDeviceException failure = assertInstanceOf(BlockDeviceException.class, started.failure());
        assertEquals(BlockDeviceException.Reason.BROKEN, failure.reason());
        assertEquals(0, rig.split.frontDomain.liveGrants());
        assertEquals(0, rig.split.frontDomain.boundPorts());
    }

    @Test
    void aFirstDiskThatMakesNoSenseLeavesNoWatchAtTheDaemon() throws Exception {
        startAgainstDiskOfSectorSize("1000");
        assertEquals(0, rig.split.frontWatches());
    }

    @Test
    void aFirstDiskThatMakesNoSenseClosesTheFrontendForTheBackend() throws Exception {
        startAgainstDiskOfSectorSize("1000");
        String state = rig.back(() -> rig.split.backStore.read(VbdRig.FRONT + "/state"));
        assertEquals(XenbusState.CLOSED.toStoreValue(), state);
    }

    @Test
    void aRingTheBackendMappedBeforeADiskThatMakesNoSenseIsEndedOnceItClosesBeforeStartRejects() throws Exception {
        rig = new VbdRig(1 << 20, "w");
        rig.startBackend(new XenbusDriver() {
            private final List<MappedPages> rings = new ArrayList<>();

            @Override
            public Promise<Void> connect(XenbusEnd end) {
                return end.store().read(end.otherPath() + "/ring-ref").flatMap(ref -> {
                    rings.add(rig.split.mapper.map(1, List.of(new GrantRef(Integer.parseUnsignedInt(ref))), true));
                    return end.store().write(end.path() + "/sectors", "64");
                }).flatMap(v -> end.store().write(end.path() + "/sector-size", "1000")); // not a power of two
            }

            @Override
            public Promise<Void> disconnect(XenbusEnd end) {
                rings.forEach(MappedPages::close);
                return Promise.unit();
            }
        });
        Promise<Blkfront> started = startSettled();
        assertEquals(BlockDeviceException.Reason.BROKEN,
                assertInstanceOf(BlockDeviceException.class, started.failure()).reason());
        assertEquals(0, rig.split.frontDomain.liveGrants(), "the ring's grant was ended once the backend unmapped");
        assertEquals(0, rig.split.frontWatches());
    }

    @Test
    void aReconnectionWhoseDiskMakesNoSenseRejectsThoseWaitingForIt() throws Exception {
        rig = new VbdRig(1 << 20, "w");
        // The second time, the sector size is not a power of two.
        Backend backend = rig.startBackend(new DiskDriver("512", "1000"));
        Blkfront blkfront = rig.startBlkfront(Blkfront.Config.DEFAULT);
        // Asks for the next connection once the current one is gone (the frontend published Closed).
        Promise<Void> waiting = rig.front(() -> Promise.of(
                blkfront.frontend().reach(XenbusState.CLOSED).flatMap(v -> blkfront.whenConnected())));
        rig.back(() -> {
            backend.reconnect();
            return Promise.unit();
        });

        Promise<Void> outcome = rig.front(() -> settled(waiting));

        assertEquals(BlockDeviceException.Reason.BROKEN,
                assertInstanceOf(BlockDeviceException.class, outcome.failure()).reason());
    }

    /** Starts a Blkfront against a backend whose {@code max-ring-page-order} is not a number. */
    private Promise<Blkfront> startAgainstNonsensicalRingOrder() throws Exception {
        rig = new VbdRig(1 << 20, "w");
        rig.back(() -> rig.split.backStore.write(VbdRig.BACK + "/max-ring-page-order", "lots"));
        rig.startBackend(new IdleDriver());
        return startSettled();
    }

    /** Starts a Blkfront against a backend that connects with a disk of {@code sectorSize}. */
    private Promise<Blkfront> startAgainstDiskOfSectorSize(String sectorSize) throws Exception {
        rig = new VbdRig(1 << 20, "w");
        rig.startBackend(new DiskDriver(sectorSize));
        return startSettled();
    }

    /** Starts a Blkfront on the rig; fulfilled with start's promise once it has resolved either way. */
    private Promise<Blkfront> startSettled() throws Exception {
        return rig.front(() -> settled(Blkfront.start(rig.split.frontStore, VbdRig.FRONT,
                rig.split.frontChannels, rig.split.grants, Blkfront.Config.DEFAULT)));
    }

    /** Fulfilled with {@code promise} itself once it has resolved either way. */
    private static <T> Promise<Promise<T>> settled(Promise<T> promise) {
        return promise.map(v -> promise).recover(failure -> Promise.of(promise));
    }
}
