package dev.weft.xen.vchan;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.xen.XenPlatform;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.ring.PipeFlow;
import dev.weft.xen.ring.RingBroken;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One end of a vchan: a byte stream between two domains over granted pages and one event channel,
 * wire-compatible with Xen's libxenvchan (so either end may be C). The server ({@link #listen})
 * shares the pages and publishes them in xenstore; the client ({@link #connect}) maps them.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop whose {@link EventChannels} the vchan was made
 * with. The peer runs concurrently in another domain (or thread, on the model).
 *
 * <p><b>Implementation notes.</b> Two byte rings (see {@link VchanPage} for the page): the client
 * writes {@code left} and reads {@code right}. Each end keeps its own indices privately
 * ({@link BytePipe}); every index, order, grant and live byte the peer can write is read once and
 * checked, so a hostile peer can break the vchan ({@link RingBroken}, for good) but never make it
 * touch memory outside its rings.
 *
 * <p>Notifications follow libxenvchan. Before waiting for data an end sets {@code
 * VCHAN_NOTIFY_WRITE} in the peer's notify byte, then looks at the ring again (the peer may have
 * written between the first look and the request); before waiting for space it sets {@code
 * VCHAN_NOTIFY_READ}. After moving bytes an end clears that bit in its own notify byte and
 * notifies the event channel only if the bit was set. The flow itself (backpressure both ways,
 * level-style waiting on the port) is the ring package's {@link PipeFlow}; this class adds
 * vchan's notify bits and live bytes to it.
 *
 * <p>Closing: an end clears its live byte and notifies. The peer reads what is left in its ring,
 * then end-of-stream; its pending and later writes fail with {@link VchanException.Reason#PEER_CLOSED}.
 * Unmap notifications (server: its live byte cleared when the control grant ends; client: its
 * live byte cleared when its mapping goes, even if the process dies) make a dead peer look closed.
 * vchan has no half-close: {@code shutdown(WRITE)} clears the live byte once queued writes are in
 * the ring, so the peer sees end-of-stream, and a libxenvchan peer then stops writing too.
 */
public final class Vchan implements Flow {
    /**
     * How long a server's {@link #close()} waits for the client to unmap the server's pages (on the
     * xenstore client's time) before it gives them up for good: 5 s.
     */
    public static final Duration UNMAP_BOUND = Duration.ofSeconds(5);

    /** Which bytes of the control page an end owns and which it asks in. */
    record Role(String name, int ownLive, int peerLive, int peerNotify, int ownNotify) {
        static final Role SERVER = new Role("server", VchanPage.SRV_LIVE, VchanPage.CLI_LIVE,
                VchanPage.CLI_NOTIFY, VchanPage.SRV_NOTIFY);
        static final Role CLIENT = new Role("client", VchanPage.CLI_LIVE, VchanPage.SRV_LIVE,
                VchanPage.SRV_NOTIFY, VchanPage.CLI_NOTIFY);
    }

    private final String name;
    private final Role role;
    private final VchanPage page;
    private final EventChannels channels;
    private final int port;
    private final PipeFlow flow;

    Vchan(String name, Role role, VchanPage page, BytePipe pipe, EventChannels channels, int port,
          Supplier<Promise<Void>> release) {
        this.name = name;
        this.role = role;
        this.page = page;
        this.channels = channels;
        this.port = port;
        this.flow = new PipeFlow(name, pipe, channels, port, new Signals(), release);
    }

    /**
     * Listens as the server of a vchan to {@code clientDomain} at xenstore {@code path}, as
     * {@code libxenvchan_server_init}: shares a control page (and the rings' pages if they do not
     * fit in it), binds an unbound event channel, and writes {@code <path>/ring-ref} and {@code
     * <path>/event-channel}, readable by the client's domain only. Fulfilled once published; the
     * client may connect at any time after (writes before that wait in the ring). Closing a server
     * completes once the client has unmapped the pages: only then can the grants end.
     *
     * @param platform this domain's devices (a grant allocator is opened and owned by the vchan)
     * @param readMin bytes the client-to-server ring must hold at least (1 MiB at most)
     * @param writeMin bytes the server-to-client ring must hold at least (1 MiB at most)
     */
    public static Promise<Vchan> listen(XenPlatform platform, EventChannels channels, XenStore store,
                                        int clientDomain, String path, int readMin, int writeMin) {
        return VchanServer.listen(platform, channels, store, clientDomain, path, readMin, writeMin);
    }

    /**
     * Connects as the client of the vchan that {@code serverDomain} published at xenstore {@code
     * path}, as {@code libxenvchan_client_init}: reads the ring reference and port, maps the
     * pages, binds the event channel and wakes the server. Rejected with {@link VchanException}
     * ({@link VchanException.Reason#BAD_XENSTORE_ENTRY} if nothing valid is published yet, {@link
     * VchanException.Reason#BAD_LAYOUT} if the control page is not a vchan's).
     *
     * @param platform this domain's devices (a grant mapper is opened and owned by the vchan)
     */
    public static Promise<Vchan> connect(XenPlatform platform, EventChannels channels, XenStore store,
                                         int serverDomain, String path) {
        return VchanClient.connect(platform, channels, store, serverDomain, path);
    }

    @Override
    public Promise<Read> read() {
        return flow.read();
    }

    @Override
    public Promise<Void> write(MemorySegment bytes) {
        return flow.write(bytes);
    }

    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        return flow.writev(segments);
    }

    /**
     * As {@link Flow#shutdown}. vchan has no half-close: shutting down writing clears this end's
     * live byte once queued writes are in the ring, which the peer reads as end-of-stream.
     */
    @Override
    public Promise<Void> shutdown(Direction direction) {
        return flow.shutdown(direction);
    }

    /**
     * Closes this end: clears its live byte and notifies, then lets go of its pages and port.
     * Idempotent (a second call returns the first's promise). A client's close completes at once. A
     * server's completes once the client has unmapped its pages (on Linux, at once: gntalloc frees
     * them later); a client that keeps them {@link #UNMAP_BOUND} past the close does not hold it:
     * the server's port is unbound all the same, the pages still mapped are set aside for good
     * (never reused), and the promise is rejected with {@link VchanException.Reason#UNMAP_TIMEOUT}.
     */
    @Override
    public Promise<Void> close() {
        return flow.close();
    }

    /** Why the vchan is broken (the peer broke its ring), or empty while it is intact. */
    public Optional<Throwable> failure() {
        return flow.failure();
    }

    /** Whether the peer is connected: its live byte is 1 (a server's client may not have come yet). */
    public boolean peerConnected() {
        return page.live(role.peerLive()) == VchanPage.LIVE_CONNECTED;
    }

    /** The size of the ring this end reads, in bytes. */
    public int readCapacity() {
        return flow.readCapacity();
    }

    /** The size of the ring this end writes, in bytes. */
    public int writeCapacity() {
        return flow.writeCapacity();
    }

    /** Bytes delivered to reads since the vchan was made. */
    public long bytesRead() {
        return flow.bytesRead();
    }

    /** Bytes moved into the outbound ring since the vchan was made. */
    public long bytesWritten() {
        return flow.bytesWritten();
    }

    /** The event-channel port this end is bound to. */
    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return name;
    }

    /** libxenvchan's notify bits and live bytes, for this end's role. */
    private final class Signals implements PipeFlow.Signals {
        @Override
        public void wantData() {
            page.requestNotify(role.peerNotify(), VchanPage.NOTIFY_WRITE);
        }

        @Override
        public void wantSpace() {
            page.requestNotify(role.peerNotify(), VchanPage.NOTIFY_READ);
        }

        @Override
        public boolean notifyAfterWrite() {
            return page.takeNotifyRequest(role.ownNotify(), VchanPage.NOTIFY_WRITE);
        }

        @Override
        public boolean notifyAfterRead() {
            return page.takeNotifyRequest(role.ownNotify(), VchanPage.NOTIFY_READ);
        }

        @Override
        public Throwable peerGone() {
            // Acquire: bytes the peer wrote before clearing its live byte are visible after this.
            if (page.live(role.peerLive()) != VchanPage.LIVE_GONE) {
                return null;
            }
            return new VchanException(VchanException.Reason.PEER_CLOSED, name + ": the peer closed the vchan");
        }

        @Override
        public void leave() {
            page.setLive(role.ownLive(), VchanPage.LIVE_GONE);
            if (channels.isBound(port)) { // closed channels first: the live byte alone tells the peer
                channels.notify(port);
            }
        }
    }
}
