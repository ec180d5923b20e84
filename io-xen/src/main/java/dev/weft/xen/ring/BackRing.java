package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;

/**
 * The back half of a {@link SharedRing}: requests in, responses out; ring.h's {@code BACK_RING_*}
 * and {@code RING_*} macros as methods. To receive: {@link #unconsumedRequests()} reads the
 * front's index once and says how many requests this pass may take, {@link #takeRequest} copies
 * each out, and {@link #finalCheckForRequests()} re-arms the event before the caller sleeps. To
 * answer: fill {@link #responseSlot()}, {@link #produceResponse()}, and after a batch
 * {@link #pushResponsesAndCheckNotify()} (notify the front's event channel if it says so).
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> The front runs concurrently on another thread or domain.
 *
 * <p>Invariants (private fields, all u32 indices): {@code rspProdPushed <= rspProdPvt <= reqCons}
 * and {@code reqCons - rspProdPvt <= size}, in wrap-around order: each response goes into the slot
 * of a request already consumed. A request index from the front that lies outside
 * {@code [reqCons, rspProdPvt + size]} breaks the ring ({@link RingBroken}).
 */
public final class BackRing {
    private final MemorySegment memory;
    private final MemorySegment[] slots;
    private final int size;
    private final int mask;
    private final int entrySize;
    /** Requests consumed. */
    private int reqCons;
    /** Responses produced, published or not: ring.h's {@code rsp_prod_pvt}. */
    private int rspProdPvt;
    /** Our last published {@code rsp_prod}; the shared copy is never read back. */
    private int rspProdPushed;
    /** The front's {@code req_prod} as read once by the current pass. */
    private int reqProdSeen;
    private RingBroken failure;

    BackRing(SharedRing ring, int index) {
        this.memory = ring.memory();
        this.slots = ring.slots();
        this.size = ring.size();
        this.mask = size - 1;
        this.entrySize = ring.entrySize();
        this.reqCons = index;
        this.rspProdPvt = index;
        this.rspProdPushed = index;
        this.reqProdSeen = index;
    }

    /** Bytes per entry. */
    public int entrySize() {
        return entrySize;
    }

    /** The number of entries ({@code RING_SIZE}). */
    public int size() {
        return size;
    }

    /**
     * Reads the front's {@code req_prod} once and returns how many requests this pass may take
     * ({@code RING_HAS_UNCONSUMED_REQUESTS}, validated as {@code RING_REQUEST_PROD_OVERFLOW}).
     *
     * @throws RingBroken if the front claims more requests than the ring holds, or went backwards
     */
    public int unconsumedRequests() {
        requireIntact();
        int reqProd = SharedWords.acquire(memory, SharedRing.REQ_PROD); // xen_rmb() after it
        int ahead = RingIndex.distance(rspProdPvt, reqProd);
        int taken = RingIndex.distance(rspProdPvt, reqCons);
        if (RingIndex.exceeds(ahead, size) || Integer.compareUnsigned(ahead, taken) < 0) {
            failure = new RingBroken(RingBroken.Reason.INDEX_OVERFLOW, "back ring: req_prod="
                    + RingIndex.show(reqProd) + " lies outside [req_cons=" + RingIndex.show(reqCons)
                    + ", rsp_prod=" + RingIndex.show(rspProdPvt) + " + " + size + "]");
            throw failure;
        }
        reqProdSeen = reqProd;
        return ahead - taken;
    }

    /**
     * Copies the next request of this pass into {@code copy} (one fetch from shared memory) and
     * consumes it; returns {@code copy}.
     *
     * @throws IllegalStateException if this pass has no request left
     */
    public MemorySegment takeRequest(MemorySegment copy) {
        requireIntact();
        if (reqCons == reqProdSeen) {
            throw new IllegalStateException("no unconsumed request in this pass; call unconsumedRequests()");
        }
        if (copy.byteSize() < entrySize) {
            throw new IllegalArgumentException("copy of " + copy.byteSize() + " bytes cannot hold a "
                    + entrySize + "-byte entry");
        }
        MemorySegment.copy(slots[reqCons & mask], 0, copy, 0, entrySize);
        reqCons++;
        return copy;
    }

    /**
     * The entry for the next response, to fill before {@link #produceResponse()}: the slot of
     * the oldest consumed request not yet answered.
     *
     * @throws IllegalStateException if every consumed request has been answered
     */
    public MemorySegment responseSlot() {
        if (rspProdPvt == reqCons) {
            throw new IllegalStateException("back ring: no consumed request is waiting for a response");
        }
        return slots[rspProdPvt & mask];
    }

    /** Counts the filled {@link #responseSlot()} as produced; the front sees it after a push. */
    public void produceResponse() {
        responseSlot();
        rspProdPvt++;
    }

    /**
     * Publishes the produced responses and says whether the front asked to be notified of them
     * ({@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY}).
     */
    public boolean pushResponsesAndCheckNotify() {
        int old = rspProdPushed;
        int now = rspProdPvt;
        rspProdPushed = now;
        SharedWords.release(memory, SharedRing.RSP_PROD, now); // xen_wmb(): entries before the index
        SharedWords.fullFence(); // xen_mb(): the index is visible before we read rsp_event
        int event = SharedWords.acquire(memory, SharedRing.RSP_EVENT);
        return Integer.compareUnsigned(now - event, now - old) < 0;
    }

    /**
     * Whether requests are waiting; if none, first asks the front to notify at the next one and
     * looks again after a full fence ({@code RING_FINAL_CHECK_FOR_REQUESTS}). Call it before going
     * to sleep.
     *
     * @throws RingBroken as {@link #unconsumedRequests()}
     */
    public boolean finalCheckForRequests() {
        if (unconsumedRequests() > 0) {
            return true;
        }
        SharedWords.release(memory, SharedRing.REQ_EVENT, reqCons + 1);
        SharedWords.fullFence(); // xen_mb(): req_event is visible before we re-read req_prod
        return unconsumedRequests() > 0;
    }

    /** Responses produced but not yet pushed. */
    int unpushedResponses() {
        return RingIndex.distance(rspProdPushed, rspProdPvt);
    }

    /** Why this half is broken, or null while it is intact. */
    RingBroken failure() {
        return failure;
    }

    private void requireIntact() {
        if (failure != null) {
            throw failure;
        }
    }
}
