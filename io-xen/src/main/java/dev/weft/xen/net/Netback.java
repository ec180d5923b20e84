package dev.weft.xen.net;

import dev.weft.loop.device.MacAddress;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.bus.Backend;
import dev.weft.xen.bus.XenbusCloseTimeoutException;
import dev.weft.xen.bus.XenbusDriver;
import dev.weft.xen.bus.XenbusEnd;
import dev.weft.xen.bus.XenbusNodes;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.ring.RingServer;
import dev.weft.xen.ring.SharedRing;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * A software netback: the other end of one netfront, for tests. Frames the frontend sends go to
 * a handler; frames given to {@link #inject} go into the frontend's posted RX pages.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: the backend's own loop (its xenstore client, event
 * channels and grant mapper); the handler runs on it.
 *
 * <p><b>Handshake.</b> Before InitWait it offers {@code feature-rx-copy} and writes {@code mac}
 * and {@code mtu}; when the frontend is Initialised it reads {@code frontend-id}, {@code
 * tx-ring-ref}, {@code rx-ring-ref}, {@code event-channel} and {@code request-rx-copy} (which must
 * be 1), maps both rings and binds the channel; then Connected.
 *
 * <p><b>Frames.</b> A TX request's page is mapped read-only, its bytes copied and handed to the
 * handler, and answered OKAY (a frame that claims more-data or extra-info, unsupported here, is
 * answered ERROR). An injected frame fills the oldest posted RX page (mapped, written from offset
 * 0, unmapped) and is answered with its size; while no page is posted, up to 1024 frames wait and
 * later ones are dropped ({@link #dropped()}).
 */
public final class Netback implements XenbusDriver {
    private static final int BACKLOG = 1024;
    private static final int MAX_DOMAIN_ID = 0x7FEF;

    private final EventChannels channels;
    private final GrantMapper mapper;
    private final Consumer<MemorySegment> handler;
    private final ArrayDeque<Posted> posted = new ArrayDeque<>();
    private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
    private Backend backend;
    private Connection connection;
    private long dropped;

    private record Posted(int frontendDomain, GrantRef gref, Resolver<Netif.RxResponse> resolver) {}

    private static final class Connection {
        int frontendDomain;
        MappedPages txRing;
        MappedPages rxRing;
        int port = -1;
        Promise<Void> txPolling;
        Promise<Void> rxPolling;
    }

    private Netback(EventChannels channels, GrantMapper mapper, Consumer<MemorySegment> handler) {
        this.channels = channels;
        this.mapper = mapper;
        this.handler = handler;
    }

    /**
     * Offers a vif whose backend directory is {@code path}, with {@code mac} and {@code mtu}, and
     * starts following the frontend; {@code handler} gets each frame the frontend sends (a copy,
     * lent for the call).
     */
    public static Promise<Netback> start(XenStore store, String path, EventChannels channels, GrantMapper mapper,
                                         MacAddress mac, int mtu, Consumer<MemorySegment> handler) {
        Netback netback = new Netback(channels, mapper, handler);
        return store.write(path + "/feature-rx-copy", "1")
                .flatMap(v -> store.write(path + "/mac", mac.toString()))
                .flatMap(v -> store.write(path + "/mtu", Integer.toString(mtu)))
                .flatMap(v -> Backend.start(store, path, netback))
                .map(backend -> {
                    netback.backend = backend;
                    return netback;
                });
    }

    /** The xenbus end, to watch or drive its state. */
    public Backend backend() {
        return backend;
    }

    /** Frames dropped because the frontend had posted no page and the backlog was full. */
    public long dropped() {
        return dropped;
    }

    /** Delivers {@code frame} (at most a page) to the frontend, now or when it next posts a page. */
    public void inject(byte[] frame) {
        if (frame.length > Netif.PAGE_BYTES) {
            throw new IllegalArgumentException("a frame of " + frame.length + " bytes does not fit a page");
        }
        if (!posted.isEmpty()) {
            fill(posted.poll(), frame);
        } else if (backlog.size() < BACKLOG) {
            backlog.add(frame.clone());
        } else {
            dropped++;
        }
    }

    /**
     * Closes the device for good: Closing, then, once the frontend has left (Closed), the
     * frontend's ring and pages are unmapped and Closed is published. A frontend that never leaves
     * (a guest that hung or died still Connected) is waited for at most {@link
     * XenbusEnd#CLOSE_BOUND} (5 s, on the xenstore client's time): then the backend lets go all the
     * same and the promise is rejected with {@link XenbusCloseTimeoutException}.
     */
    public Promise<Void> close() {
        return backend.close(XenbusEnd.CLOSE_BOUND);
    }

    private void fill(Posted buffer, byte[] frame) {
        try (MappedPages page = mapper.map(buffer.frontendDomain(), List.of(buffer.gref()), true)) {
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, page.memory(), 0, frame.length);
        } catch (RuntimeException unmappable) {
            buffer.resolver().resolve(new Netif.RxResponse(0, 0, Netif.RSP_ERROR));
            return;
        }
        buffer.resolver().resolve(new Netif.RxResponse(0, 0, frame.length));
    }

    private Promise<Netif.RxResponse> posted(int frontendDomain, Netif.RxRequest request) {
        Posted buffer = new Posted(frontendDomain, request.gref(), Promise.pending());
        byte[] waiting = backlog.poll();
        if (waiting != null) {
            fill(buffer, waiting);
        } else {
            posted.add(buffer);
        }
        return buffer.resolver().promise();
    }

    private Promise<Netif.TxResponse> sent(int frontendDomain, Netif.TxRequest request) {
        if ((request.flags() & (Netif.FLAG_MORE_DATA | Netif.FLAG_EXTRA_INFO)) != 0) {
            return Promise.of(new Netif.TxResponse(Netif.RSP_ERROR));
        }
        byte[] frame = new byte[request.size()];
        try (MappedPages page = mapper.map(frontendDomain, List.of(request.gref()), false)) {
            MemorySegment.copy(page.memory(), request.offset(), MemorySegment.ofArray(frame), 0, frame.length);
        }
        handler.accept(MemorySegment.ofArray(frame));
        return Promise.of(new Netif.TxResponse(Netif.RSP_OKAY));
    }

    // ---------------------------------------------------------------- xenbus

    /** Not for callers: xenbus calls it when the frontend is Initialised. */
    @Override
    public Promise<Void> connect(XenbusEnd end) {
        XenStore store = end.store();
        String front = end.otherPath();
        Connection attempt = new Connection();
        return Promise.all(List.of(store.read(end.path() + "/frontend-id"), store.read(front + "/tx-ring-ref"),
                        store.read(front + "/rx-ring-ref"), store.read(front + "/event-channel"),
                        XenbusNodes.readOptional(store, front + "/request-rx-copy", "0")))
                .flatMap(values -> XenbusNodes.parsed(() -> {
                    attempt.frontendDomain = (int) number(end.path() + "/frontend-id", values.get(0), MAX_DOMAIN_ID);
                    GrantRef tx = new GrantRef((int) number(front + "/tx-ring-ref", values.get(1), 0xFFFF_FFFFL));
                    GrantRef rx = new GrantRef((int) number(front + "/rx-ring-ref", values.get(2), 0xFFFF_FFFFL));
                    int remotePort = (int) number(front + "/event-channel", values.get(3), Integer.MAX_VALUE);
                    if (!values.get(4).trim().equals("1")) {
                        throw new NetworkException(NetworkException.Reason.UNSUPPORTED,
                                "the frontend does not ask for request-rx-copy, the only mode served");
                    }
                    serve(attempt, tx, rx, remotePort);
                    return Promise.unit();
                }))
                .recover(failure -> {
                    release(attempt);
                    return Promise.rejected(failure);
                });
    }

    private static long number(String path, String value, long max) throws NetworkException {
        return XenbusNodes.decimal(value, 0, max).orElseThrow(() -> new NetworkException(NetworkException.Reason.BROKEN,
                path + " = \"" + value + "\" is not a number in 0.." + max));
    }

    private void serve(Connection attempt, GrantRef txRef, GrantRef rxRef, int remotePort) {
        int frontendDomain = attempt.frontendDomain;
        attempt.txRing = mapper.map(frontendDomain, List.of(txRef), true);
        attempt.rxRing = mapper.map(frontendDomain, List.of(rxRef), true);
        attempt.port = channels.bindInterdomain(frontendDomain, remotePort);
        int port = attempt.port;
        RingServer<Netif.TxRequest, Netif.TxResponse> tx = new RingServer<>(
                SharedRing.over(attempt.txRing.memory(), NetifTxCodec.INSTANCE.entrySize()).back(), NetifTxCodec.INSTANCE,
                request -> sent(frontendDomain, request), (request, failure) -> new Netif.TxResponse(Netif.RSP_ERROR),
                () -> channels.notify(port));
        RingServer<Netif.RxRequest, Netif.RxResponse> rx = new RingServer<>(
                SharedRing.over(attempt.rxRing.memory(), NetifRxCodec.INSTANCE.entrySize()).back(), NetifRxCodec.INSTANCE,
                request -> posted(frontendDomain, request),
                (request, failure) -> new Netif.RxResponse(0, 0, Netif.RSP_ERROR), () -> channels.notify(port));
        attempt.txPolling = tx.pollOnEvents(channels, port);
        attempt.rxPolling = rx.pollOnEvents(channels, port);
        connection = attempt;
    }

    /** Not for callers: xenbus calls it when the device closes. */
    @Override
    public Promise<Void> disconnect(XenbusEnd end) {
        Connection closing = connection;
        connection = null;
        posted.clear(); // their responses would go into a ring that is gone
        if (closing != null) {
            release(closing);
        }
        return Promise.unit();
    }

    private void release(Connection closing) {
        if (closing.txPolling != null) {
            closing.txPolling.cancel();
            closing.rxPolling.cancel();
        }
        if (closing.port >= 0 && channels.isBound(closing.port)) { // closed channels unbound it already
            channels.unbind(closing.port);
        }
        if (closing.txRing != null) {
            closing.txRing.close();
        }
        if (closing.rxRing != null) {
            closing.rxRing.close();
        }
    }
}
