package dev.weft.unix.libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Per-thread native scratch memory for system call arguments and results, so that no call
 * allocates: the errno capture area, a {@code sockaddr_storage}, a {@code socklen_t}, an option
 * value, and an {@code iovec} array.
 *
 * <p>Threading: each thread sees only its own instance ({@link #current()}), and a binding uses
 * it only for the duration of one call, so nothing is shared. The memory lives as long as the
 * thread can reach it (automatic arena); a loop thread reaches it forever.
 */
public final class Scratch {

    /** Bytes in {@link #sockaddr}: {@code sizeof(struct sockaddr_storage)}. */
    public static final int SOCKADDR_BYTES = 128;
    /** How many {@code struct iovec} entries {@link #iovecs} holds; a readv/writev moves at most this many buffers. */
    public static final int IOVEC_COUNT = 64;
    /** {@code sizeof(struct iovec)} on 64-bit Linux: a pointer and a size_t. */
    public static final int IOVEC_BYTES = 16;

    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    final MemorySegment callState;
    /** Room for any socket address the kernel reads or writes. */
    public final MemorySegment sockaddr;
    /** One {@code socklen_t} (or {@code int}) the kernel reads and writes. */
    public final MemorySegment length;
    /** Eight bytes for a socket option value ({@code int}, or {@code struct linger}). */
    public final MemorySegment option;
    /** {@link #IOVEC_COUNT} {@code struct iovec} entries. */
    public final MemorySegment iovecs;

    private Scratch() {
        Arena arena = Arena.ofAuto();
        this.callState = arena.allocate(Libc.CALL_STATE);
        this.sockaddr = arena.allocate(SOCKADDR_BYTES, 8);
        this.length = arena.allocate(ValueLayout.JAVA_INT);
        this.option = arena.allocate(8, 8);
        this.iovecs = arena.allocate((long) IOVEC_COUNT * IOVEC_BYTES, 8);
    }

    /**
     * Points the first entries of {@link #iovecs} at {@code count} buffers from {@code
     * buffers[offset]} on, for one readv/writev; returns how many it filled (at most {@value
     * #IOVEC_COUNT}). The buffers must be native memory.
     */
    public int fillIovecs(MemorySegment[] buffers, int offset, int count) {
        int n = Math.min(count, IOVEC_COUNT);
        for (int i = 0; i < n; i++) {
            MemorySegment buffer = buffers[offset + i];
            iovecs.set(ValueLayout.ADDRESS, (long) i * IOVEC_BYTES, buffer);
            iovecs.set(ValueLayout.JAVA_LONG, (long) i * IOVEC_BYTES + 8, buffer.byteSize());
        }
        return n;
    }

    /** This thread's scratch memory. */
    public static Scratch current() {
        return CURRENT.get();
    }
}
