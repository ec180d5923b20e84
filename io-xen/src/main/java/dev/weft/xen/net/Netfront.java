package dev.weft.xen.net;

import dev.weft.loop.device.MacAddress;
import dev.weft.loop.device.Network;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.bus.ConnectionWaiters;
import dev.weft.xen.bus.Frontend;
import dev.weft.xen.bus.UnendedGrants;
import dev.weft.xen.bus.XenbusCloseTimeoutException;
import dev.weft.xen.bus.XenbusDriver;
import dev.weft.xen.bus.XenbusEnd;
import dev.weft.xen.bus.XenbusNodes;
import dev.weft.xen.bus.XenbusState;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.ring.RingClient;
import dev.weft.xen.ring.SharedRing;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A Xen virtual network interface seen from the guest: the frontend of a {@code vif} as a
 * {@link Network}. It connects through xenbus, publishes a TX ring, an RX ring and one event
 * channel, and moves whole Ethernet frames, one ring slot each.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: the loop of its xenstore client, event channels and
 * grant allocator; the frame handler runs on it. The backend runs in another domain.
 *
 * <p><b>Handshake.</b> When the backend reaches InitWait (and offers {@code feature-rx-copy}) the
 * frontend shares a TX and an RX ring page (256 entries each) and a pool of 256 zeroed RX pages,
 * binds an event channel to {@code backend-id}, and writes {@code tx-ring-ref}, {@code
 * rx-ring-ref}, {@code event-channel}, {@code request-rx-copy=1}, {@code feature-rx-notify=1},
 * {@code feature-sg=0}, {@code feature-gso-tcpv4=0} and {@code feature-no-csum-offload=1}; then
 * Initialised. Once both are Connected it reads {@code mac} and {@code mtu} (1500 if absent) from
 * the backend's directory and posts every RX page.
 *
 * <p><b>Frames.</b> No scatter-gather: a frame is at most one page, and at most {@link #mtu()}
 * plus the 14-byte header; a shorter frame than that header is refused (FRAME_TOO_SMALL). A sent frame is copied into a page granted to the backend for that
 * frame; the grant is ended when the backend answers (a page it keeps mapped is never reused).
 * A write's promise cannot be cancelled: the frame is on the ring, so cancelling is ignored.
 * A received frame is lent to the handler for the call as a slice of exactly its bytes, then its
 * whole page is zeroed and posted again; runts, GSO prefix slots and frames with extra-info slots
 * are never delivered: they are counted in {@link Counters#rxErrors()} and their pages posted again;
 * frames that arrive while nobody listens are counted ({@link Counters#rxUnheard()}) and dropped.
 *
 * <p><b>Failures</b> are {@link NetworkException}s. A backend that breaks the protocol (ring
 * indices, unknown ids, a status netif.h does not define, a frame that does not fit its page,
 * more-data (scatter-gather, never negotiated), a grant kept after answering) marks the device
 * broken: pending writes fail with BROKEN, the listener's promise is rejected, nothing escapes
 * into the loop.
 */
public final class Netfront implements Network, XenbusDriver {
    private static final int RX_PAGES = 256;
    private static final int MAX_DOMAIN_ID = 0x7FEF;

    /**
     * Frame and byte counts since the device was made, over all its connections.
     *
     * @param txFrames frames the backend took
     * @param txBytes their bytes
     * @param txDropped frames the backend dropped (NETIF_RSP_DROPPED)
     * @param txErrors frames the backend failed (NETIF_RSP_ERROR)
     * @param rxFrames frames delivered to the listener
     * @param rxBytes their bytes
     * @param rxErrors RX responses dropped as errors, as Linux counts its rx_errors: a negative
     *     status, a runt (shorter than an Ethernet header), a GSO prefix slot, a frame with
     *     extra-info slots (never negotiated)
     * @param rxUnheard frames that arrived while nobody listened
     */
    public record Counters(long txFrames, long txBytes, long txDropped, long txErrors, long rxFrames, long rxBytes,
                           long rxErrors, long rxUnheard) {
        /** The running counts behind a snapshot. */
        static final class Mutable {
            long txFrames;
            long txBytes;
            long txDropped;
            long txErrors;
            long rxFrames;
            long rxBytes;
            long rxErrors;
            long rxUnheard;

            Counters snapshot() {
                return new Counters(txFrames, txBytes, txDropped, txErrors, rxFrames, rxBytes, rxErrors, rxUnheard);
            }
        }
    }

    private final EventChannels channels;
    private final GrantAllocator grants;
    private final Counters.Mutable counters = new Counters.Mutable();
    private final UnendedGrants unreusable = new UnendedGrants();
    private Promise<Void> reclaiming = Promise.unit();
    private final ConnectionWaiters connectionWaiters = new ConnectionWaiters(() -> new NetworkException(
            NetworkException.Reason.DISCONNECTED, "the device was closed before it connected"));
    private Frontend frontend;
    private Connection connection;
    private long connections;
    private Consumer<MemorySegment> handler;
    private Resolver<Void> listening;
    /** {@link #disconnect()} was called: the device is closed for good (not merely reconnecting). */
    private boolean closedForGood;
    private MacAddress mac;
    private int mtu;

    /** One xenbus connection's rings, pages and channel. */
    private static final class Connection {
        int backendDomain;
        SharedPages txRing;
        SharedPages rxRing;
        SharedPages rxPool;
        int port = -1;
        RingClient<Netif.TxRequest, Netif.TxResponse> tx;
        RingClient<Netif.RxRequest, Netif.RxResponse> rx;
        final List<Promise<Void>> polling = new ArrayList<>();
        NetRing ring;
    }

    private Netfront(EventChannels channels, GrantAllocator grants) {
        this.channels = channels;
        this.grants = grants;
    }

    /**
     * Starts the frontend whose directory is {@code path} (for example {@code
     * /local/domain/5/device/vif/0}, with {@code backend} and {@code backend-id} nodes) and
     * fulfils once connected. Rejected if xenstore fails or the backend's values make no sense;
     * the device is then given up before the rejection (its channel unbound, its rings' and RX
     * pool's grants ended, its watch removed). A backend that never connects keeps it pending:
     * cancelling it (a caller that stops waiting) closes the device as {@link #disconnect()} does.
     * A cancel that comes during the first xenstore steps (reading the backend's path, writing
     * the frontend's first state, setting the watch) stops them there instead: no grant, port or
     * watch is taken yet, but the frontend's state node stays as those steps left it
     * (Initialising), for the toolstack to clean up; a known limitation.
     */
    public static Promise<Netfront> start(XenStore store, String path, EventChannels channels, GrantAllocator grants) {
        Netfront netfront = new Netfront(channels, grants);
        return Frontend.start(store, path, netfront).flatMap(frontend -> {
            netfront.frontend = frontend;
            netfront.connectionWaiters.endWhenStopped(frontend, () -> netfront.reclaiming);
            netfront.connectionWaiters.giveUpOnCancel(() -> Promise.dontWait(netfront::disconnect, failure -> {
                // nobody waits for the device any more: it is released however the closing ends
            }));
            return netfront.connectionWaiters.first();
        }).map(v -> netfront);
    }

    /** {@inheritDoc} As the backend's {@code mtu} node said at the last connection (1500 if absent). */
    @Override
    public int mtu() {
        return mtu;
    }

    /** {@inheritDoc} As the backend's {@code mac} node said at the last connection. */
    @Override
    public MacAddress mac() {
        return mac;
    }

    /** The frame counts so far. */
    public Counters counters() {
        return counters.snapshot();
    }

    @Override
    public Promise<Void> write(List<MemorySegment> fragments) {
        NetRing ring = connection == null ? null : connection.ring;
        if (ring == null) {
            return Promise.rejected(new NetworkException(NetworkException.Reason.DISCONNECTED, "the device is not connected"));
        }
        return ring.write(fragments);
    }

    @Override
    public Promise<Void> listen(Consumer<MemorySegment> handler) {
        if (listening != null && listening.promise().isPending()) {
            return Promise.rejected(new IllegalStateException("the device already has a listener"));
        }
        if (closedForGood) { // no frame will ever come, and no disconnect will end this listener
            return Promise.rejected(new NetworkException(NetworkException.Reason.DISCONNECTED,
                    "the device was disconnected"));
        }
        NetworkException refusal = connection == null || connection.ring == null ? null : connection.ring.refusal();
        if (refusal != null) {
            return Promise.rejected(refusal);
        }
        this.handler = handler;
        listening = Promise.pending();
        return listening.promise();
    }

    /**
     * Closes the device for good through xenbus, ending the listener's promise (a later {@link
     * #listen} is rejected with DISCONNECTED). Fulfilled once the frontend stopped and every grant
     * the backend gave back was ended. The backend gets {@link XenbusEnd#CLOSE_BOUND} (5 s, on the
     * xenstore client's time) to close; one that stays Connected longer does not hold the caller:
     * the device is released on this side all the same (port unbound, grants ended, or set aside
     * once the reclaim bound passed, listener ended), Closed is published, and the promise is
     * rejected with {@link NetworkException.Reason#CLOSE_TIMEOUT}. If xenbus cannot close
     * (xenstore failed), the device is released the same way and the promise is rejected with
     * xenstore's failure.
     */
    @Override
    public Promise<Void> disconnect() {
        closedForGood = true;
        return frontend.close(XenbusEnd.CLOSE_BOUND).recover(failure -> {
            // xenbus could not close (xenstore failed, or the backend would not): this side lets go all the
            // same, unless the end's failure already made the driver disconnect (and start reclaiming).
            if (connection != null) {
                disconnect(frontend);
            }
            return reclaiming.recover(ignored -> Promise.unit()).flatMap(v -> Promise.rejected(closeFailure(failure)));
        }).flatMap(v -> reclaiming).andFinally(() -> {
            if (listening != null && listening.promise().isPending()) {
                listening.resolve(null);
            }
            handler = null;
            return Promise.unit();
        });
    }

    private static Throwable closeFailure(Throwable failure) {
        return failure instanceof XenbusCloseTimeoutException ? new NetworkException(
                NetworkException.Reason.CLOSE_TIMEOUT, failure.getMessage(), failure) : failure;
    }

    /**
     * Fulfilled once the device is connected: at once if it is now, else at the next connection.
     * Rejected if the device stops first (closed, or the backend refused).
     */
    public Promise<Void> whenConnected() {
        if (connection != null && connection.ring != null) {
            return Promise.unit();
        }
        return connectionWaiters.next();
    }

    /** Whether the backend broke the protocol on the current connection. */
    public boolean broken() {
        return connection != null && connection.ring != null && connection.ring.refusal() != null;
    }

    /** The xenbus end, to watch its state. */
    public Frontend frontend() {
        return frontend;
    }

    /** Pages the backend kept mapped after answering or disconnecting: never reused. */
    public int unreusablePages() {
        return unreusable.pages();
    }

    private final NetRing.Listener listener = new NetRing.Listener() {
        @Override
        public boolean deliver(MemorySegment frame) {
            if (handler == null) {
                return false;
            }
            try {
                handler.accept(frame);
            } catch (RuntimeException failure) { // the handler's bug ends its listening, not the device
                handler = null;
                listening.reject(failure);
            }
            return true;
        }

        @Override
        public void broken(NetworkException failure) {
            if (listening != null && listening.promise().isPending()) {
                handler = null;
                listening.reject(failure);
            }
        }
    };

    // ---------------------------------------------------------------- xenbus

    /** Not for callers: xenbus calls it when the backend is ready. */
    @Override
    public Promise<Void> connect(XenbusEnd end) {
        Connection attempt = new Connection();
        connections++;
        XenStore store = end.store();
        return Promise.both(store.read(end.path() + "/backend-id"), optional(store, end.otherPath() + "/feature-rx-copy", "0"))
                .flatMap(nodes -> XenbusNodes.parsed(() -> {
                    attempt.backendDomain = (int) decimal(end.path() + "/backend-id", nodes.first(), 0, MAX_DOMAIN_ID);
                    if (!nodes.second().trim().equals("1")) {
                        throw new NetworkException(NetworkException.Reason.UNSUPPORTED,
                                "the backend does not offer feature-rx-copy");
                    }
                    return publishRings(end, attempt);
                }))
                .map(v -> {
                    connection = attempt;
                    attempt.polling.add(attempt.tx.pollOnEvents(channels, attempt.port));
                    attempt.polling.add(attempt.rx.pollOnEvents(channels, attempt.port));
                    end.reach(XenbusState.CONNECTED).flatMap(w -> readLink(end, attempt)).onFailure(failure -> {
                        if (connection == attempt) {
                            connectionWaiters.connectionFailed(end, failure, () -> {
                                connection = null;
                                release(attempt);
                                // what the backend mapped comes back once it has seen our Closed
                                reclaiming = unreusable.reclaim(end.store(), end.otherPath());
                            });
                        }
                    });
                    return (Void) null;
                })
                .recover(failure -> {
                    release(attempt);
                    return Promise.rejected(failure);
                });
    }

    private Promise<Void> publishRings(XenbusEnd end, Connection attempt) {
        attempt.txRing = grants.share(attempt.backendDomain, 1, true);
        attempt.rxRing = grants.share(attempt.backendDomain, 1, true);
        attempt.rxPool = grants.share(attempt.backendDomain, RX_PAGES, true);
        attempt.port = channels.bindUnbound(attempt.backendDomain);
        int port = attempt.port;
        attempt.tx = new RingClient<>(SharedRing.over(attempt.txRing.memory(), NetifTxCodec.INSTANCE.entrySize())
                .initialise(0).front(), NetifTxCodec.INSTANCE, () -> channels.notify(port));
        attempt.rx = new RingClient<>(SharedRing.over(attempt.rxRing.memory(), NetifRxCodec.INSTANCE.entrySize())
                .initialise(0).front(), NetifRxCodec.INSTANCE, () -> channels.notify(port));
        XenStore store = end.store();
        String dir = end.path();
        return store.write(dir + "/tx-ring-ref", Integer.toUnsignedString(attempt.txRing.refs().getFirst().value()))
                .flatMap(v -> store.write(dir + "/rx-ring-ref", Integer.toUnsignedString(attempt.rxRing.refs().getFirst().value())))
                .flatMap(v -> store.write(dir + "/event-channel", Integer.toString(port)))
                .flatMap(v -> store.write(dir + "/request-rx-copy", "1"))
                .flatMap(v -> store.write(dir + "/feature-rx-notify", "1"))
                .flatMap(v -> store.write(dir + "/feature-sg", "0"))
                .flatMap(v -> store.write(dir + "/feature-gso-tcpv4", "0"))
                .flatMap(v -> store.write(dir + "/feature-no-csum-offload", "1"));
    }

    private Promise<Void> readLink(XenbusEnd end, Connection attempt) {
        XenStore store = end.store();
        String dir = end.otherPath();
        return Promise.both(store.read(dir + "/mac"), optional(store, dir + "/mtu", "1500")).flatMap(nodes -> XenbusNodes.parsed(() -> {
            if (connection != attempt) {
                return Promise.unit();
            }
            try {
                mac = MacAddress.parse(nodes.first().trim());
            } catch (IllegalArgumentException bad) {
                throw new NetworkException(NetworkException.Reason.BROKEN, dir + "/mac = \"" + nodes.first() + "\"", bad);
            }
            mtu = (int) decimal(dir + "/mtu", nodes.second(), 68, Netif.PAGE_BYTES - Netif.ETHERNET_HEADER);
            attempt.ring = new NetRing(attempt.tx, attempt.rx, grants, attempt.backendDomain, mtu, attempt.rxPool,
                    listener, counters, unreusable);
            attempt.ring.start();
            connectionWaiters.connected();
            return Promise.unit();
        }));
    }

    private static Promise<String> optional(XenStore store, String path, String absent) {
        return XenbusNodes.readOptional(store, path, absent);
    }

    private static long decimal(String path, String value, long min, long max) throws NetworkException {
        return XenbusNodes.decimal(value, min, max).orElseThrow(() -> new NetworkException(NetworkException.Reason.BROKEN,
                path + " = \"" + value + "\" is not a number in " + min + ".." + max));
    }

    /** Not for callers: xenbus calls it when the device closes. */
    @Override
    public Promise<Void> disconnect(XenbusEnd end) {
        Connection closing = connection;
        connection = null;
        if (closing != null) {
            release(closing);
        }
        reclaiming = unreusable.reclaim(end.store(), end.otherPath());
        return Promise.unit();
    }

    private void release(Connection closing) {
        closing.polling.forEach(Promise::cancel);
        if (closing.ring != null) {
            closing.ring.close();
        }
        if (closing.port >= 0 && channels.isBound(closing.port)) { // closed channels unbound it already
            channels.unbind(closing.port);
        }
        for (SharedPages pages : new SharedPages[] {closing.txRing, closing.rxRing, closing.rxPool}) {
            if (pages != null) {
                unreusable.end(pages);
            }
        }
    }
}
