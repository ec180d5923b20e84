package dev.weft.xen.blk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.xen.bus.ManualTime;
import dev.weft.xen.bus.XenbusCloseTimeoutException;
import dev.weft.xen.bus.XenbusEnd;
import dev.weft.xen.bus.XenbusState;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blkback's requests that are still being served (their file I/O on the blocking pool) when the
 * frontend goes away: their responses belong to a ring that is gone.
 */
class BlkbackLifecycleTest {
    private static final Blkback.Config READ_WRITE = new Blkback.Config(false, 512, 0, false);

    private final Arena arena = Arena.ofShared();
    private final List<Throwable> reported = new CopyOnWriteArrayList<>();
    private VbdRig rig;

    @AfterEach
    void close() throws Exception {
        rig.back(() -> {
            LoopHooks.setThreadAsyncExceptionHook(null);
            return Promise.unit();
        });
        rig.close();
        arena.close();
    }

    @Test
    void aReadFinishingAfterTheFrontendLeftTouchesNeitherTheUnmappedRingNorTheGrants() throws Exception {
        rig = new VbdRig(1 << 20, "w", 1);
        rig.back(() -> {
            LoopHooks.setThreadAsyncExceptionHook(reported::add);
            return Promise.unit();
        });
        Blkback blkback = rig.startBlkback(READ_WRITE);
        Blkfront blkfront = rig.startBlkfront(Blkfront.Config.DEFAULT);
        CountDownLatch fileBusy = new CountDownLatch(1);
        rig.back(() -> {
            rig.pool.detach(() -> {
                fileBusy.await(); // holds the pool's one thread: the backend's file read queues behind it
                return null;
            });
            return Promise.unit();
        });
        Promise<Void> read = rig.front(() -> Promise.of(blkfront.read(0, List.of(arena.allocate(4096)))));
        for (int turn = 0; rig.back(() -> Promise.of(blkback.requests())) == 0; turn++) {
            assertTrue(turn < 100_000, "the backend never took the read");
            rig.front(Promise::unit); // let the request cross: each turn is one round trip of both loops
        }

        rig.front(blkfront::disconnect);
        rig.back(() -> blkback.backend().reach(XenbusState.CLOSED));
        fileBusy.countDown();
        rig.back(() -> rig.pool.detach(() -> null)); // after the read on the one thread; its answer came first

        assertEquals(List.of(), reported);
        assertEquals(BlockDeviceException.Reason.DISCONNECTED,
                assertInstanceOf(BlockDeviceException.class, read.failure()).reason());
        assertEquals(0, rig.split.frontDomain.liveGrants());
    }

    @Test
    void closingABackendWhoseFrontendNeverClosesGivesUpAtTheBoundAndReleasesItsSide() throws Exception {
        ManualTime time = new ManualTime();
        rig = new VbdRig(1 << 20, "w", 1, null, time);
        Blkback blkback = rig.startBlkback(READ_WRITE);
        rig.startBlkfront(Blkfront.Config.DEFAULT);
        rig.front(() -> rig.split.frontStore.close()); // the guest is gone; its state still says Connected

        Promise<Void> closing = rig.back(() -> {
            Promise<Void> closed = blkback.close();
            return blkback.backend().reach(XenbusState.CLOSING).flatMap(v -> time.sleepers(1)).map(v -> closed);
        });
        rig.back(() -> {
            time.elapse();
            return Promise.unit();
        });
        Promise<Void> outcome = rig.back(() -> closing.map(v -> closing).recover(failure -> Promise.of(closing)));

        assertInstanceOf(XenbusCloseTimeoutException.class, outcome.failure());
        assertEquals(List.of(XenbusEnd.CLOSE_BOUND), time.asked());
        assertEquals(0, rig.split.backDomain.boundPorts());
        assertEquals(XenbusState.CLOSED.toStoreValue(), rig.back(() -> rig.split.backStore.read(VbdRig.BACK + "/state")));
    }
}
