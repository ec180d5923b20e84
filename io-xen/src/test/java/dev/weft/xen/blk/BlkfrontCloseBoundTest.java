package dev.weft.xen.blk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.xen.bus.ManualTime;
import dev.weft.xen.bus.StubbornBackend;
import dev.weft.xen.bus.StuckDisconnect;
import dev.weft.xen.bus.XenbusEnd;
import dev.weft.xen.bus.XenbusState;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Blkfront#disconnect()} against a backend that stays Connected for ever: the frontend waits
 * for it to close at most {@link XenbusEnd#CLOSE_BOUND} (on a manual clock), then releases its side
 * anyway and rejects with CLOSE_TIMEOUT.
 */
class BlkfrontCloseBoundTest {
    private final ManualTime time = new ManualTime();
    private final Arena arena = Arena.ofShared();
    private VbdRig rig;
    private Blkfront blkfront;
    private StuckDisconnect disconnect;

    @BeforeEach
    void connectToABackendThatNeverCloses() throws Exception {
        rig = new VbdRig(1 << 20, "w", 1, time);
        rig.back(() -> StubbornBackend.start(rig.split.backStore, VbdRig.BACK, Map.of("sectors", "64", "sector-size", "512")));
        blkfront = rig.startBlkfront(Blkfront.Config.DEFAULT);
        disconnect = new StuckDisconnect(rig.split, time);
    }

    @AfterEach
    void close() throws Exception {
        rig.close();
        arena.close();
    }

    @Test
    void disconnectWaitsForTheBackendOnlyUpToTheCloseBound() throws Exception {
        disconnect.begin(blkfront::disconnect, blkfront::frontend);
        assertTrue(disconnect.pending(), "the backend may still close");
        assertEquals(List.of(XenbusEnd.CLOSE_BOUND), time.asked());
        Promise<Void> outcome = disconnect.boundPasses();
        BlockDeviceException failure = assertInstanceOf(BlockDeviceException.class, outcome.failure());
        assertEquals(BlockDeviceException.Reason.CLOSE_TIMEOUT, failure.reason());
    }

    @Test
    void aDisconnectThatTimedOutReleasedThePortTheGrantsAndTheWatch() throws Exception {
        disconnect.begin(blkfront::disconnect, blkfront::frontend);
        disconnect.boundPasses();
        assertEquals(0, rig.split.frontDomain.boundPorts());
        assertEquals(0, rig.split.frontDomain.liveGrants());
        assertEquals(0, rig.split.frontWatches());
    }

    @Test
    void aDisconnectThatTimedOutPublishesClosedForTheBackend() throws Exception {
        disconnect.begin(blkfront::disconnect, blkfront::frontend);
        disconnect.boundPasses();
        String state = rig.back(() -> rig.split.backStore.read(VbdRig.FRONT + "/state"));
        assertEquals(XenbusState.CLOSED.toStoreValue(), state);
    }

    @Test
    void aDisconnectThatTimedOutFailsTheOperationsTheBackendNeverAnswered() throws Exception {
        Promise<Void> read = rig.front(() -> Promise.of(blkfront.read(0, List.of(arena.allocate(512)))));
        disconnect.begin(blkfront::disconnect, blkfront::frontend);
        disconnect.boundPasses();
        Promise<Void> outcome = rig.front(() -> settled(read));
        assertEquals(BlockDeviceException.Reason.DISCONNECTED,
                assertInstanceOf(BlockDeviceException.class, outcome.failure()).reason());
    }

    @Test
    void aRingTheStuckBackendStillMapsIsSetAsideAfterTheReclaimBound() throws Exception {
        MappedPages ring = rig.back(() -> rig.split.backStore.read(VbdRig.FRONT + "/ring-ref").map(ref ->
                rig.split.mapper.map(1, List.of(new GrantRef(Integer.parseUnsignedInt(ref))), true)));
        disconnect.begin(blkfront::disconnect, blkfront::frontend);
        rig.front(() -> {
            time.elapse(); // the close bound
            return time.sleepers(1); // the reclaim bound
        });
        assertTrue(disconnect.pending(), "waits for the backend to unmap");
        Promise<Void> outcome = disconnect.boundPasses();
        assertEquals(BlockDeviceException.Reason.CLOSE_TIMEOUT,
                assertInstanceOf(BlockDeviceException.class, outcome.failure()).reason());
        assertEquals(1, rig.front(() -> Promise.of(blkfront.unreusablePages())));
        assertEquals(2, time.asked().size(), "one close bound and one reclaim bound, not a second reclaim");
        rig.back(() -> {
            ring.close();
            return Promise.unit();
        });
    }

    /** Fulfilled with {@code promise} itself once it has resolved either way. */
    private static <T> Promise<Promise<T>> settled(Promise<T> promise) {
        return promise.map(v -> promise).recover(failure -> Promise.of(promise));
    }
}
