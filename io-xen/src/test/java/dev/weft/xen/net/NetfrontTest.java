package dev.weft.xen.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.MacAddress;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.bus.SplitDeviceRig;
import dev.weft.xen.bus.XenbusState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Netfront in a guest domain against the software netback in a driver domain, over the
 * hypervisor model: two loops on two threads sharing only granted pages, one event channel and
 * the model's xenstore.
 */
class NetfrontTest {
    static final String FRONT = "/local/domain/1/device/vif/0";
    static final String BACK = "/local/domain/0/backend/vif/1/0";
    private static final MacAddress MAC = MacAddress.parse("00:16:3e:01:02:03");

    private final Arena arena = Arena.ofShared();
    private final SplittableRandom random = new SplittableRandom(0x4E7);
    private final List<byte[]> sentToBackend = new ArrayList<>();
    private Consumer<byte[]> backendHandler = sentToBackend::add;
    private SplitDeviceRig rig;
    private Netback netback;
    private Netfront netfront;

    @BeforeEach
    void connect() throws Exception {
        rig = new SplitDeviceRig(FRONT, BACK, Map.of());
        netback = rig.back(() -> Netback.start(rig.backStore, BACK, rig.backChannels, rig.mapper, MAC, 1500,
                frame -> backendHandler.accept(frame.toArray(ValueLayout.JAVA_BYTE))));
        netfront = rig.front(() -> Netfront.start(rig.frontStore, FRONT, rig.frontChannels, rig.grants));
    }

    @AfterEach
    void close() throws Exception {
        rig.close();
        arena.close();
    }

    private byte[] randomFrame(int size) {
        byte[] frame = new byte[size];
        random.nextBytes(frame);
        return frame;
    }

    /** The frame as 1 to 3 off-heap fragments. */
    private List<MemorySegment> fragments(byte[] frame) {
        List<MemorySegment> fragments = new ArrayList<>();
        int at = 0;
        int pieces = 1 + random.nextInt(3);
        for (int piece = 0; piece < pieces; piece++) {
            int size = piece == pieces - 1 ? frame.length - at : random.nextInt(frame.length - at + 1);
            MemorySegment fragment = arena.allocate(Math.max(size, 1)).asSlice(0, size);
            MemorySegment.copy(MemorySegment.ofArray(frame), at, fragment, 0, size);
            fragments.add(fragment);
            at += size;
        }
        return fragments;
    }

    /** Listens on the frontend and fulfils once {@code count} frames arrived, with their bytes. */
    private Promise<List<byte[]>> receive(int count) {
        List<byte[]> frames = new ArrayList<>();
        Resolver<List<byte[]>> done = Promise.pending();
        netfront.listen(frame -> {
            frames.add(frame.toArray(ValueLayout.JAVA_BYTE));
            if (frames.size() == count) {
                done.resolve(frames);
            }
        });
        return done.promise();
    }

    @Test
    void theMacAndMtuComeFromTheBackendsDirectory() throws Exception {
        assertEquals(MAC, rig.front(() -> Promise.of(netfront.mac())));
        assertEquals(1500, rig.front(() -> Promise.of(netfront.mtu())));
    }

    @Test
    void sentFramesReachTheBackendIntactAndInOrder() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 600; i++) { // more than the TX ring's 256 slots
            frames.add(randomFrame(60 + random.nextInt(1455)));
        }
        rig.front(() -> {
            List<Promise<Void>> writes = new ArrayList<>();
            for (byte[] frame : frames) {
                writes.add(netfront.write(fragments(frame)));
            }
            return Promise.join(writes);
        });
        List<byte[]> arrived = rig.back(() -> Promise.of(List.copyOf(sentToBackend)));
        assertEquals(frames.size(), arrived.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), arrived.get(i), "frame " + i);
        }
        assertEquals(600L, rig.front(() -> Promise.of(netfront.counters().txFrames())));
    }

    @Test
    void framesFromTheBackendReachTheListenerAcrossReusedRxPages() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 700; i++) { // the RX pool's 256 pages are each reused
            frames.add(randomFrame(Netif.ETHERNET_HEADER + random.nextInt(1501)));
        }
        Promise<List<byte[]>> received = rig.front(() -> Promise.of(receive(frames.size())));
        rig.back(() -> {
            frames.forEach(netback::inject);
            return Promise.unit();
        });
        List<byte[]> arrived = rig.front(() -> received);
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), arrived.get(i), "frame " + i);
        }
        Netfront.Counters counters = rig.front(() -> Promise.of(netfront.counters()));
        assertEquals(700, counters.rxFrames());
        assertEquals(0, counters.rxErrors());
    }

    @Test
    void aBackendThatEchoesReturnsEveryFrameToTheListener() throws Exception {
        backendHandler = frame -> netback.inject(frame);
        Promise<List<byte[]>> received = rig.front(() -> Promise.of(receive(100)));
        List<byte[]> frames = new ArrayList<>();
        rig.front(() -> {
            List<Promise<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] frame = randomFrame(64 + i);
                frames.add(frame);
                writes.add(netfront.write(fragments(frame)));
            }
            return Promise.join(writes);
        });
        List<byte[]> arrived = rig.front(() -> received);
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), arrived.get(i), "frame " + i);
        }
    }

    @Test
    void aFrameLargerThanTheMtuIsRefusedWithATypedError() throws Exception {
        Promise<Void> write = rig.front(() -> Promise.of(netfront.write(fragments(randomFrame(1515)))));
        assertEquals(NetworkException.Reason.FRAME_TOO_LARGE, assertInstanceOf(NetworkException.class, write.failure()).reason());
    }

    @Test
    void aFrameShorterThanAnEthernetHeaderIsRefusedWithATypedErrorAndNoGrant() throws Exception {
        int grantsBefore = rig.frontDomain.liveGrants();
        Promise<Void> write = rig.front(() -> Promise.of(netfront.write(fragments(randomFrame(Netif.ETHERNET_HEADER - 1)))));
        assertEquals(NetworkException.Reason.FRAME_TOO_SMALL, assertInstanceOf(NetworkException.class, write.failure()).reason());
        assertEquals(grantsBefore, rig.frontDomain.liveGrants());
        assertEquals(0L, rig.front(() -> Promise.of(netfront.counters().txFrames())));
    }

    @Test
    void aFrameThatCannotBeGrantedForAnyReasonIsRejectedWithNoGrantsInsteadOfThrown() throws Exception {
        Promise<Void> write = rig.front(() -> {
            rig.grants.close(); // sharing now fails with an IllegalStateException, not a GrantException
            return Promise.of(netfront.write(fragments(randomFrame(60))));
        });
        assertEquals(NetworkException.Reason.NO_GRANTS, assertInstanceOf(NetworkException.class, write.failure()).reason());
    }

    @Test
    void aSecondListenerIsRefused() throws Exception {
        Promise<Void> second = rig.front(() -> {
            netfront.listen(frame -> { });
            return Promise.of(netfront.listen(frame -> { }));
        });
        assertInstanceOf(IllegalStateException.class, second.failure());
    }

    @Test
    void aDeviceDisconnectedAfterItsEventChannelsWereClosedStillClosesAndEndsItsGrants() throws Exception {
        rig.front(() -> {
            rig.frontChannels.close(); // the application closes its channels first, the device after
            return netfront.disconnect();
        });
        rig.back(() -> netback.backend().reach(XenbusState.CLOSED));
        assertEquals(0, rig.frontDomain.liveGrants());
        assertEquals(0, rig.front(() -> Promise.of(netfront.unreusablePages())));
    }

    @Test
    void disconnectingEndsTheListenerReleasesGrantsAndPortsAndRefusesWrites() throws Exception {
        Promise<Void> listening = rig.front(() -> Promise.of(netfront.listen(frame -> { })));
        rig.front(() -> netfront.write(fragments(randomFrame(100))));
        rig.front(netfront::disconnect);
        rig.back(() -> netback.backend().reach(XenbusState.CLOSED));
        assertTrue(listening.isFulfilled());
        Promise<Void> write = rig.front(() -> Promise.of(netfront.write(fragments(randomFrame(100)))));
        assertEquals(NetworkException.Reason.DISCONNECTED, assertInstanceOf(NetworkException.class, write.failure()).reason());
        assertEquals(0, rig.frontDomain.liveGrants());
        assertEquals(0, rig.frontDomain.boundPorts());
    }

    @Test
    void disconnectingWithXenstoreGoneStillEndsTheListenerAndGivesBackThePort() throws Exception {
        Promise<Void> listening = rig.front(() -> Promise.of(netfront.listen(frame -> { })));
        rig.front(() -> rig.frontStore.close()); // xenbus can no longer say goodbye to the backend

        Promise<Void> disconnected = rig.front(() -> {
            Promise<Void> done = netfront.disconnect();
            return done.map(v -> done).recover(failure -> Promise.of(done));
        });

        assertTrue(disconnected.isRejected(), "the xenbus close failed, and says so");
        assertTrue(!listening.isPending(), "the listener's promise ended");
        assertEquals(0, rig.frontDomain.boundPorts());
        Promise<Void> write = rig.front(() -> Promise.of(netfront.write(fragments(randomFrame(100)))));
        assertEquals(NetworkException.Reason.DISCONNECTED, assertInstanceOf(NetworkException.class, write.failure()).reason());
    }

    @Test
    void listeningAfterDisconnectIsRefusedInsteadOfWaitingForever() throws Exception {
        rig.front(netfront::disconnect);
        Promise<Void> late = rig.front(() -> Promise.of(netfront.listen(frame -> { })));
        assertEquals(NetworkException.Reason.DISCONNECTED, assertInstanceOf(NetworkException.class, late.failure()).reason());
    }

    @Test
    void afterTheBackendReconnectsFramesFlowOnNewRings() throws Exception {
        rig.back(() -> {
            netback.backend().reconnect();
            return netback.backend().reach(XenbusState.CLOSED).flatMap(v -> netback.backend().reach(XenbusState.CONNECTED));
        });
        rig.front(netfront::whenConnected);
        byte[] frame = randomFrame(200);
        rig.front(() -> netfront.write(fragments(frame)));
        assertArrayEquals(frame, rig.back(() -> Promise.of(sentToBackend.getLast())));
    }
}
