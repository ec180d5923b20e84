package dev.weft.xen.bus;

import static dev.weft.xen.bus.XenbusHandshakeTest.BACKEND;
import static dev.weft.xen.bus.XenbusHandshakeTest.FRONTEND;
import static dev.weft.xen.bus.XenbusState.CLOSED;
import static dev.weft.xen.bus.XenbusState.CLOSING;
import static dev.weft.xen.bus.XenbusState.CONNECTED;
import static dev.weft.xen.bus.XenbusState.INITIALISED;
import static dev.weft.xen.bus.XenbusState.INITIALISING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.XenStore;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A frontend facing a backend that the test plays by writing its state node directly: skipped
 * states, spurious watch events, garbage states, a vanished backend.
 */
class XenbusFakeBackendTest {
    private final StoreOnOneLoop stores = new StoreOnOneLoop();
    private final Loop loop = stores.loop;
    private final SimXenStore daemon = stores.daemon;
    private final XenStore toolstack = stores.toolstack;
    private final XenStore guest = stores.connect(5);
    private final CountingDriver driver = new CountingDriver(true);
    private Frontend frontend;

    @BeforeEach
    void start() {
        loop.run(XenbusHandshakeTest.createDevice(toolstack));
        frontend = loop.run(Frontend.start(guest, FRONTEND, driver));
        // The watch's first event (sent on registration) is handled before any test acts.
        loop.run(frontend.nextEvaluation());
    }

    @AfterEach
    void stop() {
        stores.close();
    }

    private void backendWrites(String state) {
        loop.run(toolstack.write(BACKEND + "/state", state));
    }

    @Test
    void aFrontendConnectsToABackendThatJumpsStraightToConnected() {
        backendWrites("4");
        loop.run(frontend.reach(CONNECTED));
        assertEquals(List.of(INITIALISING, INITIALISED, CONNECTED), frontend.history());
    }

    @Test
    void spuriousWatchEventsLeaveAConnectedFrontendAlone() {
        backendWrites("4");
        loop.run(frontend.reach(CONNECTED));
        Promise<Long> handled = frontend.nextEvaluation();
        daemon.fireSpuriously(BACKEND + "/state");
        loop.run(handled);
        assertEquals(List.of(INITIALISING, INITIALISED, CONNECTED), frontend.history());
        assertEquals(1, driver.connects);
    }

    @Test
    void aMalformedBackendStateIsCountedAndReadAsUnknown() {
        Promise<Long> handled = frontend.nextEvaluation();
        backendWrites("4x");
        loop.run(handled);
        assertEquals(1, frontend.malformedStates());
        assertEquals(INITIALISING, frontend.state());
    }

    @Test
    void aBackendWhoseStateNodeVanishesIsClosedFrom() {
        backendWrites("4");
        loop.run(frontend.reach(CONNECTED));
        loop.run(toolstack.rm(BACKEND + "/state"));
        loop.run(frontend.reach(CLOSED));
        assertEquals(List.of(INITIALISING, INITIALISED, CONNECTED, CLOSING, CLOSED), frontend.history());
        assertEquals(1, driver.disconnects);
    }

    @Test
    void aFrontendClosedBeforeTheBackendAppearsStopsWithoutConnecting() {
        loop.run(frontend.close());
        assertEquals(List.of(INITIALISING, CLOSED), frontend.history());
        assertEquals(0, driver.connects);
    }
}
