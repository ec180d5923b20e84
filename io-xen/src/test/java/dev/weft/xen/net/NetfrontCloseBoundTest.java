package dev.weft.xen.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.xen.bus.ManualTime;
import dev.weft.xen.bus.SplitDeviceRig;
import dev.weft.xen.bus.StubbornBackend;
import dev.weft.xen.bus.StuckDisconnect;
import dev.weft.xen.bus.XenbusEnd;
import dev.weft.xen.bus.XenbusState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Netfront#disconnect()} against a backend that stays Connected for ever: the frontend waits
 * for it to close at most {@link XenbusEnd#CLOSE_BOUND} (on a manual clock), then releases its side
 * anyway, ends its listener, and rejects with CLOSE_TIMEOUT.
 */
class NetfrontCloseBoundTest {
    private final ManualTime time = new ManualTime();
    private SplitDeviceRig rig;
    private Netfront netfront;
    private StuckDisconnect disconnect;

    @BeforeEach
    void connectToABackendThatNeverCloses() throws Exception {
        rig = new SplitDeviceRig(NetfrontTest.FRONT, NetfrontTest.BACK, Map.of(), time);
        rig.back(() -> StubbornBackend.start(rig.backStore, NetfrontTest.BACK,
                Map.of("feature-rx-copy", "1", "mac", "00:16:3e:01:02:03")));
        netfront = rig.front(() -> Netfront.start(rig.frontStore, NetfrontTest.FRONT, rig.frontChannels, rig.grants));
        disconnect = new StuckDisconnect(rig, time);
    }

    @AfterEach
    void close() throws Exception {
        rig.close();
    }

    @Test
    void disconnectWaitsForTheBackendOnlyUpToTheCloseBound() throws Exception {
        disconnect.begin(netfront::disconnect, netfront::frontend);
        assertTrue(disconnect.pending(), "the backend may still close");
        assertEquals(List.of(XenbusEnd.CLOSE_BOUND), time.asked());
        Promise<Void> outcome = disconnect.boundPasses();
        NetworkException failure = assertInstanceOf(NetworkException.class, outcome.failure());
        assertEquals(NetworkException.Reason.CLOSE_TIMEOUT, failure.reason());
    }

    @Test
    void aDisconnectThatTimedOutReleasedThePortTheRingsThePoolAndTheWatch() throws Exception {
        disconnect.begin(netfront::disconnect, netfront::frontend);
        disconnect.boundPasses();
        assertEquals(0, rig.frontDomain.boundPorts());
        assertEquals(0, rig.frontDomain.liveGrants());
        assertEquals(0, rig.frontWatches());
    }

    @Test
    void aDisconnectThatTimedOutEndsTheListener() throws Exception {
        Promise<Void> listening = rig.front(() -> Promise.of(netfront.listen(frame -> { })));
        disconnect.begin(netfront::disconnect, netfront::frontend);
        disconnect.boundPasses();
        assertTrue(rig.front(() -> Promise.of(listening.isFulfilled())));
    }

    @Test
    void aDisconnectThatTimedOutPublishesClosedForTheBackend() throws Exception {
        disconnect.begin(netfront::disconnect, netfront::frontend);
        disconnect.boundPasses();
        String state = rig.back(() -> rig.backStore.read(NetfrontTest.FRONT + "/state"));
        assertEquals(XenbusState.CLOSED.toStoreValue(), state);
    }
}
