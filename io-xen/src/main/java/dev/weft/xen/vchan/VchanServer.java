package dev.weft.xen.vchan;

import dev.weft.promise.Promise;
import dev.weft.xen.XenPlatform;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's set-up and tear-down, as libxenvchan's {@code libxenvchan_server_init} and
 * {@code libxenvchan_close}: it owns the pages, the grant allocator and the port.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 */
final class VchanServer {
    /** The largest ring libxenvchan allows: more would not fit its grant list in the page. */
    static final int MAX_RING_SIZE = 1 << VchanPage.MAX_ORDER;

    private final XenPlatform platform;
    private final EventChannels channels;
    private final XenStore store;
    private final int client;
    private final String path;
    private final GrantAllocator grants;
    private final List<SharedPages> shares = new ArrayList<>();
    private int port = -1;

    private VchanServer(XenPlatform platform, EventChannels channels, XenStore store, int client, String path) {
        this.platform = platform;
        this.channels = channels;
        this.store = store;
        this.client = client;
        this.path = path;
        this.grants = platform.openGrantAllocator();
    }

    static Promise<Vchan> listen(XenPlatform platform, EventChannels channels, XenStore store, int client,
                                 String path, int readMin, int writeMin) {
        if (readMin < 0 || writeMin < 0 || readMin > MAX_RING_SIZE || writeMin > MAX_RING_SIZE) {
            return Promise.rejected(new IllegalArgumentException("vchan " + path + ": ring sizes " + readMin
                    + " and " + writeMin + " must be in 0.." + MAX_RING_SIZE));
        }
        VchanServer server = new VchanServer(platform, channels, store, client, path);
        Vchan vchan;
        try {
            vchan = server.share(readMin, writeMin);
        } catch (RuntimeException e) {
            return server.release().flatMap(v -> Promise.rejected(e));
        }
        return server.publish().tryBind(v -> Promise.of(vchan),
                failed -> server.release().flatMap(v -> Promise.rejected(failed)));
    }

    /**
     * The ring orders, {left, right}, as libxenvchan picks them: the smallest power of two from a
     * page up, unless both rings fit inside the control page (1024 and 2048 bytes), or one of them
     * fits its larger slot.
     */
    static int[] orders(int leftMin, int rightMin) {
        int small = 1 << VchanPage.SMALL_ORDER;
        int large = 1 << VchanPage.LARGE_ORDER;
        if (leftMin <= small && rightMin <= large) {
            return new int[] {VchanPage.SMALL_ORDER, VchanPage.LARGE_ORDER};
        }
        if (leftMin <= large && rightMin <= small) {
            return new int[] {VchanPage.LARGE_ORDER, VchanPage.SMALL_ORDER};
        }
        if (leftMin <= large) {
            return new int[] {VchanPage.LARGE_ORDER, pageOrder(rightMin)};
        }
        if (rightMin <= large) {
            return new int[] {pageOrder(leftMin), VchanPage.LARGE_ORDER};
        }
        return new int[] {pageOrder(leftMin), pageOrder(rightMin)};
    }

    private static int pageOrder(int size) {
        int order = VchanPage.PAGE_SHIFT;
        while (size > 1 << order) {
            order++;
        }
        return order;
    }

    /** Shares and lays out the pages; the client cannot find them until {@link #publish}. */
    private Vchan share(int readMin, int writeMin) {
        int[] orders = orders(readMin, writeMin);
        port = channels.bindUnbound(client);
        SharedPages control = grants.share(client, 1, true);
        shares.add(control);
        // A dying server (its grant ended, its process gone) reads as gone to the client.
        control.setUnmapNotify(VchanPage.SRV_LIVE, port);
        VchanPage page = new VchanPage(control.memory());
        page.setOrder(VchanPage.LEFT_ORDER, orders[0]);
        page.setOrder(VchanPage.RIGHT_ORDER, orders[1]);
        page.setNotify(VchanPage.CLI_NOTIFY, VchanPage.NOTIFY_WRITE);
        MemorySegment left = ring(page, orders[0], 0);
        MemorySegment right = ring(page, orders[1], VchanPage.separatePages(orders[0]));
        page.setLive(VchanPage.CLI_LIVE, VchanPage.LIVE_NOT_YET);
        page.setLive(VchanPage.SRV_LIVE, VchanPage.LIVE_CONNECTED);
        BytePipe pipe = BytePipe.over(page.memory(), VchanPage.LEFT, left, VchanPage.RIGHT, right,
                "vchan server " + path);
        return new Vchan("vchan server " + path + " (to domain " + client + ")", Vchan.Role.SERVER, page, pipe,
                channels, port, this::release);
    }

    /** A ring's bytes: a slice of the control page, or pages of their own listed from {@code firstGrant}. */
    private MemorySegment ring(VchanPage page, int order, int firstGrant) {
        int offset = VchanPage.inPageOffset(order);
        if (offset >= 0) {
            return page.memory().asSlice(offset, 1 << order);
        }
        SharedPages pages = grants.share(client, VchanPage.separatePages(order), true);
        shares.add(pages);
        List<GrantRef> refs = pages.refs();
        for (int i = 0; i < refs.size(); i++) {
            page.setGrant(firstGrant + i, refs.get(i).value());
        }
        return pages.memory();
    }

    /** Writes ring-ref and event-channel in one transaction, readable by the client's domain only. */
    private Promise<Void> publish() {
        Permissions perms = Permissions.of(platform.domainId(), Access.NONE).with(client, Access.READ);
        String ringRef = Integer.toUnsignedString(shares.get(0).refs().get(0).value());
        String eventChannel = Integer.toString(port);
        return store.transaction(tx -> tx.write(path + "/ring-ref", ringRef)
                .flatMap(v -> tx.setPerms(path + "/ring-ref", perms))
                .flatMap(v -> tx.write(path + "/event-channel", eventChannel))
                .flatMap(v -> tx.setPerms(path + "/event-channel", perms)));
    }

    /**
     * Removes the xenstore entries, then ends every grant. A grant the client still maps cannot
     * end; it is retried after each event until the client unmaps (its unmap notification is such
     * an event), so the memory is never reused while the client can still see it. A client that
     * keeps its mappings (one that never closes its end) is waited for at most {@link
     * Vchan#UNMAP_BOUND}, on the store's time: then the port is unbound and the allocator closed
     * all the same, the grants still mapped are set aside for good (never ended, so never reused),
     * and the promise is rejected with {@link VchanException.Reason#UNMAP_TIMEOUT}.
     */
    private Promise<Void> release() {
        Promise<Void> removed = port < 0 ? Promise.unit() : store.rm(path).recover(e -> Promise.unit());
        Promise<Void> ended = removed.flatMap(v -> endShares());
        // Past the bound the waiting is cancelled (its event waiter removed) before giving up.
        return Promise.pick(ended, store.time().sleep(Vchan.UNMAP_BOUND))
                .flatMap(v -> port < 0 ? Promise.unit() : giveUp());
    }

    /**
     * The client still maps some pages past the bound (or once the channels were closed, so its
     * unmap can no longer be heard): lets go of everything else.
     */
    private Promise<Void> giveUp() {
        int kept = 0;
        for (SharedPages share : shares) {
            kept += share.refs().size();
        }
        closeDevices();
        return Promise.rejected(new VchanException(VchanException.Reason.UNMAP_TIMEOUT, "vchan server " + path + ": domain "
                + client + " still maps " + kept + " of its pages after close (waited up to "
                + Vchan.UNMAP_BOUND.toMillis() + " ms); they are set aside, never reused"));
    }

    private Promise<Void> endShares() {
        boolean listening = port >= 0 && channels.isBound(port);
        long seen = listening ? channels.counter(port) : 0;
        shares.removeIf(share -> share.end() == EndAccess.ENDED);
        if (shares.isEmpty() || port < 0) {
            closeDevices();
            return Promise.unit();
        }
        // With the channels closed first, the client's unmap can no longer be heard: give up now.
        return listening ? channels.after(port, seen).recover(this::unlessUnbound).flatMap(now -> endShares())
                : Promise.unit();
    }

    /**
     * A wait for the client's unmap that failed because the channels were closed meanwhile: the
     * next look sees them closed and gives up, as if they had been closed first. Any other failure
     * (the bound's cancel) stays one.
     */
    private Promise<Long> unlessUnbound(Throwable failure) {
        return port >= 0 && !channels.isBound(port) ? Promise.of(0L) : Promise.rejected(failure);
    }

    private void closeDevices() {
        if (port >= 0 && channels.isBound(port)) {
            channels.unbind(port);
        }
        port = -1;
        grants.close();
    }
}
