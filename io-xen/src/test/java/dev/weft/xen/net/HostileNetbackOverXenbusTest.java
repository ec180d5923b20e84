package dev.weft.xen.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.xen.bus.Backend;
import dev.weft.xen.bus.IdleDriver;
import dev.weft.xen.bus.SplitDeviceRig;
import dev.weft.xen.bus.XenbusDriver;
import dev.weft.xen.bus.XenbusEnd;
import dev.weft.xen.bus.NodeWatch;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.ring.RingServer;
import dev.weft.xen.ring.SharedRing;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Netfront against a backend domain that connects properly through xenbus and then answers with
 * nonsense, on two loops over the model: the listener's promise and later writes fail with
 * BROKEN, and the frontend's loop goes on running.
 */
class HostileNetbackOverXenbusTest {
    private final Arena arena = Arena.ofShared();
    private SplitDeviceRig rig;

    /** How the backend misbehaves. */
    enum Misdeed {
        /** Fills a posted RX page with a frame that runs past the page's end. */
        FRAME_PAST_THE_PAGE,
        /** Sets more-data on an RX response, never negotiated (feature-sg=0). */
        UNNEGOTIATED_FLAGS,
        /** Answers a sent frame with a status netif.h does not define. */
        UNDEFINED_TX_STATUS
    }

    /** Maps both rings and answers every request at once, as {@code misdeed} says. */
    private final class HostileDriver implements XenbusDriver {
        final Misdeed misdeed;
        final List<MappedPages> rings = new ArrayList<>();

        HostileDriver(Misdeed misdeed) {
            this.misdeed = misdeed;
        }

        @Override
        public Promise<Void> connect(XenbusEnd end) {
            XenStore store = end.store();
            String front = end.otherPath();
            return Promise.all(List.of(store.read(front + "/tx-ring-ref"), store.read(front + "/rx-ring-ref"),
                    store.read(front + "/event-channel"))).map(values -> {
                        MappedPages tx = rig.mapper.map(1, List.of(new GrantRef(Integer.parseUnsignedInt(values.get(0)))), true);
                        MappedPages rx = rig.mapper.map(1, List.of(new GrantRef(Integer.parseUnsignedInt(values.get(1)))), true);
                        rings.add(tx);
                        rings.add(rx);
                        int port = rig.backChannels.bindInterdomain(1, Integer.parseInt(values.get(2)));
                        new RingServer<>(SharedRing.over(tx.memory(), NetifTxCodec.INSTANCE.entrySize()).back(),
                                NetifTxCodec.INSTANCE, request -> Promise.of(new Netif.TxResponse(
                                        misdeed == Misdeed.UNDEFINED_TX_STATUS ? 5 : Netif.RSP_OKAY)),
                                (request, failure) -> new Netif.TxResponse(Netif.RSP_ERROR),
                                () -> rig.backChannels.notify(port)).pollOnEvents(rig.backChannels, port);
                        new RingServer<>(SharedRing.over(rx.memory(), NetifRxCodec.INSTANCE.entrySize()).back(),
                                NetifRxCodec.INSTANCE, request -> switch (misdeed) {
                                    case FRAME_PAST_THE_PAGE -> Promise.of(new Netif.RxResponse(4000, 0, 1000));
                                    case UNNEGOTIATED_FLAGS -> Promise.of(new Netif.RxResponse(0, Netif.FLAG_MORE_DATA, 100));
                                    case UNDEFINED_TX_STATUS -> Promise.<Netif.RxResponse>pending().promise(); // no frames
                                },
                                (request, failure) -> new Netif.RxResponse(0, 0, Netif.RSP_ERROR),
                                () -> rig.backChannels.notify(port)).pollOnEvents(rig.backChannels, port);
                        return null;
                    });
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

    @ParameterizedTest
    @EnumSource(Misdeed.class)
    void aBackendThatBreaksTheProtocolBreaksTheDeviceAndTheLoopGoesOn(Misdeed misdeed) throws Exception {
        rig = new SplitDeviceRig(NetfrontTest.FRONT, NetfrontTest.BACK,
                Map.of("feature-rx-copy", "1", "mac", "00:16:3e:00:00:01"));
        HostileDriver driver = new HostileDriver(misdeed);
        rig.back(() -> Backend.start(rig.backStore, NetfrontTest.BACK, driver));
        Netfront netfront = rig.front(() -> Netfront.start(rig.frontStore, NetfrontTest.FRONT, rig.frontChannels, rig.grants));
        Promise<Void> failed = rig.front(() -> settled(misdeed == Misdeed.UNDEFINED_TX_STATUS
                ? netfront.write(List.of(arena.allocate(60))) : netfront.listen(frame -> { })));
        assertEquals(NetworkException.Reason.BROKEN, assertInstanceOf(NetworkException.class, failed.failure()).reason());
        assertTrue(rig.front(() -> Promise.of(netfront.broken())));
        Promise<Void> later = rig.front(() -> Promise.of(netfront.write(List.of(arena.allocate(60)))));
        assertEquals(NetworkException.Reason.BROKEN, assertInstanceOf(NetworkException.class, later.failure()).reason());
        assertEquals("alive", rig.front(() -> Promise.of("alive")));
    }

    @Test
    void aBackendWithoutRxCopyRejectsStartWithUnsupportedInsteadOfHanging() throws Exception {
        Promise<Netfront> started = startAgainstIdleBackend(Map.of("mac", "00:16:3e:00:00:01"));
        NetworkException failure = assertInstanceOf(NetworkException.class, started.failure());
        assertEquals(NetworkException.Reason.UNSUPPORTED, failure.reason());
        assertEquals(0, rig.frontDomain.liveGrants());
        assertEquals(0, rig.frontDomain.boundPorts());
    }

    @Test
    void aFirstLinkWithAMalformedMacRejectsStartAndLeavesNoGrantPortOrWatchBehind() throws Exception {
        Promise<Netfront> started = startAgainstIdleBackend(
                Map.of("feature-rx-copy", "1", "mac", "00:16:3e:00:00")); // five bytes
        NetworkException failure = assertInstanceOf(NetworkException.class, started.failure());
        assertEquals(NetworkException.Reason.BROKEN, failure.reason());
        assertEquals(0, rig.frontDomain.liveGrants());
        assertEquals(0, rig.frontDomain.boundPorts());
        assertEquals(0, rig.frontWatches());
    }

    /** Maps both rings when it connects and unmaps them when it disconnects, as a backend should. */
    private final class MappingDriver implements XenbusDriver {
        final List<MappedPages> rings = new ArrayList<>();

        @Override
        public Promise<Void> connect(XenbusEnd end) {
            XenStore store = end.store();
            return Promise.both(store.read(end.otherPath() + "/tx-ring-ref"), store.read(end.otherPath() + "/rx-ring-ref"))
                    .map(refs -> {
                        rings.add(rig.mapper.map(1, List.of(new GrantRef(Integer.parseUnsignedInt(refs.first()))), true));
                        rings.add(rig.mapper.map(1, List.of(new GrantRef(Integer.parseUnsignedInt(refs.second()))), true));
                        return null;
                    });
        }

        @Override
        public Promise<Void> disconnect(XenbusEnd end) {
            rings.forEach(MappedPages::close);
            rings.clear();
            return Promise.unit();
        }
    }

    @Test
    void ringsTheBackendMappedBeforeAMalformedMacAreEndedOnceItClosesBeforeStartRejects() throws Exception {
        rig = new SplitDeviceRig(NetfrontTest.FRONT, NetfrontTest.BACK,
                Map.of("feature-rx-copy", "1", "mac", "not a mac"));
        rig.back(() -> Backend.start(rig.backStore, NetfrontTest.BACK, new MappingDriver()));
        Promise<Netfront> started = rig.front(() -> settled(Netfront.start(rig.frontStore, NetfrontTest.FRONT,
                rig.frontChannels, rig.grants)));
        assertEquals(NetworkException.Reason.BROKEN, assertInstanceOf(NetworkException.class, started.failure()).reason());
        assertEquals(0, rig.frontDomain.liveGrants(), "the rings' grants were ended once the backend unmapped");
        assertEquals(0, rig.frontDomain.boundPorts());
        assertEquals(0, rig.frontWatches(), "the reclaim's watch is gone too");
    }

    @Test
    void aFirstConnectionTornDownBeforeConnectedThenAReconnectionWithAMalformedMacLeavesNothingOfEither()
            throws Exception {
        rig = new SplitDeviceRig(NetfrontTest.FRONT, NetfrontTest.BACK,
                Map.of("feature-rx-copy", "1", "mac", "00:16:3e:00:00:01"));
        Promise<Netfront> started = rig.front(() -> Promise.of(Netfront.start(rig.frontStore, NetfrontTest.FRONT,
                rig.frontChannels, rig.grants)));
        backendPublishesThenFrontendReaches("2", "3"); // InitWait: the first connection publishes its rings
        backendPublishesThenFrontendReaches("5", "6"); // Closing before Connected: the first is torn down
        rig.back(() -> rig.backStore.write(NetfrontTest.BACK + "/mac", "not a mac"));
        backendPublishesThenFrontendReaches("2", "3"); // the reconnection, while the first still waits for Connected
        rig.back(() -> rig.backStore.write(NetfrontTest.BACK + "/state", "4"));
        Promise<Netfront> failed = rig.front(() -> settled(started));
        assertEquals(NetworkException.Reason.BROKEN, assertInstanceOf(NetworkException.class, failed.failure()).reason());
        assertEquals(0, rig.frontDomain.liveGrants(), "neither connection's grants are left");
        assertEquals(0, rig.frontDomain.boundPorts());
        assertEquals(0, rig.frontWatches());
    }

    /** The test, as the backend, publishes {@code backend}, then waits until the frontend's state reads {@code front}. */
    private void backendPublishesThenFrontendReaches(String backend, String front) throws Exception {
        rig.back(() -> rig.backStore.write(NetfrontTest.BACK + "/state", backend));
        rig.back(() -> NodeWatch.until(rig.backStore, NetfrontTest.FRONT + "/state", front));
    }

    /**
     * Starts a Netfront against a backend that maps nothing, whose directory holds {@code nodes};
     * fulfilled with start's promise once it has resolved either way.
     */
    private Promise<Netfront> startAgainstIdleBackend(Map<String, String> nodes) throws Exception {
        rig = new SplitDeviceRig(NetfrontTest.FRONT, NetfrontTest.BACK, nodes);
        rig.back(() -> Backend.start(rig.backStore, NetfrontTest.BACK, new IdleDriver()));
        return rig.front(() -> settled(Netfront.start(rig.frontStore, NetfrontTest.FRONT, rig.frontChannels, rig.grants)));
    }

    /** Fulfilled with {@code promise} itself once it has resolved either way. */
    private static <T> Promise<Promise<T>> settled(Promise<T> promise) {
        return promise.map(v -> promise).recover(failure -> Promise.of(promise));
    }
}
