package dev.weft.xen.vchan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The vchan control page, libxenvchan's {@code struct vchan_interface}
 * (xen/include/public/io/libxenvchan.h), and the accessors both ends use on it.
 *
 * <pre>
 *   0  left  {cons u32, prod u32}   client writes, server reads
 *   8  right {cons u32, prod u32}   server writes, client reads
 *  16  left_order u16, right_order u16   log2 of each ring's size: 10 and 11 sit inside this
 *                                        page (at 1024 and 2048), 12..20 on pages of their own
 *  20  cli_live u8, srv_live u8     0 gone, 1 connected, 2 (client only) not yet connected
 *  22  cli_notify u8, srv_notify u8 VCHAN_NOTIFY_WRITE / _READ bits: cli_notify holds what the
 *                                   server asked the client to signal, srv_notify the reverse
 *  24  grants[] u32                 the left ring's pages, then the right ring's
 * </pre>
 *
 * <p>The four bytes at 20..23 share one aligned u32. Java offers no atomic read-modify-write on a
 * single byte of a memory segment, so the notify bits are set and cleared with atomic OR/AND on
 * that whole word, with a mask that touches only the intended byte: on x86 that is the same
 * {@code lock or}/{@code lock and} libxenvchan's {@code __sync} builtins emit, one size wider, and
 * it cannot lose a concurrent store to a neighbouring byte (a peer clearing its live byte, or the
 * kernel's unmap notification doing it).
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (one end per thread; the peer runs concurrently). Every
 * field the peer may write is untrusted: it is read once and validated by the caller.
 */
final class VchanPage {
    static final int LEFT = 0;
    static final int RIGHT = 8;
    static final int LEFT_ORDER = 16;
    static final int RIGHT_ORDER = 18;
    static final int CLI_LIVE = 20;
    static final int SRV_LIVE = 21;
    static final int CLI_NOTIFY = 22;
    static final int SRV_NOTIFY = 23;
    static final int GRANTS = 24;

    static final int NOTIFY_WRITE = 0x1;
    static final int NOTIFY_READ = 0x2;

    static final int LIVE_GONE = 0;
    static final int LIVE_CONNECTED = 1;
    static final int LIVE_NOT_YET = 2;

    static final int PAGE_SHIFT = 12;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    static final int SMALL_ORDER = 10;
    static final int SMALL_OFFSET = 1024;
    static final int LARGE_ORDER = 11;
    static final int LARGE_OFFSET = 2048;
    static final int MAX_ORDER = 20;

    private static final int FLAGS_WORD = CLI_LIVE;
    private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle U8 = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle U16 = ValueLayout.JAVA_SHORT.varHandle();

    private final MemorySegment page;

    VchanPage(MemorySegment page) {
        this.page = page;
    }

    MemorySegment memory() {
        return page;
    }

    /** Where a ring of {@code order} lies inside the page, or -1 if it has pages of its own. */
    static int inPageOffset(int order) {
        return switch (order) {
            case SMALL_ORDER -> SMALL_OFFSET;
            case LARGE_ORDER -> LARGE_OFFSET;
            default -> -1;
        };
    }

    /** The pages a ring of {@code order} needs beside the control page. */
    static int separatePages(int order) {
        return order >= PAGE_SHIFT ? 1 << (order - PAGE_SHIFT) : 0;
    }

    int order(int offset) {
        return Short.toUnsignedInt((short) U16.getAcquire(page, (long) offset));
    }

    void setOrder(int offset, int order) {
        U16.set(page, (long) offset, (short) order);
    }

    int grant(int index) {
        return (int) U32.get(page, (long) GRANTS + (long) index * Integer.BYTES);
    }

    void setGrant(int index, int ref) {
        U32.set(page, (long) GRANTS + (long) index * Integer.BYTES, ref);
    }

    /** Reads a live byte; what the peer wrote before clearing it is visible after (acquire). */
    int live(int offset) {
        return Byte.toUnsignedInt((byte) U8.getAcquire(page, (long) offset));
    }

    /** Publishes a live byte after everything this end wrote before (release). */
    void setLive(int offset, int value) {
        U8.setRelease(page, (long) offset, (byte) value);
    }

    /** Sets a notify byte outright; only while the page is not yet shared. */
    void setNotify(int offset, int bits) {
        U8.set(page, (long) offset, (byte) bits);
    }

    /**
     * libxenvchan's request_notify: atomically ORs {@code bit} into the notify byte at {@code
     * offset} (the byte the peer consults before signalling), then a full fence so the request is
     * visible before the caller re-reads any index.
     */
    void requestNotify(int offset, int bit) {
        U32.getAndBitwiseOr(page, (long) FLAGS_WORD, bit << shift(offset));
        VarHandle.fullFence();
    }

    /**
     * libxenvchan's send_notify: a full fence (our index update is visible before we look), then
     * atomically clears {@code bit} in the notify byte at {@code offset}; true if it was set,
     * that is if the peer asked to be told and must now be notified.
     */
    boolean takeNotifyRequest(int offset, int bit) {
        VarHandle.fullFence();
        int mask = bit << shift(offset);
        int previous = (int) U32.getAndBitwiseAnd(page, (long) FLAGS_WORD, ~mask);
        return (previous & mask) != 0;
    }

    /** The bit position of the byte at {@code offset} within the flags word, in native order. */
    private static int shift(int offset) {
        int index = offset - FLAGS_WORD;
        return Byte.SIZE * (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? index : 3 - index);
    }
}
