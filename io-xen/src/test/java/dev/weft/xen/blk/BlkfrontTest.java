package dev.weft.xen.blk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Block;
import dev.weft.promise.Promise;
import dev.weft.xen.bus.XenbusState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blkfront in a guest domain against the software blkback in a driver domain, over the
 * hypervisor model: two loops on two threads sharing only granted pages, event channels and the
 * model's xenstore; the disk is a temporary file.
 */
class BlkfrontTest {
    private static final long DISK_BYTES = 4L << 20;
    private static final Blkback.Config READ_WRITE = new Blkback.Config(false, 512, 0, true);

    private final Arena arena = Arena.ofShared();
    private final SplittableRandom random = new SplittableRandom(0xB10C);
    private VbdRig rig;

    @AfterEach
    void close() throws Exception {
        if (rig != null) {
            rig.close();
        }
        arena.close();
    }

    private Blkfront connect(String mode, Blkback.Config back, Blkfront.Config front) throws Exception {
        rig = new VbdRig(DISK_BYTES, mode);
        rig.startBlkback(back);
        return rig.startBlkfront(front);
    }

    private MemorySegment randomBytes(long size) {
        MemorySegment segment = arena.allocate(size, 8);
        byte[] bytes = new byte[(int) size];
        random.nextBytes(bytes);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, size);
        return segment;
    }

    /** Splits {@code total} bytes into buffers of random whole-sector sizes. */
    private List<MemorySegment> buffers(long total, int sectorSize, boolean fill) {
        List<MemorySegment> list = new ArrayList<>();
        long left = total;
        while (left > 0) {
            long size = Math.min(left, (long) sectorSize * (1 + random.nextInt(20)));
            list.add(fill ? randomBytes(size) : arena.allocate(size, 8));
            left -= size;
        }
        return list;
    }

    private static byte[] concat(List<MemorySegment> buffers) {
        int total = 0;
        for (MemorySegment buffer : buffers) {
            total += (int) buffer.byteSize();
        }
        byte[] bytes = new byte[total];
        int at = 0;
        for (MemorySegment buffer : buffers) {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, at, (int) buffer.byteSize());
            at += (int) buffer.byteSize();
        }
        return bytes;
    }

    private byte[] fileBytes(long position, int length) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            rig.file.read(buffer, position + buffer.position());
        }
        return buffer.array();
    }

    private static BlockDeviceException.Reason failureOf(Promise<?> promise) {
        return assertInstanceOf(BlockDeviceException.class, promise.failure()).reason();
    }

    @Test
    void theFrontendReadsTheDisksGeometryAndFeaturesFromTheBackend() throws Exception {
        Blkfront blkfront = connect("w", READ_WRITE, Blkfront.Config.DEFAULT);
        assertEquals(new Block.Info(true, 512, DISK_BYTES / 512), rig.front(() -> Promise.of(blkfront.info())));
        assertEquals(new Blkfront.Features(true, false, false, 512, 0),
                rig.front(() -> Promise.of(blkfront.features().orElseThrow())));
    }

    @Test
    void writtenSectorsReadBackAndLandAtTheirOffsetInTheFile() throws Exception {
        Blkfront blkfront = connect("w", READ_WRITE, Blkfront.Config.DEFAULT);
        for (int round = 0; round < 20; round++) {
            long sectors = 1 + random.nextInt(200); // up to 100 KiB: across one and more requests
            long start = random.nextLong(DISK_BYTES / 512 - sectors);
            List<MemorySegment> written = buffers(sectors * 512, 512, true);
            rig.front(() -> blkfront.write(start, written));
            List<MemorySegment> read = buffers(sectors * 512, 512, false);
            rig.front(() -> blkfront.read(start, read));
            assertArrayEquals(concat(written), concat(read), "round " + round);
            assertArrayEquals(concat(written), fileBytes(start * 512, (int) sectors * 512), "round " + round);
        }
    }

    @Test
    void cancellingAReadDoesNotWithdrawItAndAReadAfterItLosesNothingAndLeaksNoGrant() throws Exception {
        Blkfront blkfront = connect("w", READ_WRITE, Blkfront.Config.DEFAULT);
        List<MemorySegment> written = buffers(3L * BlkRing.MAX_REQUEST_BYTES, 512, true); // several requests
        rig.front(() -> blkfront.write(0, written));
        List<MemorySegment> cancelled = buffers(3L * BlkRing.MAX_REQUEST_BYTES, 512, false);
        List<MemorySegment> again = buffers(3L * BlkRing.MAX_REQUEST_BYTES, 512, false);
        Promise<Void> first = rig.front(() -> {
            Promise<Void> read = blkfront.read(0, cancelled);
            read.cancel(); // requests on the ring cannot be taken back: the read runs to its end
            return Promise.of(read);
        });
        rig.front(() -> blkfront.read(0, again));
        rig.front(() -> first);
        assertArrayEquals(concat(written), concat(again));
        assertArrayEquals(concat(written), concat(cancelled), "a cancelled read still fills its buffers");
        assertEquals(1, rig.split.frontDomain.liveGrants(), "only the ring's page is still granted");
    }

    @Test
    void aTransferLargerThanOneRequestIsSplitIntoRequestsOfElevenPages() throws Exception {
        rig = new VbdRig(DISK_BYTES, "w");
        Blkback blkback = rig.startBlkback(READ_WRITE);
        Blkfront blkfront = rig.startBlkfront(Blkfront.Config.DEFAULT);
        long before = rig.back(() -> Promise.of(blkback.requests()));
        List<MemorySegment> written = buffers(2L * BlkRing.MAX_REQUEST_BYTES + 512, 512, true);
        rig.front(() -> blkfront.write(7, written));
        assertEquals(3L, rig.back(() -> Promise.of(blkback.requests() - before)));
        List<MemorySegment> read = buffers(2L * BlkRing.MAX_REQUEST_BYTES + 512, 512, false);
        rig.front(() -> blkfront.read(7, read));
        assertArrayEquals(concat(written), concat(read));
    }

    @Test
    void sectorNumbersOnTheRingAreIn512ByteUnitsOnA4096ByteSectorDisk() throws Exception {
        Blkfront blkfront = connect("w", new Blkback.Config(false, 4096, 0, false), Blkfront.Config.DEFAULT);
        assertEquals(new Block.Info(true, 4096, DISK_BYTES / 4096), rig.front(() -> Promise.of(blkfront.info())));
        List<MemorySegment> written = List.of(randomBytes(3 * 4096));
        rig.front(() -> blkfront.write(5, written));
        assertArrayEquals(concat(written), fileBytes(5 * 4096, 3 * 4096));
    }

    @Test
    void aReadOnlyDeviceRefusesWritesWithATypedErrorAndStillReads() throws Exception {
        Blkfront blkfront = connect("r", new Blkback.Config(true, 512, 0, false), Blkfront.Config.DEFAULT);
        Promise<Void> write = rig.front(() -> Promise.of(blkfront.write(0, List.of(randomBytes(512)))));
        assertEquals(BlockDeviceException.Reason.READ_ONLY, failureOf(write));
        assertEquals(false, rig.front(() -> Promise.of(blkfront.info().readWrite())));
        rig.front(() -> blkfront.read(0, List.of(arena.allocate(512))));
    }

    @Test
    void sectorsPastTheEndAndPartialSectorBuffersAreRefused() throws Exception {
        Blkfront blkfront = connect("w", READ_WRITE, Blkfront.Config.DEFAULT);
        long last = DISK_BYTES / 512 - 1;
        assertEquals(BlockDeviceException.Reason.OUT_OF_RANGE, failureOf(rig.front(() ->
                Promise.of(blkfront.read(last, List.of(arena.allocate(1024)))))));
        assertEquals(BlockDeviceException.Reason.BAD_BUFFER, failureOf(rig.front(() ->
                Promise.of(blkfront.read(0, List.of(arena.allocate(700)))))));
    }

    @Test
    void aFlushIsAnsweredWhenTheBackendOffersIt() throws Exception {
        Blkfront blkfront = connect("w", READ_WRITE, Blkfront.Config.DEFAULT);
        rig.front(() -> blkfront.write(0, List.of(randomBytes(512))).flatMap(v -> blkfront.flush()));
    }

    @Test
    void aFlushIsRefusedAsUnsupportedWhenTheBackendOffersNeitherFlushNorBarrier() throws Exception {
        Blkfront blkfront = connect("w", new Blkback.Config(false, 512, 0, false), Blkfront.Config.DEFAULT);
        assertEquals(BlockDeviceException.Reason.UNSUPPORTED, failureOf(rig.front(() -> Promise.of(blkfront.flush()))));
    }

    @Test
    void aMultiPageRingIsUsedWhenTheBackendOffersOneAndCarriesManyRequestsAtOnce() throws Exception {
        Blkfront blkfront = connect("w", new Blkback.Config(false, 512, 2, false), new Blkfront.Config(3));
        assertEquals(2, rig.front(() -> Promise.of(blkfront.features().orElseThrow().ringPageOrder())));
        List<MemorySegment> written = new ArrayList<>();
        rig.front(() -> {
            List<Promise<Void>> writes = new ArrayList<>();
            for (int sector = 0; sector < 300; sector++) { // more than 128 entries of a 4-page ring
                MemorySegment one = randomBytes(512);
                written.add(one);
                writes.add(blkfront.write(sector, List.of(one)));
            }
            return Promise.join(writes);
        });
        assertArrayEquals(concat(written), fileBytes(0, 300 * 512));
    }

    @Test
    void aFrontendAskingForALargerRingThanOfferedPublishesOneRingRef() throws Exception {
        Blkfront blkfront = connect("w", READ_WRITE, new Blkfront.Config(2));
        assertEquals(0, rig.front(() -> Promise.of(blkfront.features().orElseThrow().ringPageOrder())));
        String ringRef = rig.front(() -> rig.split.frontStore.read(VbdRig.FRONT + "/ring-ref"));
        assertEquals(true, ringRef.matches("[0-9]+"));
        rig.front(() -> blkfront.write(1, List.of(randomBytes(512))));
    }

    @Test
    void afterTheBackendReconnectsTheDeviceWorksOnANewRing() throws Exception {
        rig = new VbdRig(DISK_BYTES, "w");
        Blkback blkback = rig.startBlkback(READ_WRITE);
        Blkfront blkfront = rig.startBlkfront(Blkfront.Config.DEFAULT);
        List<MemorySegment> written = List.of(randomBytes(4096));
        rig.front(() -> blkfront.write(100, written));
        rig.back(() -> {
            blkback.backend().reconnect();
            return blkback.backend().reach(XenbusState.CLOSED).flatMap(v -> blkback.backend().reach(XenbusState.CONNECTED));
        });
        rig.front(blkfront::whenConnected);
        List<MemorySegment> read = List.of(arena.allocate(4096));
        rig.front(() -> blkfront.read(100, read));
        assertArrayEquals(concat(written), concat(read));
        assertEquals(2L, rig.front(() -> Promise.of(blkfront.connections())));
    }

    @Test
    void closingTheDeviceReleasesItsGrantsAndPortsAndLaterOperationsAreRefused() throws Exception {
        rig = new VbdRig(DISK_BYTES, "w");
        Blkback blkback = rig.startBlkback(READ_WRITE);
        Blkfront blkfront = rig.startBlkfront(Blkfront.Config.DEFAULT);
        rig.front(() -> blkfront.write(0, List.of(randomBytes(8192))));
        rig.front(blkfront::disconnect);
        rig.back(() -> blkback.backend().reach(XenbusState.CLOSED));
        assertEquals(BlockDeviceException.Reason.DISCONNECTED,
                failureOf(rig.front(() -> Promise.of(blkfront.read(0, List.of(arena.allocate(512)))))));
        assertEquals(0, rig.split.frontDomain.liveGrants());
        assertEquals(0, rig.split.frontDomain.boundPorts());
        assertEquals(0, rig.front(() -> Promise.of(blkfront.unreusablePages())));
    }

    @Test
    void aDeviceDisconnectedAfterItsEventChannelsWereClosedStillClosesAndEndsItsGrants() throws Exception {
        rig = new VbdRig(DISK_BYTES, "w");
        Blkback blkback = rig.startBlkback(READ_WRITE);
        Blkfront blkfront = rig.startBlkfront(Blkfront.Config.DEFAULT);
        rig.front(() -> {
            rig.split.frontChannels.close(); // the application closes its channels first, the device after
            return blkfront.disconnect();
        });
        rig.back(() -> blkback.backend().reach(XenbusState.CLOSED));
        assertEquals(0, rig.split.frontDomain.liveGrants());
        assertEquals(0, rig.front(() -> Promise.of(blkfront.unreusablePages())));
    }

    @Test
    void pagesThatCannotBeGrantedForAnyReasonRejectTheReadWithNoGrantsInsteadOfThrowing() throws Exception {
        Blkfront blkfront = connect("w", READ_WRITE, Blkfront.Config.DEFAULT);
        Promise<Void> read = rig.front(() -> {
            rig.split.grants.close(); // sharing now fails with an IllegalStateException, not a GrantException
            return Promise.of(blkfront.read(0, List.of(arena.allocate(512))));
        });
        assertEquals(BlockDeviceException.Reason.NO_GRANTS, failureOf(read));
    }

    @Test
    void disconnectingWithXenstoreGoneStillReleasesTheDeviceOnThisSide() throws Exception {
        rig = new VbdRig(DISK_BYTES, "w");
        rig.startBlkback(READ_WRITE);
        Blkfront blkfront = rig.startBlkfront(Blkfront.Config.DEFAULT);
        rig.front(() -> rig.split.frontStore.close()); // xenbus can no longer say goodbye to the backend

        Promise<Void> disconnected = rig.front(() -> {
            Promise<Void> done = blkfront.disconnect();
            return done.map(v -> done).recover(failure -> Promise.of(done));
        });

        assertTrue(disconnected.isRejected(), "the xenbus close failed, and says so");
        assertEquals(0, rig.split.frontDomain.boundPorts());
        assertEquals(BlockDeviceException.Reason.DISCONNECTED,
                failureOf(rig.front(() -> Promise.of(blkfront.read(0, List.of(arena.allocate(512)))))));
    }

    @Test
    void aFailedOperationRejectsItsPromiseInsteadOfThrowing() throws Exception {
        Blkfront blkfront = connect("w", READ_WRITE, Blkfront.Config.DEFAULT);
        ExecutionException thrown = assertThrows(ExecutionException.class,
                () -> rig.front(() -> blkfront.read(-1, List.of(arena.allocate(512)))));
        assertInstanceOf(BlockDeviceException.class, thrown.getCause());
    }
}
