package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;

/**
 * A request/response ring in shared memory laid out exactly as Xen's {@code io/ring.h}: a 64-byte
 * header ({@code req_prod}, {@code req_event}, {@code rsp_prod}, {@code rsp_event} as u32s at 0, 4,
 * 8 and 12, then 4 bytes of per-protocol {@code pvt} and 44 of padding), followed by the entries,
 * as many as fit rounded down to a power of two. The front end of a device (blkfront, netfront)
 * attaches a {@link FrontRing} to send requests and take responses; the back end attaches a
 * {@link BackRing} to take requests and send responses. {@link RingClient} and {@link RingServer}
 * put promises on top.
 *
 * <p><b>Threading:</b> this class is an immutable description of the layout and is safe anywhere.
 * Each half is confined to its own loop's thread; the two halves run concurrently, on two threads
 * of one JVM in the model or in two domains on real Xen, and share nothing but these bytes.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Indices.</b> Four indices drive the ring and every one is a free-running u32 that wraps
 * from 2^32 - 1 to 0 ({@code RING_IDX}); an entry's slot is its index masked by the size, which is
 * why the size is a power of two. The front owns {@code req_prod} (how many requests it has
 * published) and the back owns {@code rsp_prod} (how many responses); these two live in the shared
 * header. The consumer indices, the front's {@code rsp_cons} and the back's {@code req_cons}, are
 * private to their owner: a slot is free again for the front when its response has been consumed,
 * and the back writes each response into a slot whose request it has already consumed, so neither
 * side needs to see the other's consumer. Java's {@code int} holds an index bit for bit;
 * subtraction gives the unsigned distance between two indices across the wrap, and distances are
 * compared unsigned ({@link RingIndex}). Each half also keeps a private copy of the index it
 * publishes ({@code req_prod_pvt}, {@code rsp_prod_pvt} in ring.h) and never reads its own index
 * back from shared memory, so a peer that overwrites it changes nothing.
 *
 * <p><b>Memory ordering.</b> A producer fills entries with plain stores, then publishes its
 * producer index with a <em>release</em> store: ring.h's {@code xen_wmb()} before the store, which
 * keeps the entries' bytes from becoming visible after the index that announces them. A consumer
 * reads the producer index with an <em>acquire</em> load: ring.h's {@code xen_rmb()} after it, which
 * keeps its reads of the entries from happening before the index was read (and so from seeing
 * stale bytes). Notification hold-off needs more: after publishing {@code req_prod} the front reads
 * {@code req_event} to decide whether the back asked to be woken, while the back, before sleeping,
 * writes {@code req_event} and reads {@code req_prod} again. Each side stores one word and then
 * loads the other's, and release/acquire do not order a store before a later load (x86 itself
 * reorders exactly that), so both could miss each other and sleep for ever. ring.h puts
 * {@code xen_mb()} between the store and the load on both sides; here that is {@link
 * java.lang.invoke.VarHandle#fullFence()}. With both fences, one side must see the other's store:
 * either the producer sees the new event index and notifies, or the consumer sees the new producer
 * index and keeps going. Every access to a shared index goes through {@link SharedWords}, which
 * names its ordering.
 *
 * <p><b>Notification hold-off.</b> {@code req_event} (written by the back) and {@code rsp_event}
 * (written by the front) say at which producer index the consumer wants its next event. A producer
 * that moved its index from {@code old} to {@code new} notifies iff {@code event} lies in
 * {@code (old, new]}, computed as {@code new - event < new - old} unsigned (ring.h's
 * {@code *_PUSH_*_AND_CHECK_NOTIFY}). A consumer that drained the ring sets its event index to
 * {@code cons + 1}, fences, and looks once more ({@code RING_FINAL_CHECK_FOR_*}): work that raced
 * with the decision to sleep is found there, not lost. So under load one event serves a whole batch,
 * and an event channel notification means only "look again": it is a hint, never data.
 *
 * <p><b>What is trusted.</b> Nothing the peer writes. Its producer index is read once per pass
 * (one acquire load that every decision of the pass uses; the XSA-155 class of bugs comes from
 * reading a shared value twice and validating one read while using the other) and checked against
 * our private indices before use: a back that claims more responses than requests are outstanding,
 * or a front that claims more requests than the ring holds, or an index that moved backwards, marks
 * the ring broken ({@link RingBroken}) for good. Each entry is copied out of shared memory once into
 * a private buffer, and the codec validates and decodes only the copy, as Linux's 2021
 * blkfront/netfront hardening does ({@code RING_COPY_RESPONSE}). A response id must name a request
 * that is outstanding. Slot offsets are masked, so no value in shared memory can make either half
 * touch a byte outside the ring. A broken ring rejects its outstanding work with the typed error and
 * touches the shared memory no more; no exception escapes into the loop.
 *
 * <p><b>What is not guarded.</b> The peer can always stop answering, or answer with well-formed
 * nonsense; the ring can only promise that nonsense stays typed and contained. Our own entries
 * are written into memory the peer can read and scribble on at any moment: that is the protocol.
 */
public final class SharedRing {
    /** Offset of {@code req_prod} (the front's producer index). */
    public static final int REQ_PROD = 0;
    /** Offset of {@code req_event} (the back's wake-me-at index). */
    public static final int REQ_EVENT = 4;
    /** Offset of {@code rsp_prod} (the back's producer index). */
    public static final int RSP_PROD = 8;
    /** Offset of {@code rsp_event} (the front's wake-me-at index). */
    public static final int RSP_EVENT = 12;
    /** Offset of the 4-byte per-protocol {@code pvt} union (netif's smartpoll flag, ...). */
    public static final int PVT = 16;
    /** Bytes before the first entry: the four indices, {@code pvt[4]} and {@code __pad[44]}. */
    public static final int HEADER_BYTES = 64;

    private final MemorySegment memory;
    private final int entrySize;
    private final int size;

    private SharedRing(MemorySegment memory, int entrySize) {
        if (entrySize <= 0) {
            throw new IllegalArgumentException("entry size must be positive, got " + entrySize);
        }
        SharedWords.requireLayout(memory, HEADER_BYTES + (long) entrySize, "a shared ring of " + entrySize
                + "-byte entries");
        this.memory = memory;
        this.entrySize = entrySize;
        this.size = entryCount(memory.byteSize(), entrySize);
    }

    /**
     * The number of entries a ring of {@code entrySize}-byte entries has in {@code bytes} bytes:
     * what fits after the header, rounded down to a power of two (ring.h's {@code __RING_SIZE}).
     */
    public static int entryCount(long bytes, int entrySize) {
        long fits = Math.max(0, bytes - HEADER_BYTES) / entrySize;
        return RingIndex.roundDownToPowerOfTwo((int) Math.min(fits, 1L << 30));
    }

    /**
     * The layout of a ring of {@code entrySize}-byte entries over all of {@code memory}, without
     * touching it (the back end's view, or a front end's before {@link #initialise}).
     *
     * @throws IllegalArgumentException if {@code memory} cannot hold the header and one entry, or
     *     is not 4-byte aligned
     */
    public static SharedRing over(MemorySegment memory, int entrySize) {
        return new SharedRing(memory, entrySize);
    }

    /**
     * Writes an empty ring's header (ring.h's {@code SHARED_RING_INIT}): both producer indices at
     * {@code startIndex}, both event indices one past it, {@code pvt} and padding zeroed. Only the
     * front end does this, before it grants the memory. Xen starts at 0; another start models a
     * ring that has been running a while (its indices near the wrap) and must then be given to
     * {@link #front(int)} and {@link #back(int)} too.
     */
    public SharedRing initialise(int startIndex) {
        memory.asSlice(PVT, HEADER_BYTES - PVT).fill((byte) 0);
        SharedWords.release(memory, REQ_EVENT, startIndex + 1);
        SharedWords.release(memory, RSP_EVENT, startIndex + 1);
        SharedWords.release(memory, RSP_PROD, startIndex);
        SharedWords.release(memory, REQ_PROD, startIndex);
        return this;
    }

    /** The front half with its private indices at 0 ({@code FRONT_RING_INIT}). */
    public FrontRing front() {
        return front(0);
    }

    /** The front half with its private indices at {@code index} ({@code FRONT_RING_ATTACH}). */
    public FrontRing front(int index) {
        return new FrontRing(this, index);
    }

    /** The back half with its private indices at 0 ({@code BACK_RING_INIT}). */
    public BackRing back() {
        return back(0);
    }

    /** The back half with its private indices at {@code index} ({@code BACK_RING_ATTACH}). */
    public BackRing back(int index) {
        return new BackRing(this, index);
    }

    /** The number of entries (a power of two). */
    public int size() {
        return size;
    }

    /** Bytes per entry. */
    public int entrySize() {
        return entrySize;
    }

    MemorySegment memory() {
        return memory;
    }

    /** One slice per entry, so the halves hand out slots without allocating. */
    MemorySegment[] slots() {
        MemorySegment[] slots = new MemorySegment[size];
        for (int i = 0; i < size; i++) {
            slots[i] = memory.asSlice(HEADER_BYTES + (long) i * entrySize, entrySize);
        }
        return slots;
    }

    /** A private buffer for one entry's copy: long-backed, so a codec may read aligned words. */
    static MemorySegment privateEntry(int entrySize) {
        return MemorySegment.ofArray(new long[(entrySize + 7) / 8]).asSlice(0, entrySize);
    }
}
