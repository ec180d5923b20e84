package dev.weft.unix.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A fixed number of equal-sized off-heap buffers for I/O, handed out and taken back without
 * allocating.
 *
 * <p><b>Threading: not thread-safe; confine a pool to its loop's thread.</b> The buffers
 * themselves may be read and written by any thread (the memory is in a shared arena) while
 * someone owns them.
 *
 * <p><b>Ownership.</b> {@link #acquire()} makes the caller the buffer's only owner. Ownership can
 * be handed on (to a write that is still in flight, to the consumer of a read), but exactly one
 * party owns a buffer at a time, and that party calls {@link #release} once, after which nobody
 * touches the segment or any slice of it. {@link #close()} frees every buffer, owned or not; it
 * is idempotent, an owner may still release its buffer after it (nothing happens: the memory is
 * gone), and acquiring after it throws {@link IllegalStateException}, never handing out freed memory.
 *
 * <p><b>Debug mode</b> ({@code -Dweft.debug=true}, or the constructor's flag) catches the two
 * ownership bugs as they happen: a second release throws naming the buffer and showing where the
 * first release was, and each acquire hands out a view of the slab tied to its own arena, which
 * release closes, so any later access through that view throws the JDK's
 * {@code IllegalStateException: Already closed}. Debug mode allocates per acquire; the normal
 * mode hands out pre-sliced segments and only catches a plain double release.
 */
public final class BufferPool implements AutoCloseable {

    /** Whether pools made by {@link #BufferPool(int, int)} start in debug mode. */
    public static final boolean DEBUG_DEFAULT = Boolean.getBoolean("weft.debug");

    private final Arena arena;
    private final MemorySegment memory;
    private final int bufferSize;
    /** log2 of {@link #bufferSize} when that is a power of two, else -1; see {@link #slot}. */
    private final int sizeShift;
    private final MemorySegment[] slabs;
    /** Indexes of free slabs; {@code free[0..freeCount)} is a LIFO stack, so recent (cache-warm) slabs go out first. */
    private final int[] free;
    private int freeCount;
    private final boolean[] leased;
    private final boolean debug;
    /** Debug only: the arena of each slab's current lease, closed on release. */
    private final Arena[] leases;
    /** Debug only: where each slab was last released. */
    private final Throwable[] releasedAt;
    private boolean closed;

    /**
     * Creates a pool in the debug mode {@code -Dweft.debug} asks for.
     *
     * @param bufferSize bytes per buffer
     * @param count number of buffers
     */
    public BufferPool(int bufferSize, int count) {
        this(bufferSize, count, DEBUG_DEFAULT);
    }

    /**
     * Creates a pool and allocates all its memory at once, aligned to a 4 KiB page.
     *
     * @param bufferSize bytes per buffer, at least 1
     * @param count number of buffers, at least 1
     * @param debug whether to catch double release and use after release (see the class comment)
     */
    public BufferPool(int bufferSize, int count, boolean debug) {
        if (bufferSize < 1 || count < 1) {
            throw new IllegalArgumentException("bufferSize and count must be positive, were " + bufferSize + ", " + count);
        }
        this.arena = Arena.ofShared();
        this.memory = arena.allocate((long) bufferSize * count, 4096);
        this.bufferSize = bufferSize;
        this.sizeShift = Integer.bitCount(bufferSize) == 1 ? Integer.numberOfTrailingZeros(bufferSize) : -1;
        this.slabs = new MemorySegment[count];
        this.free = new int[count];
        this.leased = new boolean[count];
        for (int i = 0; i < count; i++) {
            slabs[i] = memory.asSlice((long) i * bufferSize, bufferSize);
            free[i] = count - 1 - i;
        }
        this.freeCount = count;
        this.debug = debug;
        this.leases = debug ? new Arena[count] : null;
        this.releasedAt = debug ? new Throwable[count] : null;
    }

    /**
     * Takes a free buffer; the caller owns it until it calls {@link #release}.
     *
     * @return a segment of {@link #bufferSize()} bytes, with whatever its last owner left in it
     * @throws IllegalStateException if every buffer is in use, or the pool is closed
     */
    public MemorySegment acquire() {
        MemorySegment buffer = tryAcquire();
        if (buffer == null) {
            throw new IllegalStateException("BufferPool exhausted: all " + slabs.length + " buffers of "
                    + bufferSize + " bytes are in use; release buffers sooner or create a larger pool");
        }
        return buffer;
    }

    /**
     * Takes a free buffer if there is one.
     *
     * @return a segment of {@link #bufferSize()} bytes, or {@code null} if every buffer is in use
     * @throws IllegalStateException if the pool is closed
     */
    public MemorySegment tryAcquire() {
        if (closed) {
            // A slab's memory is freed, and a debug lease would re-scope it alive: refuse, never lend it.
            throw new IllegalStateException("BufferPool is closed: its " + slabs.length + " buffers of " + bufferSize
                    + " bytes were freed; acquire from a pool that is open (close it after its last user)");
        }
        if (freeCount == 0) {
            return null;
        }
        int index = free[--freeCount];
        leased[index] = true;
        return debug ? lease(index) : slabs[index];
    }

    /**
     * Gives a buffer back. The caller must own it and must not touch it, or any slice of it, again.
     * After {@link #close()} this does nothing: the memory is already freed.
     *
     * @param buffer a segment {@link #acquire()} returned, whole (not a slice)
     * @throws IllegalArgumentException if it is not a buffer of this pool
     * @throws IllegalStateException if it was already released
     */
    public void release(MemorySegment buffer) {
        int index = indexOf(buffer);
        if (closed) {
            return;
        }
        if (!leased[index] || (debug && !buffer.scope().equals(leases[index].scope()))) {
            throw doubleRelease(index);
        }
        leased[index] = false;
        free[freeCount++] = index;
        if (debug) {
            releasedAt[index] = new Throwable("buffer " + index + " was first released here");
            leases[index].close();
            leases[index] = null;
        }
    }

    /**
     * Whether {@code buffer} is one of this pool's buffers (whole, as {@link #acquire()} returned
     * it), as opposed to memory from elsewhere; says nothing about whether it is leased now.
     */
    public boolean owns(MemorySegment buffer) {
        return slot(buffer) >= 0;
    }

    /**
     * The index of {@code buffer} among the pool's buffers, or -1 if it is not one of them
     * (whole). A power-of-two buffer size (the usual one) finds it by masking and shifting: a
     * socket's read returns its buffer for every request that waits, and two 64-bit divisions
     * per return were a measurable part of the request path.
     */
    private int slot(MemorySegment buffer) {
        long offset = buffer.address() - memory.address();
        if (offset < 0 || offset >= memory.byteSize() || buffer.byteSize() != bufferSize) {
            return -1;
        }
        if (sizeShift >= 0) {
            return (offset & (bufferSize - 1)) == 0 ? (int) (offset >>> sizeShift) : -1;
        }
        return offset % bufferSize == 0 ? (int) (offset / bufferSize) : -1;
    }

    /** Bytes per buffer. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Buffers that can be acquired now. */
    public int available() {
        return freeCount;
    }

    /** Whether this pool catches use after release. */
    public boolean debug() {
        return debug;
    }

    /**
     * Frees all the pool's memory, including buffers still owned; using any of them afterwards
     * throws. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (debug) {
            for (Arena lease : leases) {
                if (lease != null) {
                    lease.close();
                }
            }
        }
        arena.close();
    }

    // Restricted: reinterpret re-scopes a slab of our own memory to a shorter-lived arena, which
    // cannot make it reach memory it did not already cover.
    @SuppressWarnings("restricted")
    private MemorySegment lease(int index) {
        Arena lease = Arena.ofShared();
        leases[index] = lease;
        return slabs[index].reinterpret(lease, null);
    }

    private int indexOf(MemorySegment buffer) {
        int index = slot(buffer);
        if (index < 0) {
            throw new IllegalArgumentException("not a buffer of this pool (or a slice of one): " + buffer);
        }
        return index;
    }

    private IllegalStateException doubleRelease(int index) {
        String message = "BufferPool: buffer " + index + " (" + bufferSize + " bytes) released twice; its owner"
                + " must release it exactly once and not touch it afterwards";
        if (!debug) {
            return new IllegalStateException(message + " (run with -Dweft.debug=true to see where it was first released)");
        }
        return new IllegalStateException(message, releasedAt[index]);
    }
}
