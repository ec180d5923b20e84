package dev.weft.unix.epoll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An off-heap array of {@code struct epoll_event}, laid out for this machine's ABI.
 *
 * <p>Not thread-safe: owned by one engine and touched only on its loop thread.
 *
 * <p>The struct is {@code {uint32_t events; uint64_t data;}}. On x86_64 the kernel declares it
 * packed, so it is 12 bytes with {@code data} at offset 4 (unaligned); everywhere else it has
 * natural alignment, 16 bytes with {@code data} at offset 8. Getting this wrong does not fail
 * loudly: every event after the first is read from the wrong place.
 */
final class EpollEvents {

    /** {@code sizeof(struct epoll_event)} on this machine. */
    static final int SIZE;
    /** {@code offsetof(struct epoll_event, data)} on this machine. */
    static final int DATA_OFFSET;

    static {
        String arch = System.getProperty("os.arch");
        boolean packed = arch.equals("amd64") || arch.equals("x86_64");
        SIZE = packed ? 12 : 16;
        DATA_OFFSET = packed ? 4 : 8;
    }

    private final MemorySegment array;
    private final int capacity;

    EpollEvents(Arena arena, int capacity) {
        this.array = arena.allocate((long) SIZE * capacity, 8);
        this.capacity = capacity;
    }

    /** The array, to pass to epoll_wait (or, with capacity 1, to epoll_ctl). */
    MemorySegment segment() {
        return array;
    }

    int capacity() {
        return capacity;
    }

    /** The epoll event bits of entry {@code i}. */
    int events(int i) {
        return array.get(ValueLayout.JAVA_INT, (long) i * SIZE);
    }

    /** The 64-bit user data of entry {@code i}. */
    long data(int i) {
        return array.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * SIZE + DATA_OFFSET);
    }

    /** Fills entry {@code i}. */
    void set(int i, int events, long data) {
        array.set(ValueLayout.JAVA_INT, (long) i * SIZE, events);
        array.set(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * SIZE + DATA_OFFSET, data);
    }
}
