package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A frontend's grants whose access could not be ended because the backend still mapped them:
 * their pages are never reused, only ended later. At a disconnection the backend normally unmaps
 * just before it publishes Closed, which it does only after the frontend's own Closed, so a
 * frontend cannot end its ring's grant at once; {@link #reclaim} ends them as the backend lets go.
 * Ending a grant later is safe: {@link SharedPages#end()} ends it only if no mapping is left (else
 * it changes nothing), and once ended the backend cannot map it again, the same check Linux's
 * deferred grant ends repeat once a second. Unlike Linux, which retries for as long as the guest
 * lives, the retries here are bounded ({@link #RECLAIM_BOUND}): what the backend still maps once it
 * is Closed, or when the bound passes, stays here for good, counted in {@link #pages()}, leaked
 * rather than reused.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (the loop of the grants' allocator).
 */
public final class UnendedGrants {
    /**
     * How long {@link #reclaim} waits for the backend to reach Closed: 5 s, as Linux's xenbus waits
     * for a device to close at shutdown.
     */
    public static final Duration RECLAIM_BOUND = Duration.ofSeconds(5);

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
     * node ({@code backendPath/state}) until it reads Closed, for at most {@link #RECLAIM_BOUND}.
     * Fulfilled when that is done (its watch removed); calling again while it runs returns the same
     * promise. The wait is timed by the store's {@link XenStore#time()}.
     */
    public Promise<Void> reclaim(XenStore store, String backendPath) {
        return reclaim(store, backendPath, RECLAIM_BOUND);
    }

    /** {@link #reclaim(XenStore, String)} waiting at most {@code bound} for the backend to close. */
    public Promise<Void> reclaim(XenStore store, String backendPath, Duration bound) {
        retry();
        if (!held.isEmpty() && !reclaiming.isPending()) {
            String state = backendPath + "/state";
            Promise<Void> watching = store.watch(state)
                    .flatMap(watch -> reclaimOn(store, state, watch).andFinally(watch::unwatch));
            // Past the bound the watching is cancelled (its watch removed); what is held stays held.
            reclaiming = Promise.pick(watching, store.time().sleep(bound));
        }
        return reclaiming;
    }

    private Promise<Void> reclaimOn(XenStore store, String state, Watch watch) {
        retry();
        if (held.isEmpty()) {
            return Promise.unit();
        }
        return XenbusNodes.readOptional(store, state, XenbusState.CLOSED.toStoreValue()).flatMap(value -> {
            // Compared, not parsed: the backend's value is untrusted, and one that is no state at all
            // (strictly, only "6" is Closed) means it has not closed, as the bound still allows.
            if (value.equals(XenbusState.CLOSED.toStoreValue())) {
                retry();
                return Promise.unit();
            }
            return watch.events().next().flatMap(event -> reclaimOn(store, state, watch));
        });
    }
}
