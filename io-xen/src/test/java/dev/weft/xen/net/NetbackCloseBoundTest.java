package dev.weft.xen.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.weft.loop.device.MacAddress;
import dev.weft.promise.Promise;
import dev.weft.xen.bus.ManualTime;
import dev.weft.xen.bus.SplitDeviceRig;
import dev.weft.xen.bus.XenbusCloseTimeoutException;
import dev.weft.xen.bus.XenbusState;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Netback#close()} when the guest's frontend never leaves Connected (the guest hung or
 * died): the backend waits at most the close bound (on a manual clock), then lets go of its side.
 */
class NetbackCloseBoundTest {
    private final ManualTime time = new ManualTime();
    private SplitDeviceRig rig;

    @AfterEach
    void close() throws Exception {
        rig.close();
    }

    @Test
    void closingABackendWhoseFrontendNeverClosesGivesUpAtTheBoundAndReleasesItsSide() throws Exception {
        rig = new SplitDeviceRig(NetfrontTest.FRONT, NetfrontTest.BACK, Map.of(), null, time);
        Netback netback = rig.back(() -> Netback.start(rig.backStore, NetfrontTest.BACK, rig.backChannels, rig.mapper,
                MacAddress.parse("00:16:3e:01:02:03"), 1500, frame -> { }));
        rig.front(() -> Netfront.start(rig.frontStore, NetfrontTest.FRONT, rig.frontChannels, rig.grants));
        rig.front(() -> rig.frontStore.close()); // the guest is gone; its state still says Connected

        Promise<Void> closing = rig.back(() -> {
            Promise<Void> closed = netback.close();
            return netback.backend().reach(XenbusState.CLOSING).flatMap(v -> time.sleepers(1)).map(v -> closed);
        });
        rig.back(() -> {
            time.elapse();
            return Promise.unit();
        });
        Promise<Void> outcome = rig.back(() -> closing.map(v -> closing).recover(failure -> Promise.of(closing)));

        assertInstanceOf(XenbusCloseTimeoutException.class, outcome.failure());
        assertEquals(0, rig.backDomain.boundPorts());
        assertEquals(XenbusState.CLOSED.toStoreValue(), rig.back(() -> rig.backStore.read(NetfrontTest.BACK + "/state")));
    }
}
