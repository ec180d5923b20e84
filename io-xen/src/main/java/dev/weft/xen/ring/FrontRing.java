package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;

/**
 * The front half of a {@link SharedRing}: requests out, responses in; ring.h's
 * {@code FRONT_RING_*} and {@code RING_*} macros as methods. To send: fill {@link #requestSlot()},
 * {@link #produceRequest()}, and after a batch {@link #pushRequestsAndCheckNotify()} (notify the
 * back's event channel if it says so). To receive: {@link #unconsumedResponses()} reads the back's
 * index once and says how many responses this pass may take, {@link #takeResponse} copies each
 * out, and {@link #finalCheckForResponses()} re-arms the event before the caller sleeps.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> The back runs concurrently on another thread or domain.
 *
 * <p>Invariants (private fields, all u32 indices): {@code rspCons <= reqProdPushed <= reqProdPvt}
 * and {@code reqProdPvt - rspCons <= size}, in wrap-around order. A response index from the back
 * that would break the first invariant breaks the ring ({@link RingBroken}): this half then throws
 * that same failure from every method that reads the ring.
 */
public final class FrontRing {
    private final MemorySegment memory;
    private final MemorySegment[] slots;
    private final int size;
    private final int mask;
    private final int entrySize;
    /** Requests produced (filled), published or not: ring.h's {@code req_prod_pvt}. */
    private int reqProdPvt;
    /** Our last published {@code req_prod}; the shared copy is never read back. */
    private int reqProdPushed;
    /** Responses consumed. */
    private int rspCons;
    /** The back's {@code rsp_prod} as read once by the current pass. */
    private int rspProdSeen;
    private RingBroken failure;

    FrontRing(SharedRing ring, int index) {
        this.memory = ring.memory();
        this.slots = ring.slots();
        this.size = ring.size();
        this.mask = size - 1;
        this.entrySize = ring.entrySize();
        this.reqProdPvt = index;
        this.reqProdPushed = index;
        this.rspCons = index;
        this.rspProdSeen = index;
    }

    /** Bytes per entry. */
    public int entrySize() {
        return entrySize;
    }

    /** The number of entries ({@code RING_SIZE}). */
    public int size() {
        return size;
    }

    /** Slots free for new requests ({@code RING_FREE_REQUESTS}). */
    public int freeRequests() {
        return size - RingIndex.distance(rspCons, reqProdPvt);
    }

    /** Whether every slot holds a request still awaiting its response ({@code RING_FULL}). */
    public boolean isFull() {
        return freeRequests() == 0;
    }

    /**
     * The entry for the next request, to fill before {@link #produceRequest()}.
     *
     * @throws IllegalStateException if the ring is full
     */
    public MemorySegment requestSlot() {
        if (isFull()) {
            throw new IllegalStateException("front ring full: " + size + " requests outstanding");
        }
        return slots[reqProdPvt & mask];
    }

    /** Counts the filled {@link #requestSlot()} as produced; the back sees it after a push. */
    public void produceRequest() {
        requestSlot();
        reqProdPvt++;
    }

    /**
     * Publishes the produced requests and says whether the back asked to be notified of them
     * ({@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY}).
     */
    public boolean pushRequestsAndCheckNotify() {
        int old = reqProdPushed;
        int now = reqProdPvt;
        reqProdPushed = now;
        SharedWords.release(memory, SharedRing.REQ_PROD, now); // xen_wmb(): entries before the index
        SharedWords.fullFence(); // xen_mb(): the index is visible before we read req_event
        int event = SharedWords.acquire(memory, SharedRing.REQ_EVENT);
        return Integer.compareUnsigned(now - event, now - old) < 0;
    }

    /**
     * Reads the back's {@code rsp_prod} once and returns how many responses this pass may take
     * ({@code RING_HAS_UNCONSUMED_RESPONSES}, validated).
     *
     * @throws RingBroken if the back claims more responses than requests are outstanding
     */
    public int unconsumedResponses() {
        requireIntact();
        int rspProd = SharedWords.acquire(memory, SharedRing.RSP_PROD); // xen_rmb() after it
        int arrived = RingIndex.distance(rspCons, rspProd);
        int outstanding = RingIndex.distance(rspCons, reqProdPushed);
        if (RingIndex.exceeds(arrived, outstanding)) {
            failure = new RingBroken(RingBroken.Reason.INDEX_OVERFLOW, "front ring: rsp_prod="
                    + RingIndex.show(rspProd) + " is " + RingIndex.show(arrived) + " past rsp_cons="
                    + RingIndex.show(rspCons) + " but only " + outstanding + " requests are outstanding");
            throw failure;
        }
        rspProdSeen = rspProd;
        return arrived;
    }

    /**
     * Copies the next response of this pass into {@code copy} (one fetch from shared memory) and
     * consumes it; returns {@code copy}.
     *
     * @throws IllegalStateException if this pass has no response left
     */
    public MemorySegment takeResponse(MemorySegment copy) {
        requireIntact();
        if (rspCons == rspProdSeen) {
            throw new IllegalStateException("no unconsumed response in this pass; call unconsumedResponses()");
        }
        if (copy.byteSize() < entrySize) {
            throw new IllegalArgumentException("copy of " + copy.byteSize() + " bytes cannot hold a "
                    + entrySize + "-byte entry");
        }
        MemorySegment.copy(slots[rspCons & mask], 0, copy, 0, entrySize);
        rspCons++;
        return copy;
    }

    /**
     * Whether responses are waiting; if none, first asks the back to notify at the next one and
     * looks again after a full fence, so a response that raced with this check is not missed
     * ({@code RING_FINAL_CHECK_FOR_RESPONSES}). Call it before going to sleep.
     *
     * @throws RingBroken as {@link #unconsumedResponses()}
     */
    public boolean finalCheckForResponses() {
        if (unconsumedResponses() > 0) {
            return true;
        }
        SharedWords.release(memory, SharedRing.RSP_EVENT, rspCons + 1);
        SharedWords.fullFence(); // xen_mb(): rsp_event is visible before we re-read rsp_prod
        return unconsumedResponses() > 0;
    }

    /** Requests produced but not yet pushed. */
    int unpushedRequests() {
        return RingIndex.distance(reqProdPushed, reqProdPvt);
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
