package dev.weft.xen.vchan;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.XenPlatform;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.ring.RingBroken;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
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
 * notifies the event channel only if the bit was set. Waiting itself is level-style on the port's
 * counter ({@link EventChannels#after}), read before the ring is looked at, so an event between
 * the look and the wait is never lost. An event is only a reason to look again.
 *
 * <p>One service routine does all the work: move queued writes into the outbound ring as far as
 * it has room, satisfy a pending read from the inbound ring, and, if either still waits, wait for
 * the next event and run again. It runs when the application calls and after each event; with
 * nothing pending the vchan does not wait and costs nothing.
 *
 * <p>Closing: an end clears its live byte and notifies. The peer reads what is left in its ring,
 * then end-of-stream; its pending and later writes fail with {@link VchanException.Reason#PEER_CLOSED}.
 * Unmap notifications (server: its live byte cleared when the control grant ends; client: its
 * live byte cleared when its mapping goes, even if the process dies) make a dead peer look closed.
 * vchan has no half-close: {@code shutdown(WRITE)} clears the live byte once queued writes are in
 * the ring, so the peer sees end-of-stream, and a libxenvchan peer then stops writing too.
 */
public final class Vchan implements Flow {
    private static final int READ_BUFFER_MAX = 64 * 1024;

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
    private final BytePipe pipe;
    private final EventChannels channels;
    private final int port;
    private final Supplier<Promise<Void>> release;
    private final MemorySegment readBuffer;
    private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
    private Resolver<Read> pendingRead;
    private Resolver<Void> pendingShutdown;
    private Promise<Long> waiting;
    private Throwable failure;
    private boolean readShut;
    private boolean writeShut;
    private Promise<Void> closing;
    private long bytesRead;
    private long bytesWritten;

    Vchan(String name, Role role, VchanPage page, BytePipe pipe, EventChannels channels, int port,
          Supplier<Promise<Void>> release) {
        this.name = name;
        this.role = role;
        this.page = page;
        this.pipe = pipe;
        this.channels = channels;
        this.port = port;
        this.release = release;
        this.readBuffer = MemorySegment.ofArray(new byte[Math.min(pipe.inboundCapacity(), READ_BUFFER_MAX)]);
    }

    /**
     * Listens as the server of a vchan to {@code clientDomain} at xenstore {@code path}, as
     * {@code libxenvchan_server_init}: shares a control page (and the rings' pages if they do not
     * fit in it), binds an unbound event channel, and writes {@code <path>/ring-ref} and {@code
     * <path>/event-channel}, readable by the client's domain only. Fulfilled once published; the
     * client may connect at any time after (writes before that wait in the ring).
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

    // ------------------------------------------------------------------ Flow

    @Override
    public Promise<Read> read() {
        if (closing != null) {
            return Promise.rejected(new ClosedChannelException());
        }
        if (failure != null) {
            return Promise.rejected(failure);
        }
        if (pendingRead != null) {
            return Promise.rejected(new IllegalStateException(name + ": a read is already pending"));
        }
        if (readShut) {
            return Promise.of(END_OF_STREAM);
        }
        Resolver<Read> read = Promise.task();
        pendingRead = read;
        read.promise().onCancel(() -> pendingRead = null);
        service();
        return read.promise();
    }

    @Override
    public Promise<Void> write(MemorySegment bytes) {
        return writev(List.of(bytes));
    }

    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        if (closing != null || writeShut) {
            return Promise.rejected(new ClosedChannelException());
        }
        if (failure != null) {
            return Promise.rejected(failure);
        }
        Resolver<Void> written = Promise.pending();
        writes.add(new PendingWrite(List.copyOf(segments), written));
        service();
        return written.promise();
    }

    @Override
    public Promise<Void> shutdown(Direction direction) {
        if (closing != null) {
            return Promise.unit();
        }
        if (direction != Direction.WRITE) {
            readShut = true;
            endPendingRead();
        }
        if (direction == Direction.READ || writeShut) {
            return pendingShutdown == null ? Promise.unit() : pendingShutdown.promise();
        }
        writeShut = true;
        pendingShutdown = Promise.pending();
        Promise<Void> done = pendingShutdown.promise();
        service();
        if (writes.isEmpty() || failure != null) {
            leave();
        }
        return done;
    }

    @Override
    public Promise<Void> close() {
        if (closing != null) {
            return closing;
        }
        failAll(new ClosedChannelException());
        stopWaiting();
        leave();
        closing = release.get();
        return closing;
    }

    // ------------------------------------------------------------------ inspection

    /** Why the vchan is broken (the peer broke its ring), or empty while it is intact. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Whether the peer is connected: its live byte is 1 (a server's client may not have come yet). */
    public boolean peerConnected() {
        return page.live(role.peerLive()) == VchanPage.LIVE_CONNECTED;
    }

    /** The size of the ring this end reads, in bytes. */
    public int readCapacity() {
        return pipe.inboundCapacity();
    }

    /** The size of the ring this end writes, in bytes. */
    public int writeCapacity() {
        return pipe.outboundCapacity();
    }

    /** Bytes delivered to reads since the vchan was made. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes moved into the outbound ring since the vchan was made. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** The event-channel port this end is bound to. */
    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------ the service routine

    /** Does all the work there is, then waits for an event if something is still pending. */
    private void service() {
        if (closing != null || failure != null) {
            return;
        }
        long seen = channels.counter(port);
        try {
            while (moveWrites() | fillRead()) {
                // each pass may free space or bring data for the other
            }
        } catch (RingBroken broken) {
            breakDown(broken);
            return;
        }
        if (pendingShutdown != null && writes.isEmpty() && pendingShutdown.promise().isPending()) {
            leave();
        }
        if ((pendingRead != null || !writes.isEmpty()) && waiting == null) {
            waiting = channels.after(port, seen);
            waiting.onAny(now -> {
                waiting = null;
                service();
            }, failed -> {
                // Cancelled is our own doing (close, or breaking down); anything else is the port
                // going away under us.
                if (!(failed instanceof Cancelled)) {
                    waiting = null;
                    if (closing == null && failure == null) {
                        breakDown(failed);
                    }
                }
            });
        }
    }

    /** Moves queued writes into the ring as far as it has room; true if any byte moved. */
    private boolean moveWrites() {
        if (writes.isEmpty()) {
            return false;
        }
        if (page.live(role.peerLive()) == VchanPage.LIVE_GONE) {
            failWrites(new VchanException(VchanException.Reason.PEER_CLOSED,
                    name + ": the peer closed the vchan with " + writes.size() + " write(s) unsent"));
            return false;
        }
        long moved = 0;
        while (!writes.isEmpty()) {
            PendingWrite head = writes.peek();
            int n = head.moveInto(pipe);
            if (n == 0) {
                page.requestNotify(role.peerNotify(), VchanPage.NOTIFY_READ);
                n = head.moveInto(pipe);
                if (n == 0) {
                    break;
                }
            }
            moved += n;
            if (head.done()) {
                writes.poll();
                head.written.resolve(null);
            }
        }
        if (moved > 0) {
            bytesWritten += moved;
            signal(VchanPage.NOTIFY_WRITE);
        }
        return moved > 0;
    }

    /** Satisfies a pending read from the ring, or with end-of-stream; true if it was satisfied. */
    private boolean fillRead() {
        if (pendingRead == null) {
            return false;
        }
        // The live byte first: bytes the peer wrote before leaving are then visible below.
        int peerLive = page.live(role.peerLive());
        int n = pipe.read(readBuffer);
        if (n == 0 && peerLive != VchanPage.LIVE_GONE) {
            page.requestNotify(role.peerNotify(), VchanPage.NOTIFY_WRITE);
            n = pipe.read(readBuffer);
        }
        if (n > 0) {
            bytesRead += n;
            signal(VchanPage.NOTIFY_READ);
            Resolver<Read> read = pendingRead;
            pendingRead = null;
            read.resolve(new Data(readBuffer.asSlice(0, n)));
            return true;
        }
        if (peerLive == VchanPage.LIVE_GONE) {
            endPendingRead();
            return true;
        }
        return false;
    }

    /** Notifies the peer if it asked to hear about {@code bit}. */
    private void signal(int bit) {
        if (page.takeNotifyRequest(role.ownNotify(), bit)) {
            channels.notify(port);
        }
    }

    /** Clears our live byte and tells the peer: it sees end-of-stream. Once. */
    private void leave() {
        if (page.live(role.ownLive()) != VchanPage.LIVE_GONE) {
            page.setLive(role.ownLive(), VchanPage.LIVE_GONE);
            channels.notify(port);
        }
        if (pendingShutdown != null && pendingShutdown.promise().isPending()) {
            pendingShutdown.resolve(null);
        }
    }

    private void breakDown(Throwable cause) {
        failure = cause;
        failAll(cause);
        stopWaiting();
    }

    private void failAll(Throwable cause) {
        Resolver<Read> read = pendingRead;
        pendingRead = null;
        if (read != null) {
            read.reject(cause);
        }
        failWrites(cause);
    }

    private void failWrites(Throwable cause) {
        while (!writes.isEmpty()) {
            writes.poll().written.reject(cause);
        }
        if (pendingShutdown != null && pendingShutdown.promise().isPending()) {
            pendingShutdown.resolve(null);
        }
    }

    private void endPendingRead() {
        Resolver<Read> read = pendingRead;
        pendingRead = null;
        if (read != null) {
            read.resolve(END_OF_STREAM);
        }
    }

    private void stopWaiting() {
        Promise<Long> wait = waiting;
        waiting = null;
        if (wait != null) {
            wait.cancel();
        }
    }

    /** A write not yet wholly in the ring: its segments and how far it got. */
    private static final class PendingWrite {
        private final List<MemorySegment> segments;
        final Resolver<Void> written;
        private int segment;
        private long offset;

        PendingWrite(List<MemorySegment> segments, Resolver<Void> written) {
            this.segments = segments;
            this.written = written;
            skipEmpty();
        }

        /** Copies as much as fits; returns how many bytes. */
        int moveInto(BytePipe pipe) {
            int moved = 0;
            while (!done()) {
                MemorySegment current = segments.get(segment);
                int n = pipe.write(current.asSlice(offset));
                if (n == 0) {
                    break;
                }
                moved += n;
                offset += n;
                skipEmpty();
            }
            return moved;
        }

        boolean done() {
            return segment == segments.size();
        }

        private void skipEmpty() {
            while (segment < segments.size() && offset == segments.get(segment).byteSize()) {
                segment++;
                offset = 0;
            }
        }
    }
}
