package dev.weft.xen.blk;

import dev.weft.promise.Promise;
import dev.weft.unix.blocking.BlockingPool;
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
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A software blkback: serves a file as a Xen virtual block device to one frontend, over the
 * frontend's ring, event channel and granted pages. For tests (against the hypervisor model) and
 * for driver domains written in Java.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: the backend's own loop (its xenstore client, event
 * channels and grant mapper). File reads and writes run on a {@link BlockingPool} of that loop,
 * never on the loop thread; granted pages are touched only on the loop thread.
 *
 * <p><b>Handshake.</b> Before InitWait it offers {@code max-ring-page-order} and, if asked,
 * {@code feature-flush-cache}. When the frontend is Initialised it reads {@code frontend-id},
 * {@code ring-ref} (or {@code ring-page-order} and {@code ring-ref0}...), {@code event-channel}
 * and {@code protocol} (absent or {@code "x86_64-abi"}), maps the ring, binds the channel, and
 * writes {@code sectors}, {@code sector-size}, {@code physical-sector-size} and {@code info};
 * then Connected.
 *
 * <p><b>Requests.</b> Reads and writes of whole 512-byte sectors inside the file; a write to a
 * read-only disk, a range past the end, a grant that cannot be mapped or a failed file operation
 * is answered BLKIF_RSP_ERROR; an operation it does not offer, BLKIF_RSP_EOPNOTSUPP. Each segment
 * is mapped for the request and unmapped before the response is sent. A frontend that breaks the
 * ring (an impossible index, more than 11 segments, a bad sector range in a segment) stops the
 * server; it answers nothing more until the next connection.
 */
public final class Blkback implements XenbusDriver {
    private static final int MAX_DOMAIN_ID = 0x7FEF;

    /**
     * What the backend offers.
     *
     * @param readOnly whether the disk is read-only ({@code info} gets VDISK_READONLY)
     * @param sectorSize the sector size it announces (512 to 4096, a power of two)
     * @param maxRingPageOrder the largest ring it accepts, {@code 2^order} pages (0 to 4)
     * @param flushCache whether it offers {@code feature-flush-cache} (an fsync of the file)
     */
    public record Config(boolean readOnly, int sectorSize, int maxRingPageOrder, boolean flushCache) {
        /** Checks the ranges. */
        public Config {
            if (sectorSize < BlkifCodec.SECTOR_BYTES || sectorSize > BlkifCodec.PAGE_BYTES
                    || Integer.bitCount(sectorSize) != 1) {
                throw new IllegalArgumentException("sectorSize " + sectorSize + " is not a power of two in 512..4096");
            }
            if (maxRingPageOrder < 0 || maxRingPageOrder > Blkfront.MAX_RING_PAGE_ORDER) {
                throw new IllegalArgumentException("maxRingPageOrder " + maxRingPageOrder + " is outside 0..4");
            }
        }
    }

    private final EventChannels channels;
    private final GrantMapper mapper;
    private final BlockingPool pool;
    private final FileChannel file;
    private final Config config;
    private final long sectors512;
    private Backend backend;
    private Connection connection;
    private long requests;

    /** One xenbus connection: the mapped ring, the channel and the server. */
    private static final class Connection {
        int frontendDomain;
        MappedPages ring;
        int port = -1;
        RingServer<BlkifRequest, BlkifResponse> server;
        Promise<Void> polling;
        /** Set when the frontend went: requests still being served must not map its grants. */
        boolean closed;
    }

    private Blkback(EventChannels channels, GrantMapper mapper, BlockingPool pool, FileChannel file, Config config,
                    long sectors512) {
        this.channels = channels;
        this.mapper = mapper;
        this.pool = pool;
        this.file = file;
        this.config = config;
        this.sectors512 = sectors512;
    }

    /**
     * Offers {@code file} (whose size, rounded down to whole sectors, is the disk) as the device
     * whose backend directory is {@code path}, and starts following the frontend. The file stays
     * the caller's to close, after the backend stopped.
     */
    public static Promise<Blkback> start(XenStore store, String path, EventChannels channels, GrantMapper mapper,
                                         BlockingPool pool, FileChannel file, Config config) throws IOException {
        long sectors = file.size() / config.sectorSize();
        Blkback blkback = new Blkback(channels, mapper, pool, file, config,
                sectors * (config.sectorSize() / BlkifCodec.SECTOR_BYTES));
        Promise<Void> offers = store.write(path + "/max-ring-page-order", Integer.toString(config.maxRingPageOrder()));
        if (config.flushCache()) {
            offers = offers.flatMap(v -> store.write(path + "/feature-flush-cache", "1"));
        }
        return offers.flatMap(v -> Backend.start(store, path, blkback)).map(backend -> {
            blkback.backend = backend;
            return blkback;
        });
    }

    /** The xenbus end, to watch or drive its state. */
    public Backend backend() {
        return backend;
    }

    /** Requests answered or being answered, over all connections. */
    public long requests() {
        return requests;
    }

    /** Why the current connection's frontend broke the ring, or empty. */
    public Optional<RuntimeException> failure() {
        return connection == null || connection.server == null ? Optional.empty()
                : connection.server.failure().map(broken -> broken);
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

    // ---------------------------------------------------------------- xenbus

    /** Not for callers: xenbus calls it when the frontend is Initialised. */
    @Override
    public Promise<Void> connect(XenbusEnd end) {
        XenStore store = end.store();
        String front = end.otherPath();
        Connection attempt = new Connection();
        return Promise.all(List.of(store.read(end.path() + "/frontend-id"),
                        XenbusNodes.readOptional(store, front + "/ring-page-order", "0"),
                        store.read(front + "/event-channel"),
                        XenbusNodes.readOptional(store, front + "/protocol", BlkifCodec.PROTOCOL)))
                .flatMap(values -> XenbusNodes.parsed(() -> {
                    attempt.frontendDomain = (int) Nodes.decimal(end.path() + "/frontend-id", values.get(0), 0, MAX_DOMAIN_ID);
                    int order = (int) Nodes.decimal(front + "/ring-page-order", values.get(1), 0, config.maxRingPageOrder());
                    int port = (int) Nodes.decimal(front + "/event-channel", values.get(2), 1, Integer.MAX_VALUE);
                    if (!values.get(3).equals(BlkifCodec.PROTOCOL)) {
                        throw new BlockDeviceException(BlockDeviceException.Reason.UNSUPPORTED,
                                front + "/protocol = \"" + values.get(3) + "\"; only " + BlkifCodec.PROTOCOL + " is served");
                    }
                    return ringRefs(store, front, order).flatMap(refs -> serve(end, attempt, refs, port));
                }))
                .recover(failure -> {
                    release(attempt);
                    return Promise.rejected(failure);
                });
    }

    private static Promise<List<GrantRef>> ringRefs(XenStore store, String front, int order) {
        if (order == 0) {
            return store.read(front + "/ring-ref").flatMap(ref -> XenbusNodes.parsed(() -> Promise.of(List.of(grefOf(front + "/ring-ref", ref)))));
        }
        List<Promise<GrantRef>> refs = new ArrayList<>();
        for (int page = 0; page < 1 << order; page++) {
            String node = front + "/ring-ref" + page;
            refs.add(store.read(node).flatMap(ref -> XenbusNodes.parsed(() -> Promise.of(grefOf(node, ref)))));
        }
        return Promise.all(refs);
    }

    private static GrantRef grefOf(String node, String value) throws BlockDeviceException {
        return new GrantRef((int) Nodes.decimal(node, value, 0, 0xFFFF_FFFFL));
    }

    /** Maps the ring, binds the channel, starts serving, and publishes the disk's geometry. */
    private Promise<Void> serve(XenbusEnd end, Connection attempt, List<GrantRef> refs, int remotePort) {
        attempt.ring = mapper.map(attempt.frontendDomain, refs, true);
        SharedRing ring = SharedRing.over(attempt.ring.memory(), BlkifCodec.INSTANCE.entrySize());
        attempt.port = channels.bindInterdomain(attempt.frontendDomain, remotePort);
        int port = attempt.port;
        attempt.server = new RingServer<>(ring.back(), BlkifCodec.INSTANCE, request -> handle(attempt, request),
                (request, failure) -> new BlkifResponse(request.operation(), BlkifCodec.STATUS_ERROR),
                () -> channels.notify(port));
        attempt.polling = attempt.server.pollOnEvents(channels, port);
        connection = attempt;
        XenStore store = end.store();
        String dir = end.path();
        int sectorSize = config.sectorSize();
        return store.write(dir + "/sector-size", Integer.toString(sectorSize))
                .flatMap(v -> store.write(dir + "/physical-sector-size", Integer.toString(sectorSize)))
                .flatMap(v -> store.write(dir + "/sectors", Long.toString(sectors512 / (sectorSize / BlkifCodec.SECTOR_BYTES))))
                .flatMap(v -> store.write(dir + "/info", Integer.toString(config.readOnly() ? BlkifCodec.VDISK_READONLY : 0)));
    }

    /** Not for callers: xenbus calls it when the device closes. */
    @Override
    public Promise<Void> disconnect(XenbusEnd end) {
        Connection closing = connection;
        connection = null;
        if (closing != null) {
            release(closing);
        }
        return Promise.unit();
    }

    private void release(Connection closing) {
        closing.closed = true;
        if (closing.server != null) {
            closing.server.close(); // before the unmap: file I/O under way answers into nothing
        }
        if (closing.polling != null) {
            closing.polling.cancel();
        }
        if (closing.port >= 0 && channels.isBound(closing.port)) { // closed channels unbound it already
            channels.unbind(closing.port);
        }
        if (closing.ring != null) {
            closing.ring.close();
        }
    }

    // ---------------------------------------------------------------- requests

    private Promise<BlkifResponse> handle(Connection serving, BlkifRequest request) {
        requests++;
        return switch (request.operation()) {
            case BlkifCodec.OP_READ -> read(serving, request);
            case BlkifCodec.OP_WRITE -> config.readOnly() ? answer(request, BlkifCodec.STATUS_ERROR)
                    : write(serving.frontendDomain, request);
            case BlkifCodec.OP_FLUSH_DISKCACHE -> config.flushCache()
                    ? pool.detach(() -> {
                        file.force(true);
                        return new BlkifResponse(request.operation(), BlkifCodec.STATUS_OKAY);
                    })
                    : answer(request, BlkifCodec.STATUS_EOPNOTSUPP);
            default -> answer(request, BlkifCodec.STATUS_EOPNOTSUPP);
        };
    }

    private static Promise<BlkifResponse> answer(BlkifRequest request, int status) {
        return Promise.of(new BlkifResponse(request.operation(), status));
    }

    /** Whether the request's sectors lie inside the disk. */
    private boolean inRange(BlkifRequest request) {
        long first = request.sectorNumber();
        long count = request.bytes() / BlkifCodec.SECTOR_BYTES;
        return !request.segments().isEmpty() && first >= 0 && first <= sectors512 - count;
    }

    private Promise<BlkifResponse> read(Connection serving, BlkifRequest request) {
        if (!inRange(request)) {
            return answer(request, BlkifCodec.STATUS_ERROR);
        }
        byte[] data = new byte[request.bytes()];
        long position = request.sectorNumber() * BlkifCodec.SECTOR_BYTES;
        return pool.detach(() -> {
            readFully(data, position);
            return data;
        }).map(read -> {
            if (serving.closed) {
                // The frontend went while the file was read: its grants may name other pages now.
                return new BlkifResponse(request.operation(), BlkifCodec.STATUS_ERROR);
            }
            int done = 0;
            for (BlkifRequest.Segment segment : request.segments()) {
                try (MappedPages page = mapper.map(serving.frontendDomain, List.of(segment.gref()), true)) {
                    MemorySegment.copy(MemorySegment.ofArray(read), done, page.memory(),
                            (long) segment.firstSect() * BlkifCodec.SECTOR_BYTES, segment.bytes());
                }
                done += segment.bytes();
            }
            return new BlkifResponse(request.operation(), BlkifCodec.STATUS_OKAY);
        });
    }

    private Promise<BlkifResponse> write(int frontendDomain, BlkifRequest request) {
        if (!inRange(request)) {
            return answer(request, BlkifCodec.STATUS_ERROR);
        }
        byte[] data = new byte[request.bytes()];
        int done = 0;
        for (BlkifRequest.Segment segment : request.segments()) {
            try (MappedPages page = mapper.map(frontendDomain, List.of(segment.gref()), false)) {
                MemorySegment.copy(page.memory(), (long) segment.firstSect() * BlkifCodec.SECTOR_BYTES,
                        MemorySegment.ofArray(data), done, segment.bytes());
            }
            done += segment.bytes();
        }
        long position = request.sectorNumber() * BlkifCodec.SECTOR_BYTES;
        return pool.detach(() -> {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            long at = position;
            while (buffer.hasRemaining()) {
                at += file.write(buffer, at);
            }
            return new BlkifResponse(request.operation(), BlkifCodec.STATUS_OKAY);
        });
    }

    private void readFully(byte[] data, long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        long at = position;
        while (buffer.hasRemaining()) {
            int read = file.read(buffer, at);
            if (read < 0) {
                throw new IOException("the file ended at byte " + at);
            }
            at += read;
        }
    }
}
