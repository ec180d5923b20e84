package dev.weft.xen.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.xen.bus.NodeWatch;
import dev.weft.xen.bus.SplitDeviceRig;
import dev.weft.xen.bus.XenbusState;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Netfront#start} against a backend that offers itself (InitWait) and never connects: the
 * caller that gives up cancels the start, and the device is given up with it, leaving nothing
 * behind (the caller has no device to disconnect).
 */
class NetfrontStartTest {
    private SplitDeviceRig rig;

    @AfterEach
    void close() throws Exception {
        rig.close();
    }

    @Test
    void cancellingAStartWaitingForABackendThatNeverConnectsClosesTheDeviceAndReleasesItsPagesPortAndWatch()
            throws Exception {
        rig = new SplitDeviceRig(NetfrontTest.FRONT, NetfrontTest.BACK, Map.of("feature-rx-copy", "1"));
        rig.back(() -> rig.backStore.write(NetfrontTest.BACK + "/state", XenbusState.INIT_WAIT.toStoreValue()));
        Promise<Netfront> starting = rig.front(() -> Promise.of(Netfront.start(rig.frontStore, NetfrontTest.FRONT,
                rig.frontChannels, rig.grants)));
        rig.back(() -> NodeWatch.until(rig.backStore, NetfrontTest.FRONT + "/state",
                XenbusState.INITIALISED.toStoreValue())); // its rings, pool and port are published

        rig.front(() -> {
            starting.cancel();
            return Promise.unit();
        });

        rig.back(() -> NodeWatch.until(rig.backStore, NetfrontTest.FRONT + "/state", XenbusState.CLOSED.toStoreValue()));
        for (int turn = 0; rig.frontWatches() > 0; turn++) {
            assertTrue(turn < 100_000, "the frontend's watch is never removed");
            rig.front(Promise::unit); // its unwatch follows Closed: one round trip of the guest's loop at a time
        }
        assertEquals(0, rig.frontDomain.liveGrants());
        assertEquals(0, rig.frontDomain.boundPorts());
    }
}
