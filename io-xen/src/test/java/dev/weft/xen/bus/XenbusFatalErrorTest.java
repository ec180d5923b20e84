package dev.weft.xen.bus;

import static dev.weft.xen.bus.XenbusHandshakeTest.BACKEND;
import static dev.weft.xen.bus.XenbusHandshakeTest.FRONTEND;
import static dev.weft.xen.bus.XenbusState.CLOSED;
import static dev.weft.xen.bus.XenbusState.CLOSING;
import static dev.weft.xen.bus.XenbusState.INITIALISING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A frontend whose driver hook or xenstore fails stops as Xen's protocol expects of a device with
 * a fatal error: it publishes Closing, lets its driver disconnect if it had connected, publishes
 * Closed (so the backend, played here by the test, is not left waiting), and removes its watch
 * before {@code stopped()} is rejected.
 */
class XenbusFatalErrorTest {
    private static final int GUEST = 5;
    private final StoreOnOneLoop stores = new StoreOnOneLoop();
    private final Loop loop = stores.loop;
    private final SimXenStore daemon = stores.daemon;
    private final XenStore toolstack = stores.toolstack;
    private final XenStore guest = stores.connect(GUEST);

    /** A driver whose connect hook runs {@code onConnect}; it counts disconnections. */
    private static final class ScriptedDriver implements XenbusDriver {
        final java.util.function.Function<XenbusEnd, Promise<Void>> onConnect;
        int disconnects;

        ScriptedDriver(java.util.function.Function<XenbusEnd, Promise<Void>> onConnect) {
            this.onConnect = onConnect;
        }

        @Override
        public Promise<Void> connect(XenbusEnd end) {
            return onConnect.apply(end);
        }

        @Override
        public Promise<Void> disconnect(XenbusEnd end) {
            disconnects++;
            return Promise.unit();
        }
    }

    @BeforeEach
    void createDevice() {
        loop.run(XenbusHandshakeTest.createDevice(toolstack));
    }

    @AfterEach
    void stop() {
        stores.close();
    }

    @Test
    void aConnectHookThatFailsPublishesClosingThenClosedAndRemovesTheWatch() {
        IllegalStateException refused = new IllegalStateException("the driver refuses this backend");
        ScriptedDriver driver = new ScriptedDriver(end -> Promise.rejected(refused));
        Frontend frontend = loop.run(Frontend.start(guest, FRONTEND, driver));
        Promise<Void> stopped = settled(frontend.stopped());
        loop.run(toolstack.write(BACKEND + "/state", "2")); // InitWait: the frontend connects
        loop.run(stopped);
        assertSame(refused, frontend.stopped().failure());
        assertEquals(List.of(INITIALISING, CLOSING, CLOSED), frontend.history());
        assertEquals("6", loop.run(toolstack.read(FRONTEND + "/state")), "the backend sees Closed");
        assertEquals(0, driver.disconnects, "a driver whose connect failed has nothing to disconnect");
        assertEquals(0, daemon.watches(GUEST));
    }

    @Test
    void aFailureAfterTheDriverConnectedLetsItDisconnectBeforeStopping() {
        // The driver connects; then the toolstack takes the state node away, so publishing Initialised fails.
        ScriptedDriver driver = new ScriptedDriver(end -> toolstack.setPerms(FRONTEND + "/state",
                Permissions.of(0, Access.READ)));
        Frontend frontend = loop.run(Frontend.start(guest, FRONTEND, driver));
        Promise<Void> stopped = settled(frontend.stopped());
        loop.run(toolstack.write(BACKEND + "/state", "2"));
        loop.run(stopped);
        assertEquals(XsError.EACCES, assertInstanceOf(XenStoreException.class, frontend.stopped().failure()).error());
        assertEquals(1, driver.disconnects, "what the connect hook took is released");
        assertEquals(0, daemon.watches(GUEST));
    }

    @Test
    void aDriverThatFinishesConnectingAfterTheEndGaveUpIsDisconnected() {
        ManualTime time = new ManualTime();
        XenStore timed = stores.connect(GUEST, time);
        Resolver<Void> hookCalled = Promise.pending();
        Resolver<Void> connecting = Promise.pending();
        ScriptedDriver driver = new ScriptedDriver(end -> {
            hookCalled.resolve(null);
            return connecting.promise();
        });
        Frontend frontend = loop.run(Frontend.start(timed, FRONTEND, driver));
        loop.run(toolstack.write(BACKEND + "/state", "2")); // InitWait: the frontend starts connecting
        loop.run(hookCalled.promise());
        Promise<Void> stopped = settled(frontend.close(XenbusEnd.CLOSE_BOUND));
        time.elapse(); // the close bound passes while the driver is still connecting: the end gives up
        loop.run(stopped);

        connecting.resolve(null); // only now has the driver taken its channel and grants

        assertEquals(1, driver.disconnects, "what the late connect took is released");
        assertEquals("6", loop.run(toolstack.read(FRONTEND + "/state")), "Closed stays the last state");
    }

    /** Fulfilled once {@code promise} settles either way. */
    private static Promise<Void> settled(Promise<?> promise) {
        return promise.map(v -> (Void) null).recover(failure -> Promise.unit());
    }
}
