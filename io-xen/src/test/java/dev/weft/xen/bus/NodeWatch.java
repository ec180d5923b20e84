package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStore;

/** Waiting, in a test, until a xenstore node reads a value. LOOP THREAD ONLY (the store's loop). */
public final class NodeWatch {
    private NodeWatch() {}

    /** Fulfilled once {@code path} reads {@code wanted} (an absent node reads ""), its watch then removed. */
    public static Promise<Void> until(XenStore store, String path, String wanted) {
        return store.watch(path).flatMap(watch -> untilReads(store, watch, path, wanted).andFinally(watch::unwatch));
    }

    private static Promise<Void> untilReads(XenStore store, Watch watch, String path, String wanted) {
        // Absent until its writer first writes it (a frontend's start may not have got that far yet).
        return XenbusNodes.readOptional(store, path, "").flatMap(value -> value.equals(wanted) ? Promise.unit()
                : watch.events().next().flatMap(event -> untilReads(store, watch, path, wanted)));
    }
}
