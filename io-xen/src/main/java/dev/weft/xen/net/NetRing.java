package dev.weft.xen.net;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.bus.UnendedGrants;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.ring.RingBroken;
import dev.weft.xen.ring.RingClient;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One connection's worth of netfront: frames out through the TX ring (each frame copied into a
 * page granted for it, the grant ended when the backend answers), frames in through the RX ring
 * (a pool of pages granted once, zeroed, all posted; each page is handed to the listener, zeroed
 * and posted again). Netfront makes one per connection.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 *
 * <p>Nothing the backend writes is trusted: an RX status is signed (negative is an error,
 * counted, and the page posted again); runts, GSO prefix slots and frames with extra-info slots
 * are dropped and counted the same way (the extra-info slots' requests posted again); a frame must
 * fit in its page after its offset; more-data (scatter-gather, never negotiated) and TX statuses
 * other than netif.h's break the device, as do the rings' own checks ({@link RingBroken}) and a TX
 * grant the backend keeps after answering (its page is never reused). A frame is lent as a slice
 * of exactly its bytes; every page posted is all zeroes.
 */
final class NetRing {
    /** What the ring reports to its device. */
    interface Listener {
        /** A frame arrived, lent for the call; false if nobody listens. */
        boolean deliver(MemorySegment frame);

        /** The backend broke the protocol. */
        void broken(NetworkException failure);
    }

    private final RingClient<Netif.TxRequest, Netif.TxResponse> tx;
    private final RingClient<Netif.RxRequest, Netif.RxResponse> rx;
    private final GrantAllocator grants;
    private final int backendDomain;
    private final int maxFrame;
    private final SharedPages rxPages;
    private final Listener listener;
    private final Netfront.Counters.Mutable counters;
    private final UnendedGrants unreusable;
    private final Set<Sending> outstanding = new LinkedHashSet<>();
    private NetworkException broken;
    private NetworkException closed;

    private record Sending(SharedPages page, Resolver<Void> resolver) {}

    NetRing(RingClient<Netif.TxRequest, Netif.TxResponse> tx, RingClient<Netif.RxRequest, Netif.RxResponse> rx,
            GrantAllocator grants, int backendDomain, int mtu, SharedPages rxPages, Listener listener,
            Netfront.Counters.Mutable counters, UnendedGrants unreusable) {
        this.tx = tx;
        this.rx = rx;
        this.grants = grants;
        this.backendDomain = backendDomain;
        this.maxFrame = mtu + Netif.ETHERNET_HEADER;
        this.rxPages = rxPages;
        this.listener = listener;
        this.counters = counters;
        this.unreusable = unreusable;
    }

    RingClient<Netif.TxRequest, Netif.TxResponse> tx() {
        return tx;
    }

    RingClient<Netif.RxRequest, Netif.RxResponse> rx() {
        return rx;
    }

    /** Posts every page of the RX pool. */
    void start() {
        for (int page = 0; page < rxPages.refs().size(); page++) {
            post(page);
        }
    }

    /** Why the device accepts nothing, or null while it works. */
    NetworkException refusal() {
        if (closed != null) {
            return closed;
        }
        if (broken == null) {
            tx.failure().or(rx::failure).ifPresent(this::markBroken);
        }
        return broken;
    }

    Promise<Void> write(List<MemorySegment> fragments) {
        NetworkException refusal = refusal();
        if (refusal != null) {
            return Promise.rejected(refusal);
        }
        long size = 0;
        for (MemorySegment fragment : fragments) {
            size += fragment.byteSize();
        }
        if (size < Netif.ETHERNET_HEADER) {
            return Promise.rejected(new NetworkException(NetworkException.Reason.FRAME_TOO_SMALL, "a frame of " + size
                    + " bytes; an Ethernet header alone is " + Netif.ETHERNET_HEADER));
        }
        if (size > maxFrame) {
            return Promise.rejected(new NetworkException(NetworkException.Reason.FRAME_TOO_LARGE, "a frame of " + size
                    + " bytes; the MTU allows " + maxFrame + " with the Ethernet header"));
        }
        SharedPages page;
        try {
            page = grants.share(backendDomain, 1, false);
        } catch (RuntimeException refused) { // a full table (GrantException), or the device's own errno
            return Promise.rejected(new NetworkException(NetworkException.Reason.NO_GRANTS,
                    "cannot grant a page to domain " + backendDomain, refused));
        }
        long at = 0;
        for (MemorySegment fragment : fragments) {
            MemorySegment.copy(fragment, 0, page.memory(), at, fragment.byteSize());
            at += fragment.byteSize();
        }
        Sending sending = new Sending(page, Promise.pending());
        outstanding.add(sending);
        long bytes = size;
        tx.request(new Netif.TxRequest(page.refs().getFirst(), 0, 0, (int) size))
                .onAny(response -> sent(sending, response, bytes), this::markBroken);
        return sending.resolver().promise();
    }

    private void sent(Sending sending, Netif.TxResponse response, long bytes) {
        if (!outstanding.remove(sending)) {
            return; // failed already (broken or closed); its page was released then
        }
        if (!unreusable.end(sending.page())) {
            fail(sending, new NetworkException(NetworkException.Reason.BROKEN,
                    "the backend answered a frame but still maps its page"));
            return;
        }
        switch (response.status()) {
            case Netif.RSP_OKAY -> {
                counters.txFrames++;
                counters.txBytes += bytes;
                sending.resolver().resolve(null);
            }
            case Netif.RSP_DROPPED -> {
                counters.txDropped++;
                sending.resolver().resolve(null);
            }
            case Netif.RSP_ERROR -> {
                counters.txErrors++;
                sending.resolver().reject(new NetworkException(NetworkException.Reason.BACKEND_ERROR,
                        "the backend failed to send a frame of " + bytes + " bytes"));
            }
            default -> fail(sending, new NetworkException(NetworkException.Reason.BROKEN,
                    "the backend answered a frame with status " + response.status() + " (for an extra-info slot)"));
        }
    }

    private void post(int page) {
        rx.request(new Netif.RxRequest(rxPages.refs().get(page)))
                .onAny(response -> received(page, response), this::markBroken);
    }

    private void received(int page, Netif.RxResponse response) {
        if (refusal() != null) {
            return;
        }
        if (response == NetifRxCodec.EXTRA_INFO_SLOT) { // its frame was dropped and counted already
            repost(page);
            return;
        }
        if (response.status() < 0 || (response.flags() & Netif.FLAG_GSO_PREFIX) != 0) {
            // A GSO prefix slot (netback sets more-data on it too) holds no bytes: drop it whatever its flags.
            counters.rxErrors++;
            repost(page);
            return;
        }
        if ((response.flags() & Netif.FLAG_MORE_DATA) != 0) {
            markBroken(new NetworkException(NetworkException.Reason.BROKEN, "an rx response has flags 0x"
                    + Integer.toHexString(response.flags()) + " (more-data: scatter-gather, never negotiated)"));
            return;
        }
        if (response.offset() + response.status() > Netif.PAGE_BYTES) {
            markBroken(new NetworkException(NetworkException.Reason.BROKEN, "an rx response of " + response.status()
                    + " bytes at offset " + response.offset() + " passes the end of its page"));
            return;
        }
        if (!isPlainFrame(response)) {
            counters.rxErrors++;
            repost(page);
            return;
        }
        MemorySegment frame = rxPages.memory().asSlice((long) page * Netif.PAGE_BYTES + response.offset(),
                response.status());
        if (listener.deliver(frame)) {
            counters.rxFrames++;
            counters.rxBytes += response.status();
        } else {
            counters.rxUnheard++;
        }
        repost(page);
    }

    /**
     * Whether a response is a whole Ethernet frame this frontend can take. Not so, dropped and
     * counted as Linux's netfront counts them (rx_errors), the ring going on: a runt shorter than an
     * Ethernet header; a frame with extra-info slots (GSO or XDP metadata, never negotiated: its slots
     * follow and are posted again as they come, see {@link NetifRxCodec#EXTRA_INFO_SLOT}).
     */
    private static boolean isPlainFrame(Netif.RxResponse response) {
        return response.status() >= Netif.ETHERNET_HEADER && (response.flags() & Netif.FLAG_EXTRA_INFO) == 0;
    }

    /**
     * Zeroes a whole RX page and posts it again. The whole page, not only the frame the backend
     * reported: bytes it wrote outside that frame would otherwise show in a later frame laid over
     * them. So every posted page is all zeroes, and a frame holds only what the backend wrote
     * for it.
     */
    private void repost(int page) {
        rxPages.memory().asSlice((long) page * Netif.PAGE_BYTES, Netif.PAGE_BYTES).fill((byte) 0);
        post(page);
    }

    void markBroken(Throwable cause) {
        if (broken != null || closed != null) {
            return;
        }
        broken = cause instanceof NetworkException typed && typed.reason() == NetworkException.Reason.BROKEN ? typed
                : new NetworkException(NetworkException.Reason.BROKEN, String.valueOf(cause.getMessage()), cause);
        failOutstanding(broken);
        listener.broken(broken);
    }

    /** Fails frames being sent with DISCONNECTED and refuses later ones. */
    void close() {
        if (closed == null) {
            closed = new NetworkException(NetworkException.Reason.DISCONNECTED, "the device disconnected");
            failOutstanding(closed);
        }
    }

    private void fail(Sending sending, NetworkException failure) {
        markBroken(failure);
        sending.resolver().reject(broken);
    }

    private void failOutstanding(NetworkException failure) {
        List<Sending> left = new ArrayList<>(outstanding);
        outstanding.clear();
        for (Sending sending : left) {
            unreusable.end(sending.page());
            sending.resolver().reject(failure);
        }
    }
}
