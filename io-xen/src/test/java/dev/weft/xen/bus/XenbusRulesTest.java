package dev.weft.xen.bus;

import static dev.weft.xen.bus.XenbusState.CLOSED;
import static dev.weft.xen.bus.XenbusState.CLOSING;
import static dev.weft.xen.bus.XenbusState.CONNECTED;
import static dev.weft.xen.bus.XenbusState.INITIALISED;
import static dev.weft.xen.bus.XenbusState.INITIALISING;
import static dev.weft.xen.bus.XenbusState.INIT_WAIT;
import static dev.weft.xen.bus.XenbusState.RECONFIGURING;
import static dev.weft.xen.bus.XenbusState.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.xen.bus.XenbusEnd.Hook;
import dev.weft.xen.bus.XenbusEnd.Step;
import org.junit.jupiter.api.Test;

/** The rules each end applies to the pair of current states: skipped states lead to the same place. */
class XenbusRulesTest {
    private static Step frontend(XenbusState own, XenbusState backend) {
        return Frontend.rule(own, backend, false);
    }

    private static Step backend(XenbusState own, XenbusState frontend) {
        return Backend.rule(own, frontend, false);
    }

    @Test
    void aFrontendConnectsToABackendAlreadyConnectedThatSkippedInitWait() {
        assertEquals(new Step(INITIALISED, Hook.CONNECT), frontend(INITIALISING, CONNECTED));
    }

    @Test
    void aFrontendWaitsWhileTheBackendIsUnknown() {
        assertNull(frontend(INITIALISING, UNKNOWN));
    }

    @Test
    void aConnectedFrontendClosesWhenTheBackendJumpsToClosed() {
        assertEquals(Step.to(CLOSING), frontend(CONNECTED, CLOSED));
    }

    @Test
    void aConnectedFrontendClosesWhenTheBackendRestartedAtInitWait() {
        assertEquals(Step.to(CLOSING), frontend(CONNECTED, INIT_WAIT));
    }

    @Test
    void aConnectedFrontendStaysConnectedWhileTheBackendReconfigures() {
        assertNull(frontend(CONNECTED, RECONFIGURING));
    }

    @Test
    void aClosedFrontendStartsAgainWhenTheBackendIsBackAtInitWait() {
        assertEquals(Step.to(INITIALISING), frontend(CLOSED, INIT_WAIT));
    }

    @Test
    void aClosingFrontendWaitsForAConnectedBackendToLetGo() {
        assertNull(frontend(CLOSING, CONNECTED));
    }

    @Test
    void aBackendConnectsToAFrontendThatSkippedInitialised() {
        assertEquals(new Step(CONNECTED, Hook.CONNECT), backend(INIT_WAIT, CONNECTED));
    }

    @Test
    void aBackendClosingDisconnectsOnceTheFrontendIsGone() {
        assertEquals(new Step(CLOSED, Hook.DISCONNECT), backend(CLOSING, UNKNOWN));
    }

    @Test
    void aClosedBackendWaitsAgainWhenTheFrontendComesBack() {
        assertEquals(Step.to(INIT_WAIT), backend(CLOSED, INITIALISING));
    }

    @Test
    void aConnectedBackendClosesWhenTheFrontendRestarted() {
        assertEquals(Step.to(CLOSING), backend(CONNECTED, INITIALISING));
    }

    @Test
    void aClosedEndShuttingDownStops() {
        assertEquals(Step.STOP, Frontend.rule(CLOSED, CONNECTED, true));
    }

    @Test
    void aConnectedEndShuttingDownStartsClosing() {
        assertEquals(Step.to(CLOSING), Backend.rule(CONNECTED, CONNECTED, true));
    }
}
