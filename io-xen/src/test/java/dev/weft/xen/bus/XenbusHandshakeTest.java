package dev.weft.xen.bus;

import static dev.weft.xen.bus.XenbusState.CLOSED;
import static dev.weft.xen.bus.XenbusState.CLOSING;
import static dev.weft.xen.bus.XenbusState.CONNECTED;
import static dev.weft.xen.bus.XenbusState.INITIALISED;
import static dev.weft.xen.bus.XenbusState.INITIALISING;
import static dev.weft.xen.bus.XenbusState.INIT_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import dev.weft.xen.store.XenStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A frontend (domain 5) and a backend (driver domain 3) on two loops and threads, each with its
 * own xenstore connection to the model daemon on a third: the xenbus handshake end to end.
 */
class XenbusHandshakeTest {
    private static final long TIMEOUT_SECONDS = 20;
    static final String FRONTEND = "/local/domain/5/device/vif/0";
    static final String BACKEND = "/local/domain/3/backend/vif/5/0";

    private final Loop daemonLoop = Loop.builder().name("xenstored").build();
    private final Loop frontendLoop = Loop.builder().name("domU").build();
    private final Loop backendLoop = Loop.builder().name("driver-domain").build();
    private final SimXenStore daemon = new SimXenStore();
    private final CountingDriver frontendDriver = new CountingDriver(true);
    private final CountingDriver backendDriver = new CountingDriver(false);
    private XenStore frontendStore;
    private XenStore backendStore;
    private Frontend frontend;
    private Backend backend;

    @BeforeEach
    void start() throws Exception {
        daemonLoop.start();
        frontendLoop.start();
        backendLoop.start();
        XenStore toolstack = XenStore.over(daemon.connect(daemonLoop, daemonLoop, 0), daemonLoop);
        on(daemonLoop, () -> createDevice(toolstack).flatMap(v -> toolstack.close()));
        frontendStore = on(frontendLoop, () -> Promise.of(
                XenStore.over(daemon.connect(daemonLoop, frontendLoop, 5), frontendLoop)));
        backendStore = on(backendLoop, () -> Promise.of(
                XenStore.over(daemon.connect(daemonLoop, backendLoop, 3), backendLoop)));
        backend = on(backendLoop, () -> Backend.start(backendStore, BACKEND, backendDriver));
        frontend = on(frontendLoop, () -> Frontend.start(frontendStore, FRONTEND, frontendDriver));
    }

    /** What a toolstack writes for a new vif: both directories, each readable by the other domain. */
    static Promise<Void> createDevice(XenStore toolstack) {
        return toolstack.mkdir(FRONTEND)
                .flatMap(v -> toolstack.setPerms(FRONTEND, Permissions.of(5, Access.NONE).with(3, Access.READ)))
                .flatMap(v -> toolstack.write(FRONTEND + "/backend", BACKEND))
                .flatMap(v -> toolstack.mkdir(BACKEND))
                .flatMap(v -> toolstack.setPerms(BACKEND, Permissions.of(3, Access.NONE).with(5, Access.READ)))
                .flatMap(v -> toolstack.write(BACKEND + "/frontend", FRONTEND));
    }

    @AfterEach
    void stop() throws Exception {
        on(frontendLoop, () -> frontendStore.close());
        on(backendLoop, () -> backendStore.close());
        on(daemonLoop, daemon::idle);
        // The daemon's last deliveries (end of stream) were queued before these: FIFO inboxes.
        on(frontendLoop, Promise::unit);
        on(backendLoop, Promise::unit);
        frontendLoop.close();
        backendLoop.close();
        daemonLoop.close();
    }

    private static <T> T on(Loop loop, Supplier<Promise<T>> work) throws Exception {
        return loop.submit(work).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void bothConnected() throws Exception {
        on(backendLoop, () -> backend.reach(CONNECTED));
        on(frontendLoop, () -> frontend.reach(CONNECTED));
    }

    @Test
    void frontendAndBackendConnect() throws Exception {
        bothConnected();
        assertEquals(CONNECTED, on(frontendLoop, () -> Promise.of(frontend.otherState())));
    }

    @Test
    void theBackendReadsWhatTheFrontendPublishedBeforeConnecting() throws Exception {
        bothConnected();
        assertEquals("101", on(backendLoop, () -> Promise.of(backendDriver.ringRefSeen)));
    }

    @Test
    void theFrontendGoesThroughInitialisingInitialisedConnected() throws Exception {
        bothConnected();
        assertEquals(List.of(INITIALISING, INITIALISED, CONNECTED), on(frontendLoop, () -> Promise.of(frontend.history())));
    }

    @Test
    void theBackendGoesThroughInitWaitConnected() throws Exception {
        bothConnected();
        assertEquals(List.of(INIT_WAIT, CONNECTED), on(backendLoop, () -> Promise.of(backend.history())));
    }

    @Test
    void aBackendReconnectTakesTheFrontendThroughClosedAndBackToConnected() throws Exception {
        bothConnected();
        on(backendLoop, () -> {
            backend.reconnect();
            return backend.reach(CLOSED).flatMap(v -> backend.reach(CONNECTED));
        });
        on(frontendLoop, () -> frontend.reach(CONNECTED));
        assertEquals(List.of(INITIALISING, INITIALISED, CONNECTED, CLOSING, CLOSED, INITIALISING, INITIALISED, CONNECTED),
                on(frontendLoop, () -> Promise.of(frontend.history())));
    }

    @Test
    void aReconnectDisconnectsAndConnectsEachDriverOnceMore() throws Exception {
        bothConnected();
        on(backendLoop, () -> {
            backend.reconnect();
            return backend.reach(CLOSED).flatMap(v -> backend.reach(CONNECTED));
        });
        on(frontendLoop, () -> frontend.reach(CONNECTED));
        assertEquals(List.of(2, 1, 2, 1), List.of(frontendDriver.connects, frontendDriver.disconnects,
                backendDriver.connects, backendDriver.disconnects));
    }

    @Test
    void aFrontendClosedForGoodStopsAndTheBackendEndsClosed() throws Exception {
        bothConnected();
        on(frontendLoop, () -> frontend.close());
        on(backendLoop, () -> backend.reach(CLOSED));
        assertEquals(List.of(INIT_WAIT, CONNECTED, CLOSING, CLOSED), on(backendLoop, () -> Promise.of(backend.history())));
    }

    @Test
    void aBackendClosedForGoodLeavesTheFrontendReadyToReconnect() throws Exception {
        bothConnected();
        on(backendLoop, () -> backend.close());
        // The backend stopped only after the frontend closed: its next Initialising is the new start.
        on(frontendLoop, () -> frontend.reach(INITIALISING));
        assertEquals(List.of(INITIALISING, INITIALISED, CONNECTED, CLOSING, CLOSED, INITIALISING),
                on(frontendLoop, () -> Promise.of(frontend.history())));
    }
}
