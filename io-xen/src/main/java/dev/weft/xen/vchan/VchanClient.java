package dev.weft.xen.vchan;

import dev.weft.promise.Promise;
import dev.weft.xen.XenPlatform;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.store.Decimal;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.vchan.VchanException.Reason;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's set-up and tear-down, as libxenvchan's {@code libxenvchan_client_init} and
 * {@code libxenvchan_close}: it owns the mappings, the grant mapper and the port. The control
 * page's orders and grant list are written by the server and read exactly once, here, and checked
 * before anything is mapped.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 */
final class VchanClient {
    private final EventChannels channels;
    private final int server;
    private final String path;
    private final GrantMapper mapper;
    /** Buffers first, the control page last: its unmap notification tells the server we are gone. */
    private final List<MappedPages> mappings = new ArrayList<>();
    private MappedPages control;
    private int port = -1;

    private VchanClient(XenPlatform platform, EventChannels channels, int server, String path) {
        this.channels = channels;
        this.server = server;
        this.path = path;
        this.mapper = platform.openGrantMapper();
    }

    static Promise<Vchan> connect(XenPlatform platform, EventChannels channels, XenStore store, int server,
                                  String path) {
        return number(store, path + "/ring-ref", 0xFFFF_FFFFL).flatMap(ref ->
                number(store, path + "/event-channel", Integer.MAX_VALUE).flatMap(remotePort -> {
                    VchanClient client = new VchanClient(platform, channels, server, path);
                    try {
                        return Promise.of(client.attach((int) (long) ref, (int) (long) remotePort));
                    } catch (VchanException | RuntimeException e) {
                        client.release();
                        return Promise.rejected(e);
                    }
                }));
    }

    /** A positive decimal number read from {@code key}; libxenvchan takes 0 as absent too. */
    private static Promise<Long> number(XenStore store, String key, long max) {
        return store.read(key).tryBind(text -> {
            long value = Decimal.parse(text, max);
            return value > 0 ? Promise.of(value) : Promise.rejected(new VchanException(
                    Reason.BAD_XENSTORE_ENTRY, key + " is \"" + text + "\", not a number in 1.." + max));
        }, failed -> {
            VchanException missing = new VchanException(Reason.BAD_XENSTORE_ENTRY,
                    key + " cannot be read (has the server listened yet?): " + failed.getMessage());
            missing.initCause(failed);
            return Promise.rejected(missing);
        });
    }

    private Vchan attach(int ringRef, int remotePort) throws VchanException {
        port = channels.bindInterdomain(server, remotePort);
        control = mapper.map(server, List.of(new GrantRef(ringRef)), true);
        // Even if this process dies, the server sees us gone: our live byte cleared, the port notified.
        control.setUnmapNotify(VchanPage.CLI_LIVE, port);
        VchanPage page = new VchanPage(control.memory());
        int writeOrder = page.order(VchanPage.LEFT_ORDER);
        int readOrder = page.order(VchanPage.RIGHT_ORDER);
        checkLayout(writeOrder, readOrder);
        int writePages = VchanPage.separatePages(writeOrder);
        MemorySegment write = ring(page, writeOrder, grants(page, 0, writePages), true);
        MemorySegment read = ring(page, readOrder, grants(page, writePages, VchanPage.separatePages(readOrder)),
                false);
        page.setLive(VchanPage.CLI_LIVE, VchanPage.LIVE_CONNECTED);
        page.requestNotify(VchanPage.SRV_NOTIFY, VchanPage.NOTIFY_WRITE);
        channels.notify(port);
        BytePipe pipe = BytePipe.over(page.memory(), VchanPage.RIGHT, read, VchanPage.LEFT, write,
                "vchan client " + path);
        return new Vchan("vchan client " + path + " (to domain " + server + ")", Vchan.Role.CLIENT, page, pipe,
                channels, port, this::release);
    }

    /** The orders must name rings that can be, in different places, with the grant list clear of both. */
    private void checkLayout(int writeOrder, int readOrder) throws VchanException {
        if (!validOrder(writeOrder) || !validOrder(readOrder)
                || (writeOrder == readOrder && writeOrder < VchanPage.PAGE_SHIFT)) {
            throw badLayout("ring orders " + writeOrder + " (left) and " + readOrder + " (right)");
        }
        int grantsEnd = VchanPage.GRANTS + Integer.BYTES
                * (VchanPage.separatePages(writeOrder) + VchanPage.separatePages(readOrder));
        int firstRing = Math.min(inPageStart(writeOrder), inPageStart(readOrder));
        if (grantsEnd > firstRing) {
            throw badLayout("a grant list ending at " + grantsEnd + " runs into a ring at " + firstRing);
        }
    }

    private static boolean validOrder(int order) {
        return order >= VchanPage.SMALL_ORDER && order <= VchanPage.MAX_ORDER;
    }

    private static int inPageStart(int order) {
        int offset = VchanPage.inPageOffset(order);
        return offset >= 0 ? offset : VchanPage.PAGE_SIZE;
    }

    private VchanException badLayout(String what) {
        return new VchanException(Reason.BAD_LAYOUT, "vchan client " + path + ": the control page from domain "
                + server + " has " + what + " (valid: 10..20, not both in the page at the same place)");
    }

    /** Reads {@code count} grant references once, from list index {@code first}. */
    private static List<GrantRef> grants(VchanPage page, int first, int count) {
        List<GrantRef> refs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            refs.add(new GrantRef(page.grant(first + i)));
        }
        return refs;
    }

    private MemorySegment ring(VchanPage page, int order, List<GrantRef> refs, boolean writable) {
        int offset = VchanPage.inPageOffset(order);
        if (offset >= 0) {
            return page.memory().asSlice(offset, 1 << order);
        }
        MappedPages pages = mapper.map(server, refs, writable);
        mappings.add(pages);
        return pages.memory();
    }

    private Promise<Void> release() {
        for (MappedPages pages : mappings) {
            pages.close();
        }
        mappings.clear();
        if (control != null) {
            control.close();
            control = null;
        }
        mapper.close();
        if (port >= 0 && channels.isBound(port)) { // the channels may have been closed first, unbinding it
            channels.notify(port);
            channels.unbind(port);
        }
        port = -1;
        return Promise.unit();
    }
}
