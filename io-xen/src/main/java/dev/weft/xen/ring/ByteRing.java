package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One direction of a byte pipe on a shared page, as Xen's console and xenstore rings lay it out:
 * a buffer whose size is a power of two, a consumer index and a producer index, both free-running
 * u32s; the bytes between {@code cons} and {@code prod} are in flight. The producer writes bytes,
 * then publishes {@code prod} with release; the consumer reads {@code prod} with acquire, copies
 * the bytes out, then publishes {@code cons} with release, which also orders its reads before the
 * producer may overwrite that space.
 *
 * <p>Each end keeps its own index in a private field and only ever writes the shared copy, never
 * reads it back: a hostile peer that scribbles on our index changes nothing we do. The peer's index
 * is read once per call and checked: a distance from ours beyond the buffer's size breaks the ring
 * ({@link RingBroken.Reason#INDEX_OVERFLOW}). Offsets into the buffer are always masked, so no
 * value in shared memory can make us touch a byte outside it.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (one thread per end; the peer is another thread or domain).
 */
final class ByteRing {
    private final MemorySegment memory;
    private final MemorySegment buffer;
    private final int size;
    private final long consOffset;
    private final long prodOffset;
    private final String name;

    ByteRing(MemorySegment memory, long data, int size, long consOffset, long prodOffset, String name) {
        this(memory, memory.asSlice(data, size), consOffset, prodOffset, name);
    }

    /**
     * A ring whose indices are words of {@code memory} and whose bytes are all of {@code buffer},
     * which may lie elsewhere (vchan keeps its large rings on pages of their own).
     */
    ByteRing(MemorySegment memory, MemorySegment buffer, long consOffset, long prodOffset, String name) {
        long size = buffer.byteSize();
        if (size > Integer.MAX_VALUE / 2 + 1 || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException(name + ": size " + size + " is not a power of two up to 2^30");
        }
        this.memory = memory;
        this.buffer = buffer;
        this.size = (int) size;
        this.consOffset = consOffset;
        this.prodOffset = prodOffset;
        this.name = name;
    }

    int size() {
        return size;
    }

    /** The consumer's end: owns {@code cons}, reads {@code prod}. */
    Reader reader() {
        return new Reader(SharedWords.acquire(memory, consOffset));
    }

    /** The producer's end: owns {@code prod}, reads {@code cons}. */
    Writer writer() {
        return new Writer(SharedWords.acquire(memory, prodOffset));
    }

    private int checkedDistance(int cons, int prod) {
        int inFlight = RingIndex.distance(cons, prod);
        if (RingIndex.exceeds(inFlight, size)) {
            throw new RingBroken(RingBroken.Reason.INDEX_OVERFLOW, name + ": prod=" + RingIndex.show(prod)
                    + " cons=" + RingIndex.show(cons) + " are " + RingIndex.show(inFlight)
                    + " bytes apart, more than the ring's " + size);
        }
        return inFlight;
    }

    /** Copies {@code count} bytes between the ring at {@code index} and {@code other}, in up to two pieces. */
    private void copy(int index, MemorySegment other, int count, boolean intoRing) {
        int start = index & (size - 1);
        int first = Math.min(count, size - start);
        transfer(start, other, 0, first, intoRing);
        transfer(0, other, first, count - first, intoRing);
    }

    private void transfer(long ringOffset, MemorySegment other, long otherOffset, int count, boolean intoRing) {
        if (count == 0) {
            return;
        }
        if (intoRing) {
            MemorySegment.copy(other, ValueLayout.JAVA_BYTE, otherOffset, buffer, ValueLayout.JAVA_BYTE,
                    ringOffset, count);
        } else {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, ringOffset, other, ValueLayout.JAVA_BYTE,
                    otherOffset, count);
        }
    }

    /** The consuming end of this ring. */
    final class Reader {
        private int cons;

        private Reader(int cons) {
            this.cons = cons;
        }

        /** Bytes ready to read: reads {@code prod} once and checks it. */
        int readable() {
            return checkedDistance(cons, SharedWords.acquire(memory, prodOffset));
        }

        /** Moves up to {@code into.byteSize()} bytes out of the ring; returns how many. */
        int read(MemorySegment into) {
            int count = (int) Math.min(readable(), into.byteSize());
            if (count == 0) {
                return 0;
            }
            copy(cons, into, count, false);
            cons += count;
            SharedWords.release(memory, consOffset, cons); // our copies are done before the space is freed
            return count;
        }
    }

    /** The producing end of this ring. */
    final class Writer {
        private int prod;

        private Writer(int prod) {
            this.prod = prod;
        }

        /** Free space: reads {@code cons} once and checks it. */
        int writable() {
            return size - checkedDistance(SharedWords.acquire(memory, consOffset), prod);
        }

        /** Moves up to {@code from.byteSize()} bytes into the ring; returns how many. */
        int write(MemorySegment from) {
            int count = (int) Math.min(writable(), from.byteSize());
            if (count == 0) {
                return 0;
            }
            copy(prod, from, count, true);
            prod += count;
            SharedWords.release(memory, prodOffset, prod); // the bytes are visible before prod says so
            return count;
        }
    }
}
