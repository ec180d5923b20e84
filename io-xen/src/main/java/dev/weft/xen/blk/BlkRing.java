package dev.weft.xen.blk;

import dev.weft.loop.device.Block;
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
 * One connection's worth of blkfront: turns sector reads and writes into blkif requests on a ring
 * client, granting each request's pages to the backend, and checks each response against its
 * request. Blkfront makes one per connection.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 *
 * <p>A transfer larger than one request (11 pages, 44 KiB) is split into several, sent together.
 * Each request's pages are freshly shared (zeroed) and their grant ended when its response comes:
 * only then is a read's data copied out (before the end, which frees the pages). A grant the
 * backend still maps after answering cannot be ended: its pages are kept aside, never reused
 * (in the list the device keeps for all its connections), and the device is marked broken, as Linux's hardened blkfront
 * does. A response whose operation is not its request's also marks the device broken. A broken
 * device, or a closed one, fails every later operation at once.
 */
final class BlkRing {
    /** The most bytes one request moves. */
    static final int MAX_REQUEST_BYTES = BlkifCodec.MAX_SEGMENTS * BlkifCodec.PAGE_BYTES;

    private final RingClient<BlkifRequest, BlkifResponse> client;
    private final GrantAllocator grants;
    private final int backendDomain;
    private final int handle;
    private final Block.Info info;
    private final Blkfront.Features features;
    private final Set<Transfer> outstanding = new LinkedHashSet<>();
    private final UnendedGrants unreusable;
    private BlockDeviceException broken;
    private BlockDeviceException closed;

    /** One request in flight: its pages and the promise its caller holds. */
    private record Transfer(BlkifRequest request, SharedPages pages, Resolver<Void> resolver) {}

    BlkRing(RingClient<BlkifRequest, BlkifResponse> client, GrantAllocator grants, int backendDomain, int handle,
            Block.Info info, Blkfront.Features features, UnendedGrants unreusable) {
        this.unreusable = unreusable;
        this.client = client;
        this.grants = grants;
        this.backendDomain = backendDomain;
        this.handle = handle;
        this.info = info;
        this.features = features;
    }

    Block.Info info() {
        return info;
    }

    Blkfront.Features features() {
        return features;
    }

    RingClient<BlkifRequest, BlkifResponse> client() {
        return client;
    }

    Promise<Void> read(long startSector, List<MemorySegment> buffers) {
        return transfer(BlkifCodec.OP_READ, startSector, buffers);
    }

    Promise<Void> write(long startSector, List<MemorySegment> buffers) {
        if (!info.readWrite()) {
            return Promise.rejected(new BlockDeviceException(BlockDeviceException.Reason.READ_ONLY,
                    "the backend offers this device read-only"));
        }
        return transfer(BlkifCodec.OP_WRITE, startSector, buffers);
    }

    /** A cache flush, or a barrier if only that is offered; UNSUPPORTED if neither is. */
    Promise<Void> flush() {
        int operation;
        if (features.flushCache()) {
            operation = BlkifCodec.OP_FLUSH_DISKCACHE;
        } else if (features.barrier()) {
            operation = BlkifCodec.OP_WRITE_BARRIER;
        } else {
            return Promise.rejected(new BlockDeviceException(BlockDeviceException.Reason.UNSUPPORTED,
                    "the backend offers neither feature-flush-cache nor feature-barrier"));
        }
        BlockDeviceException refusal = refusal();
        if (refusal != null) {
            return Promise.rejected(refusal);
        }
        return send(new BlkifRequest(operation, handle, 0, List.of()), null, null, 0);
    }

    /** Why the device accepts nothing, or null while it works. */
    BlockDeviceException refusal() {
        if (closed != null) {
            return closed;
        }
        if (broken == null && client.failure().isPresent()) {
            markBroken(client.failure().get());
        }
        return broken;
    }

    /** Why the device is broken, or null. */
    BlockDeviceException broken() {
        return broken;
    }

    /** Requests sent and not answered. */
    int outstanding() {
        return outstanding.size();
    }

    /**
     * Marks the device broken by {@code cause} (a {@link RingBroken} or a check of ours): fails
     * every outstanding request and every later one.
     */
    void markBroken(Throwable cause) {
        if (broken == null) {
            broken = cause instanceof BlockDeviceException typed && typed.reason() == BlockDeviceException.Reason.BROKEN
                    ? typed : new BlockDeviceException(BlockDeviceException.Reason.BROKEN, cause.getMessage(), cause);
            failOutstanding(broken);
        }
    }

    /** Fails outstanding requests with DISCONNECTED, ends their grants, and refuses all later ones. */
    void close() {
        if (closed == null) {
            closed = new BlockDeviceException(BlockDeviceException.Reason.DISCONNECTED, "the device disconnected");
            failOutstanding(closed);
        }
        retryUnreusable();
    }

    /** Tries again to end the grants that were busy; those that end are released. */
    void retryUnreusable() {
        unreusable.retry();
    }

    private Promise<Void> transfer(int operation, long startSector, List<MemorySegment> list) {
        BlockDeviceException refusal = refusal();
        if (refusal != null) {
            return Promise.rejected(refusal);
        }
        Buffers buffers;
        try {
            buffers = Buffers.of(list, info.sectorSize());
        } catch (BlockDeviceException bad) {
            return Promise.rejected(bad);
        }
        long sectors = buffers.total() / info.sectorSize();
        if (startSector < 0 || startSector > info.sectors() - sectors) {
            return Promise.rejected(new BlockDeviceException(BlockDeviceException.Reason.OUT_OF_RANGE, "sectors "
                    + startSector + " to " + (startSector + sectors) + " pass the end of a " + info.sectors()
                    + "-sector device"));
        }
        long first512 = startSector * (info.sectorSize() / BlkifCodec.SECTOR_BYTES);
        List<Promise<Void>> requests = new ArrayList<>();
        for (long offset = 0; offset < buffers.total(); offset += MAX_REQUEST_BYTES) {
            int bytes = (int) Math.min(MAX_REQUEST_BYTES, buffers.total() - offset);
            requests.add(chunk(operation, first512 + offset / BlkifCodec.SECTOR_BYTES, buffers, offset, bytes));
        }
        return requests.size() == 1 ? requests.getFirst() : Promise.join(requests);
    }

    private Promise<Void> chunk(int operation, long sector512, Buffers buffers, long offset, int bytes) {
        int pageCount = (bytes + BlkifCodec.PAGE_BYTES - 1) / BlkifCodec.PAGE_BYTES;
        SharedPages pages;
        try {
            pages = grants.share(backendDomain, pageCount, true);
        } catch (RuntimeException refused) { // a full table (GrantException), or the device's own errno
            return Promise.rejected(new BlockDeviceException(BlockDeviceException.Reason.NO_GRANTS,
                    "cannot grant " + pageCount + " pages to domain " + backendDomain, refused));
        }
        if (operation == BlkifCodec.OP_WRITE) {
            buffers.copyOut(offset, pages.memory(), bytes);
        }
        List<BlkifRequest.Segment> segments = new ArrayList<>(pageCount);
        for (int page = 0; page < pageCount; page++) {
            int inPage = Math.min(BlkifCodec.PAGE_BYTES, bytes - page * BlkifCodec.PAGE_BYTES);
            segments.add(new BlkifRequest.Segment(pages.refs().get(page), 0, inPage / BlkifCodec.SECTOR_BYTES - 1));
        }
        return send(new BlkifRequest(operation, handle, sector512, segments), pages, buffers, offset);
    }

    /** Sends one request; {@code pages} is null for a request that moves no data. */
    private Promise<Void> send(BlkifRequest request, SharedPages pages, Buffers buffers, long offset) {
        Transfer transfer = new Transfer(request, pages, Promise.pending());
        outstanding.add(transfer);
        client.request(request).onAny(response -> answered(transfer, response, buffers, offset),
                failure -> failed(transfer, failure));
        return transfer.resolver().promise();
    }

    private void answered(Transfer transfer, BlkifResponse response, Buffers buffers, long offset) {
        if (!outstanding.remove(transfer)) { // already failed (closed or broken), its pages released then
            return;
        }
        BlkifRequest request = transfer.request();
        if (response.operation() != request.operation()) {
            release(transfer.pages());
            fail(transfer, new BlockDeviceException(BlockDeviceException.Reason.BROKEN, "the response to a request of"
                    + " operation " + request.operation() + " names operation " + response.operation()));
            return;
        }
        if (response.status() == BlkifCodec.STATUS_OKAY && request.operation() == BlkifCodec.OP_READ) {
            buffers.copyIn(offset, transfer.pages().memory(), request.bytes());
        }
        if (!release(transfer.pages())) {
            fail(transfer, new BlockDeviceException(BlockDeviceException.Reason.BROKEN, "the backend answered a"
                    + " request but still maps its pages (" + transfer.pages().refs() + ")"));
            return;
        }
        switch (response.status()) {
            case BlkifCodec.STATUS_OKAY -> transfer.resolver().resolve(null);
            case BlkifCodec.STATUS_EOPNOTSUPP -> transfer.resolver().reject(new BlockDeviceException(
                    BlockDeviceException.Reason.UNSUPPORTED, "the backend does not support operation " + request.operation()));
            default -> transfer.resolver().reject(new BlockDeviceException(BlockDeviceException.Reason.BACKEND_ERROR,
                    "the backend failed operation " + request.operation() + " at sector " + request.sectorNumber()));
        }
    }

    /** The ring broke (or the request could not be encoded): the device is broken. */
    private void failed(Transfer transfer, Throwable failure) {
        if (outstanding.remove(transfer)) {
            release(transfer.pages());
            fail(transfer, failure instanceof RingBroken ? failure
                    : new BlockDeviceException(BlockDeviceException.Reason.BROKEN, String.valueOf(failure.getMessage()), failure));
        }
    }

    /** Marks the device broken by {@code cause}, failing this transfer and every other outstanding one. */
    private void fail(Transfer transfer, Throwable cause) {
        markBroken(cause);
        transfer.resolver().reject(broken);
    }

    private void failOutstanding(BlockDeviceException failure) {
        List<Transfer> left = new ArrayList<>(outstanding);
        outstanding.clear();
        for (Transfer transfer : left) {
            release(transfer.pages()); // a page the backend still maps is set aside for good
            transfer.resolver().reject(failure);
        }
    }

    /** Ends a request's grant; false (and the pages set aside for ever) if the backend still maps them. */
    private boolean release(SharedPages pages) {
        return pages == null || unreusable.end(pages);
    }
}
