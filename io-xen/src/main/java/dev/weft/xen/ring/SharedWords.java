package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The only way this package touches a 32-bit index in shared memory, named by its ordering as
 * JCTools names its accessors: {@code acquire} for a word the peer writes (what follows the load
 * cannot move before it: Xen's {@code xen_rmb()} after reading a producer index), {@code release}
 * for a word the peer reads (what precedes the store cannot move after it: {@code xen_wmb()} before
 * publishing a producer index, and the end of our reads before publishing a consumer index), and
 * {@link #fullFence()} where ring.h says {@code xen_mb()} (a store that must be visible before a
 * following load). On x86 acquire and release cost nothing beyond forbidding the JIT to reorder;
 * the full fence is a locked instruction, as {@code xen_mb()} is.
 *
 * <p>Words are native-endian, as Xen's: both ends of a ring run on the same architecture.
 */
final class SharedWords {
    private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();

    private SharedWords() {}

    /** Loads a word the peer writes; later loads of entries cannot move before it. */
    static int acquire(MemorySegment memory, long offset) {
        return (int) U32.getAcquire(memory, offset);
    }

    /** Publishes a word the peer reads, after everything this thread wrote or read before it. */
    static void release(MemorySegment memory, long offset, int value) {
        U32.setRelease(memory, offset, value);
    }

    /** Xen's {@code xen_mb()}: our earlier stores are visible before our later loads happen. */
    static void fullFence() {
        VarHandle.fullFence();
    }

    /**
     * Checks that {@code memory} can hold a layout of {@code bytes} bytes whose words are accessed
     * atomically: at least that long and aligned to 4 bytes (a page from the platform always is; a
     * {@code byte[]}-backed segment is not).
     */
    static void requireLayout(MemorySegment memory, long bytes, String what) {
        if (memory.byteSize() < bytes) {
            throw new IllegalArgumentException(what + " needs " + bytes + " bytes of shared memory, got "
                    + memory.byteSize());
        }
        if (memory.maxByteAlignment() < Integer.BYTES) {
            throw new IllegalArgumentException(what + " needs memory aligned to 4 bytes for atomic index"
                    + " access (a native or long[]-backed segment), got alignment " + memory.maxByteAlignment());
        }
    }
}
