package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A 16-byte entry for tests: request and response are both {@code {u64 id; u64 value}}. A value
 * below zero is rejected, so tests can make the codec refuse an entry.
 */
class LongCodec implements RingCodec<Long, Long> {
    static final LongCodec INSTANCE = new LongCodec();
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    @Override
    public int entrySize() {
        return 16;
    }

    @Override
    public void writeRequest(long id, Long request, MemorySegment slot) {
        slot.set(U64, 0, id);
        slot.set(U64, 8, request);
    }

    @Override
    public long requestId(MemorySegment copy) {
        return copy.get(U64, 0);
    }

    @Override
    public Long readRequest(MemorySegment copy) {
        return nonNegative(copy.get(U64, 8));
    }

    @Override
    public void writeResponse(long id, Long response, MemorySegment slot) {
        slot.set(U64, 0, id);
        slot.set(U64, 8, response);
    }

    @Override
    public long responseId(MemorySegment copy) {
        return copy.get(U64, 0);
    }

    @Override
    public Long readResponse(MemorySegment copy) {
        return nonNegative(copy.get(U64, 8));
    }

    private static long nonNegative(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative value " + value);
        }
        return value;
    }
}
