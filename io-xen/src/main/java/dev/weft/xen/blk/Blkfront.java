package dev.weft.xen.blk;

import dev.weft.loop.device.Block;
import dev.weft.promise.Promise;
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
import dev.weft.xen.ring.RingBroken;
import dev.weft.xen.ring.RingClient;
import dev.weft.xen.ring.SharedRing;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * A Xen virtual block device seen from the guest: the frontend of a {@code vbd} as a {@link
 * Block}. It connects through xenbus, publishes its ring and event channel, reads the disk's
 * geometry from the backend, and turns reads and writes into blkif requests.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: the loop of its xenstore client, event channels and
 * grant allocator. The backend runs in another domain (in tests, on another loop).
 *
 * <p><b>Handshake.</b> When the backend reaches InitWait the frontend reads {@code
 * max-ring-page-order} (absent means 0), shares a ring of {@code 2^order} pages (the smaller of
 * that and {@link Config#ringPageOrder()}), binds an event channel to the backend's domain
 * ({@code backend-id}), and writes {@code ring-ref} (or {@code ring-page-order} and {@code
 * ring-ref0}...), {@code event-channel} and {@code protocol} ({@code "x86_64-abi"}); then
 * Initialised. Once both ends are Connected it reads {@code sectors}, {@code sector-size}, {@code
 * physical-sector-size}, {@code info} and {@code mode} (read-only if {@code info} has
 * VDISK_READONLY or {@code mode} is {@code "r"}) and the {@code feature-flush-cache}, {@code
 * feature-barrier} and {@code feature-persistent} flags. Every value is parsed and range-checked;
 * one that makes no sense fails the connection ({@link BlockDeviceException.Reason#BROKEN}).
 *
 * <p><b>I/O.</b> Sector numbers on the ring are always in 512-byte units whatever {@code
 * sector-size} says. A transfer larger than one request (11 pages, 44 KiB) is split into several
 * requests sent together; the promise resolves when all are answered. Each request's pages are
 * shared with the backend for that request only (zeroed when shared) and their grant is ended
 * when it is answered; a grant the backend will not give back is never reused ({@link
 * #unreusablePages()}). A write is durable to the degree the backend's disk is; {@link #flush()}
 * asks for more when the backend offers it. Persistent grants and indirect requests are not used.
 * An operation's promise cannot be cancelled: a request on the ring cannot be taken back, so
 * cancelling is ignored and the operation runs to its end (a read still fills its buffers, which
 * the caller must not reuse until then).
 *
 * <p><b>Failures</b> are {@link BlockDeviceException}s with a reason. A backend that breaks the
 * protocol (an impossible ring index, an unknown response id, an unknown operation or status, a
 * response for another operation, a grant kept after answering) marks the device broken: every
 * outstanding and later operation fails with BROKEN, nothing escapes into the loop, until the
 * backend reconnects. While disconnected (between a reconnection's Closing and the next
 * Connected) operations fail with DISCONNECTED.
 */
public final class Blkfront implements Block, XenbusDriver {
    /** The largest ring Xen's blkif allows: 2^4 = 16 pages. */
    public static final int MAX_RING_PAGE_ORDER = 4;
    private static final int MAX_DOMAIN_ID = 0x7FEF;

    /**
     * How the frontend connects.
     *
     * @param ringPageOrder the ring size it asks for, as a power of two of pages (0 to 4); it gets
     *     no more than the backend's {@code max-ring-page-order}
     */
    public record Config(int ringPageOrder) {
        /** One-page ring. */
        public static final Config DEFAULT = new Config(0);

        /** Checks the order is 0 to {@link #MAX_RING_PAGE_ORDER}. */
        public Config {
            if (ringPageOrder < 0 || ringPageOrder > MAX_RING_PAGE_ORDER) {
                throw new IllegalArgumentException("ringPageOrder " + ringPageOrder + " is outside 0.."
                        + MAX_RING_PAGE_ORDER);
            }
        }
    }

    /**
     * What the backend offers and what the connection uses.
     *
     * @param flushCache {@code feature-flush-cache}: {@link #flush()} sends BLKIF_OP_FLUSH_DISKCACHE
     * @param barrier {@code feature-barrier}: {@link #flush()} sends BLKIF_OP_WRITE_BARRIER if
     *     there is no cache flush
     * @param persistent {@code feature-persistent} (read, not used)
     * @param physicalSectorSize the disk's physical sector size in bytes
     * @param ringPageOrder the ring in use, {@code 2^order} pages
     */
    public record Features(boolean flushCache, boolean barrier, boolean persistent, int physicalSectorSize,
                           int ringPageOrder) {}

    private final EventChannels channels;
    private final GrantAllocator grants;
    private final Config config;
    private final int handle;
    private final UnendedGrants unreusable = new UnendedGrants();
    private final ConnectionWaiters connectionWaiters = new ConnectionWaiters(() -> new BlockDeviceException(
            BlockDeviceException.Reason.DISCONNECTED, "the device was closed before it connected"));
    private Promise<Void> reclaiming = Promise.unit();
    private Frontend frontend;
    private Connection connection;
    private long connections;
    private Info info;

    /** One xenbus connection: the ring, its channel, and the request engine once the disk is known. */
    private static final class Connection {
        final long number;
        SharedPages ringPages;
        int backendDomain;
        int port = -1;
        RingClient<BlkifRequest, BlkifResponse> client;
        Promise<Void> polling;
        BlkRing ring;

        Connection(long number) {
            this.number = number;
        }
    }

    private Blkfront(EventChannels channels, GrantAllocator grants, Config config, int handle) {
        this.channels = channels;
        this.grants = grants;
        this.config = config;
        this.handle = handle;
    }

    /**
     * Starts the frontend whose directory is {@code path} (for example {@code
     * /local/domain/5/device/vbd/51712}, whose {@code backend} and {@code backend-id} nodes the
     * toolstack wrote) and fulfils once the device is connected and its geometry known. Rejected
     * if xenstore fails or the backend's values make no sense; the device is then given up before
     * the rejection (its channel unbound, its grants ended, its watch removed). A backend that
     * never connects keeps it pending: cancelling it (a caller that stops waiting) closes the
     * device as {@link #disconnect()} does.
     * A cancel that comes during the first xenstore steps (reading the backend's path, writing
     * the frontend's first state, setting the watch) stops them there instead: no grant, port or
     * watch is taken yet, but the frontend's state node stays as those steps left it
     * (Initialising), for the toolstack to clean up; a known limitation.
     */
    public static Promise<Blkfront> start(XenStore store, String path, EventChannels channels, GrantAllocator grants,
                                          Config config) {
        Blkfront blkfront = new Blkfront(channels, grants, config, handleOf(path));
        return Frontend.start(store, path, blkfront).flatMap(frontend -> {
            blkfront.frontend = frontend;
            blkfront.connectionWaiters.endWhenStopped(frontend, () -> blkfront.reclaiming);
            blkfront.connectionWaiters.giveUpOnCancel(() -> Promise.dontWait(blkfront::disconnect, failure -> {
                // nobody waits for the device any more: it is released however the closing ends
            }));
            return blkfront.connectionWaiters.first();
        }).map(v -> blkfront);
    }

    /** The virtual device number: the last element of the path, 0 if it is not a u16. */
    private static int handleOf(String path) {
        try {
            int handle = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            return handle >= 0 && handle <= 0xFFFF ? handle : 0;
        } catch (NumberFormatException notANumber) {
            return 0;
        }
    }

    /** {@inheritDoc} The geometry read at the last connection (kept while reconnecting). */
    @Override
    public Info info() {
        return info;
    }

    /** What the backend offers; empty while disconnected. */
    public Optional<Features> features() {
        BlkRing ring = ring();
        return ring == null ? Optional.empty() : Optional.of(ring.features());
    }

    @Override
    public Promise<Void> read(long startSector, List<MemorySegment> buffers) {
        BlkRing ring = ring();
        return ring == null ? notConnected() : ring.read(startSector, buffers);
    }

    /** {@inheritDoc} A read-only device rejects with {@link BlockDeviceException.Reason#READ_ONLY}. */
    @Override
    public Promise<Void> write(long startSector, List<MemorySegment> buffers) {
        BlkRing ring = ring();
        return ring == null ? notConnected() : ring.write(startSector, buffers);
    }

    /**
     * Makes every write completed so far durable: BLKIF_OP_FLUSH_DISKCACHE if the backend offers
     * {@code feature-flush-cache}, else BLKIF_OP_WRITE_BARRIER if it offers {@code feature-barrier};
     * rejected with UNSUPPORTED if it offers neither.
     */
    public Promise<Void> flush() {
        BlkRing ring = ring();
        return ring == null ? notConnected() : ring.flush();
    }

    /**
     * Closes the device for good through xenbus; outstanding operations fail with DISCONNECTED.
     * Fulfilled once the frontend stopped and every grant the backend gave back was ended (those
     * it still maps when it is Closed stay {@link #unreusablePages()}). The backend gets {@link
     * XenbusEnd#CLOSE_BOUND} (5 s, on the xenstore client's time) to close; one that stays
     * Connected longer does not hold the caller: the device is released on this side all the same
     * (operations failed, port unbound, grants ended, or set aside once the reclaim bound passed),
     * Closed is published, and the promise is rejected with {@link
     * BlockDeviceException.Reason#CLOSE_TIMEOUT}. If xenbus cannot close (xenstore failed), the
     * device is released the same way and the promise is rejected with xenstore's failure.
     */
    @Override
    public Promise<Void> disconnect() {
        return frontend.close(XenbusEnd.CLOSE_BOUND).recover(failure -> {
            // xenbus could not close (xenstore failed, or the backend would not): this side lets go all the
            // same, unless the end's failure already made the driver disconnect (and start reclaiming).
            if (connection != null) {
                disconnect(frontend);
            }
            return reclaiming.recover(ignored -> Promise.unit()).flatMap(v -> Promise.rejected(closeFailure(failure)));
        }).flatMap(v -> reclaiming);
    }

    private static Throwable closeFailure(Throwable failure) {
        return failure instanceof XenbusCloseTimeoutException ? new BlockDeviceException(
                BlockDeviceException.Reason.CLOSE_TIMEOUT, failure.getMessage(), failure) : failure;
    }

    /**
     * Fulfilled once the device is connected and its geometry read: at once if it is now, else at
     * the next connection (after a reconnection, say). Rejected if the device stops first (closed,
     * or the backend refused).
     */
    public Promise<Void> whenConnected() {
        if (ring() != null) {
            return Promise.unit();
        }
        return connectionWaiters.next();
    }

    /** Why the device is broken, or empty while it works (or is disconnected). */
    public Optional<BlockDeviceException> broken() {
        BlkRing ring = ring();
        return ring == null ? Optional.empty() : Optional.ofNullable(ring.refusal());
    }

    /** The xenbus end, to watch its state. */
    public Frontend frontend() {
        return frontend;
    }

    /** How many times the device connected. */
    public long connections() {
        return connections;
    }

    /** Pages the backend kept mapped after it answered or disconnected: never reused, never freed. */
    public int unreusablePages() {
        return unreusable.pages();
    }

    private BlkRing ring() {
        return connection == null ? null : connection.ring;
    }

    private static <T> Promise<T> notConnected() {
        return Promise.rejected(new BlockDeviceException(BlockDeviceException.Reason.DISCONNECTED,
                "the device is not connected"));
    }

    // ---------------------------------------------------------------- xenbus

    /** Not for callers: xenbus calls it when the backend is ready for the ring. */
    @Override
    public Promise<Void> connect(XenbusEnd end) {
        Connection attempt = new Connection(++connections);
        XenStore store = end.store();
        return store.read(end.path() + "/backend-id")
                .flatMap(id -> XenbusNodes.parsed(() -> {
                    attempt.backendDomain = (int) Nodes.decimal(end.path() + "/backend-id", id, 0, MAX_DOMAIN_ID);
                    return XenbusNodes.readOptional(store, end.otherPath() + "/max-ring-page-order", "0");
                }))
                .flatMap(max -> XenbusNodes.parsed(() -> {
                    int offered = (int) Nodes.decimal(end.otherPath() + "/max-ring-page-order", max, 0, Integer.MAX_VALUE);
                    return publishRing(end, attempt, Math.min(config.ringPageOrder(), offered));
                }))
                .map(v -> {
                    connection = attempt;
                    attempt.polling = attempt.client.pollOnEvents(channels, attempt.port);
                    end.reach(XenbusState.CONNECTED).flatMap(w -> readDisk(end, attempt)).onFailure(failure -> {
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

    /** Shares and initialises the ring, binds the channel, and writes them for the backend. */
    private Promise<Void> publishRing(XenbusEnd end, Connection attempt, int order) {
        attempt.ringPages = grants.share(attempt.backendDomain, 1 << order, true);
        SharedRing ring = SharedRing.over(attempt.ringPages.memory(), BlkifCodec.INSTANCE.entrySize()).initialise(0);
        attempt.port = channels.bindUnbound(attempt.backendDomain);
        int port = attempt.port;
        attempt.client = new RingClient<>(ring.front(), BlkifCodec.INSTANCE, () -> channels.notify(port));
        XenStore store = end.store();
        String dir = end.path();
        Promise<Void> refs;
        if (order == 0) {
            refs = store.write(dir + "/ring-ref", refText(attempt, 0));
        } else {
            refs = store.write(dir + "/ring-page-order", Integer.toString(order));
            for (int page = 0; page < 1 << order; page++) {
                int index = page;
                refs = refs.flatMap(v -> store.write(dir + "/ring-ref" + index, refText(attempt, index)));
            }
        }
        return refs.flatMap(v -> store.write(dir + "/event-channel", Integer.toString(port)))
                .flatMap(v -> store.write(dir + "/protocol", BlkifCodec.PROTOCOL));
    }

    private static String refText(Connection attempt, int page) {
        return Integer.toUnsignedString(attempt.ringPages.refs().get(page).value());
    }

    /** Reads the disk's geometry and features once both ends are Connected; then the device works. */
    private Promise<Void> readDisk(XenbusEnd end, Connection attempt) {
        XenStore store = end.store();
        String dir = end.otherPath();
        return Promise.all(List.of(store.read(dir + "/sectors"), store.read(dir + "/sector-size"),
                XenbusNodes.readOptional(store, dir + "/physical-sector-size", "0"),
                XenbusNodes.readOptional(store, dir + "/info", "0"), XenbusNodes.readOptional(store, dir + "/mode", "w"),
                XenbusNodes.readOptional(store, dir + "/feature-flush-cache", "0"),
                XenbusNodes.readOptional(store, dir + "/feature-barrier", "0"),
                XenbusNodes.readOptional(store, dir + "/feature-persistent", "0"))).flatMap(values -> XenbusNodes.parsed(() -> {
                    if (connection != attempt) { // disconnected meanwhile
                        return Promise.unit();
                    }
                    int sectorSize = powerOfTwo(dir + "/sector-size", values.get(1), BlkifCodec.SECTOR_BYTES,
                            BlkifCodec.PAGE_BYTES);
                    long sectors = Nodes.decimal(dir + "/sectors", values.get(0), 0, Long.MAX_VALUE / sectorSize);
                    int physical = values.get(2).trim().equals("0") ? sectorSize
                            : powerOfTwo(dir + "/physical-sector-size", values.get(2), sectorSize, 1 << 20);
                    long vdisk = Nodes.decimal(dir + "/info", values.get(3), 0, 0xFFFF_FFFFL);
                    boolean readOnly = (vdisk & BlkifCodec.VDISK_READONLY) != 0 || values.get(4).trim().startsWith("r");
                    Features features = new Features(Nodes.flag(values.get(5)), Nodes.flag(values.get(6)),
                            Nodes.flag(values.get(7)), physical, Integer.numberOfTrailingZeros(attempt.ringPages.refs().size()));
                    this.info = new Info(!readOnly, sectorSize, sectors);
                    attempt.ring = new BlkRing(attempt.client, grants, attempt.backendDomain, handle, info, features,
                            unreusable);
                    attempt.polling.onFailure(failure -> {
                        if (failure instanceof RingBroken) {
                            attempt.ring.markBroken(failure);
                        }
                    });
                    connectionWaiters.connected();
                    return Promise.unit();
                }));
    }

    private static int powerOfTwo(String path, String value, int min, int max) throws BlockDeviceException {
        long parsed = Nodes.decimal(path, value, min, max);
        if (Long.bitCount(parsed) != 1) {
            throw new BlockDeviceException(BlockDeviceException.Reason.BROKEN, path + " = " + parsed
                    + " is not a power of two");
        }
        return (int) parsed;
    }

    /** Not for callers: xenbus calls it when the device closes. Fails outstanding operations. */
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

    /** Stops the connection's polling, fails its operations, unbinds its channel and ends its ring's grant. */
    private void release(Connection closing) {
        if (closing.polling != null) {
            closing.polling.cancel();
        }
        if (closing.ring != null) {
            closing.ring.close();
        }
        if (closing.port >= 0 && channels.isBound(closing.port)) { // closed channels unbound it already
            channels.unbind(closing.port);
        }
        if (closing.ringPages != null) {
            unreusable.end(closing.ringPages);
        }
    }
}
