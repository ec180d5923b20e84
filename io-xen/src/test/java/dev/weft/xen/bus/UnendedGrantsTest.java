package dev.weft.xen.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import dev.weft.xen.store.XenStore;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Grants a backend still maps when the frontend lets go are set aside, then ended once the
 * backend has unmapped (which it does before it publishes Closed): safely, since ending checks
 * that no mapping is left. The wait for the backend is bounded, and its watch is removed either
 * way.
 */
class UnendedGrantsTest {
    private static final String BACKEND = "/local/domain/0/backend/vif/1/0";

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain back = xen.createDomain();
    private final SimDomain front = xen.createDomain();
    private final StoreOnOneLoop stores = new StoreOnOneLoop();
    private final Loop loop = stores.loop;
    private final SimXenStore daemon = stores.daemon;
    private final XenStore toolstack = stores.toolstack;
    private final XenStore guest = stores.connect(front.domainId());
    private final GrantAllocator grants = front.openGrantAllocator();
    private final GrantMapper mapper = back.openGrantMapper();
    private final UnendedGrants unended = new UnendedGrants();

    @AfterEach
    void stop() {
        grants.close();
        mapper.close();
        stores.close();
    }

    /** A page shared with the backend, which maps it; then the frontend tries to end it. */
    private MappedPages aPageTheBackendKeepsMapped() {
        loop.run(toolstack.mkdir(BACKEND)
                .flatMap(v -> toolstack.setPerms(BACKEND, Permissions.of(0, Access.NONE).with(front.domainId(), Access.READ)))
                .flatMap(v -> toolstack.write(BACKEND + "/state", "4")));
        SharedPages page = loop.run(Promise.apply(() -> Promise.of(grants.share(back.domainId(), 1, true))));
        MappedPages mapped = mapper.map(front.domainId(), page.refs(), true);
        assertFalse(loop.run(Promise.apply(() -> Promise.of(unended.end(page)))), "the backend still maps it");
        assertEquals(1, unended.pages());
        return mapped;
    }

    @Test
    void aGrantTheBackendUnmapsBeforeClosingIsEndedWhenItReadsClosed() {
        MappedPages mapped = aPageTheBackendKeepsMapped();
        Promise<Void> reclaimed = loop.run(Promise.apply(() -> Promise.of(unended.reclaim(guest, BACKEND))));
        assertTrue(reclaimed.isPending(), "the backend has not closed yet");
        mapped.close();
        loop.run(toolstack.write(BACKEND + "/state", "6"));
        loop.run(reclaimed);
        assertEquals(0, unended.pages());
        assertEquals(0, front.liveGrants());
        assertEquals(0, daemon.watches(front.domainId()));
    }

    @Test
    void aBackendThatNeverClosesIsWaitedForOnlyUpToTheBoundAndTheWatchGoes() {
        MappedPages mapped = aPageTheBackendKeepsMapped();
        loop.run(Promise.apply(() -> unended.reclaim(guest, BACKEND, Duration.ofMillis(50))));
        loop.run(guest.read(BACKEND + "/state")); // answered after the unwatch: one connection, in order
        assertEquals(1, unended.pages(), "still mapped: set aside, never reused");
        assertEquals(0, daemon.watches(front.domainId()), "the watch is not left behind");
        mapped.close();
        loop.run(Promise.apply(() -> {
            unended.retry();
            return Promise.unit();
        }));
        assertEquals(0, unended.pages());
        assertEquals(0, front.liveGrants());
    }

    @Test
    void aBackendStateThatMakesNoSenseKeepsTheReclaimWaitingInsteadOfFailingIt() {
        MappedPages mapped = aPageTheBackendKeepsMapped();
        loop.run(toolstack.write(BACKEND + "/state", "closed, honest"));
        Promise<Void> reclaimed = loop.run(Promise.apply(() -> Promise.of(unended.reclaim(guest, BACKEND))));
        // One connection answers in order: the reclaim reads the state once its watch is answered, that is
        // before the first of these is answered, so before the second is sent.
        loop.run(guest.read(BACKEND + "/state").flatMap(v -> guest.read(BACKEND + "/state")));
        assertTrue(reclaimed.isPending(), "not Closed: " + reclaimed);
        mapped.close();
        loop.run(toolstack.write(BACKEND + "/state", "6"));
        loop.run(reclaimed);
        assertEquals(0, unended.pages());
    }
}
