package dev.weft.xen.blk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.xen.bus.NodeWatch;
import dev.weft.xen.bus.XenbusState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Blkfront#start} against a backend that offers itself (InitWait) and never connects: the
 * caller that gives up cancels the start, and the device is given up with it, leaving nothing
 * behind (the caller has no device to disconnect).
 */
class BlkfrontStartTest {
    private VbdRig rig;

    @AfterEach
    void close() throws Exception {
        rig.close();
    }

    @Test
    void cancellingAStartWaitingForABackendThatNeverConnectsClosesTheDeviceAndReleasesItsGrantsPortAndWatch()
            throws Exception {
        rig = new VbdRig(1 << 20, "w");
        rig.back(() -> rig.split.backStore.write(VbdRig.BACK + "/state", XenbusState.INIT_WAIT.toStoreValue()));
        Promise<Blkfront> starting = rig.front(() -> Promise.of(Blkfront.start(rig.split.frontStore, VbdRig.FRONT,
                rig.split.frontChannels, rig.split.grants, Blkfront.Config.DEFAULT)));
        rig.back(() -> NodeWatch.until(rig.split.backStore, VbdRig.FRONT + "/state",
                XenbusState.INITIALISED.toStoreValue())); // its ring and port are published

        rig.front(() -> {
            starting.cancel();
            return Promise.unit();
        });

        rig.back(() -> NodeWatch.until(rig.split.backStore, VbdRig.FRONT + "/state", XenbusState.CLOSED.toStoreValue()));
        for (int turn = 0; rig.split.frontWatches() > 0; turn++) {
            assertTrue(turn < 100_000, "the frontend's watch is never removed");
            rig.front(Promise::unit); // its unwatch follows Closed: one round trip of the guest's loop at a time
        }
        assertEquals(0, rig.split.frontDomain.liveGrants());
        assertEquals(0, rig.split.frontDomain.boundPorts());
    }
}
