package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStore;
import java.util.ArrayList;
import java.util.List;

/**
 * A frontend's grants whose access could not be ended because the backend still mapped them:
 * their pages are never reused, only ended later. At a disconnection the backend normally unmaps
 * just before it publishes Closed, which it does only after the frontend's own Closed, so a
 * frontend cannot end its ring's grant at once; {@link #reclaim} ends them as the backend lets go.
 * What the backend still maps once it is Closed stays here for good (Linux's deferred grant ends
 * give up the same way, leaking rather than reusing).
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (the loop of the grants' allocator).
 */
public final class UnendedGrants {
    private final List<SharedPages> held = new ArrayList<>();
    private Promise<Void> reclaiming = Promise.unit();

    /** An empty set. */
    public UnendedGrants() {}

    /** Ends {@code pages}' grant; if the backend still maps them, keeps them here and returns false. */
    public boolean end(SharedPages pages) {
        if (pages.end() == EndAccess.ENDED) {
            return true;
        }
        held.add(pages);
        return false;
    }

    /** Tries again to end every grant held; those that end are released. */
    public void retry() {
        held.removeIf(pages -> pages.end() == EndAccess.ENDED);
    }

    /** Pages held (never reused). */
    public int pages() {
        int pages = 0;
        for (SharedPages shared : held) {
            pages += shared.refs().size();
        }
        return pages;
    }

    /**
     * Retries now and, while some are held, after every change of the backend's {@code state}
     * node ({@code backendPath/state}) until it reads Closed. Fulfilled when that is done; calling
     * again while it runs returns the same promise.
     */
    public Promise<Void> reclaim(XenStore store, String backendPath) {
        retry();
        if (!held.isEmpty() && !reclaiming.isPending()) {
            String state = backendPath + "/state";
            reclaiming = store.watch(state).flatMap(watch -> reclaimOn(store, state, watch).andFinally(watch::unwatch));
        }
        return reclaiming;
    }

    private Promise<Void> reclaimOn(XenStore store, String state, Watch watch) {
        retry();
        if (held.isEmpty()) {
            return Promise.unit();
        }
        return XenbusNodes.readOptional(store, state, XenbusState.CLOSED.toStoreValue()).flatMap(value -> {
            if (XenbusState.parse(value) == XenbusState.CLOSED) {
                retry();
                return Promise.unit();
            }
            return watch.events().next().flatMap(event -> reclaimOn(store, state, watch));
        });
    }
}
