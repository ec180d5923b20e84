package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * One end of a duplex byte pipe on a shared page: the xenstore ring ({@link XenstoreRingPage}) or
 * the console ring ({@link ConsoleRingPage}). {@link #write} puts bytes into the outbound ring as
 * far as it has room, {@link #read} takes what the inbound ring holds; neither blocks nor waits.
 * Neither notifies the peer either: after a call that moved bytes, the caller notifies the event
 * channel (the peer may be waiting for data or for space), and on an event it calls again.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> The peer (another domain, or another thread in the
 * model) runs concurrently; only indices and bytes are shared.
 *
 * <p>Every index the peer writes is read once per call and checked. If the peer claims more bytes
 * in flight than a ring holds, the pipe is broken: that call and every later one throws the same
 * {@link RingBroken}, and nothing more is read from or written to the page.
 */
public final class BytePipe {
    private final ByteRing.Reader inbound;
    private final int inboundSize;
    private final ByteRing.Writer outbound;
    private final int outboundSize;
    private RingBroken failure;

    /**
     * A pipe over two rings whose bytes may lie anywhere, as vchan places them (inside its control
     * page or on pages of their own). Each ring's indices are a pair of u32 words, {@code cons}
     * then {@code prod}, at the given offset of {@code indices}; its bytes are all of its buffer,
     * whose size must be a power of two. This end consumes the inbound ring and produces into the
     * outbound one.
     *
     * @param name names the pipe in failures
     * @throws IllegalArgumentException if {@code indices} is too short or not 4-byte aligned, or a
     *     buffer's size is not a power of two
     */
    public static BytePipe over(MemorySegment indices, long inboundIndices, MemorySegment inboundBuffer,
                                long outboundIndices, MemorySegment outboundBuffer, String name) {
        SharedWords.requireLayout(indices, Math.max(inboundIndices, outboundIndices) + 2L * Integer.BYTES, name);
        return new BytePipe(
                new ByteRing(indices, inboundBuffer, inboundIndices, inboundIndices + Integer.BYTES, name + " inbound"),
                new ByteRing(indices, outboundBuffer, outboundIndices, outboundIndices + Integer.BYTES,
                        name + " outbound"));
    }

    BytePipe(ByteRing inbound, ByteRing outbound) {
        this.inbound = inbound.reader();
        this.inboundSize = inbound.size();
        this.outbound = outbound.writer();
        this.outboundSize = outbound.size();
    }

    /**
     * Copies up to {@code length} bytes from the inbound ring into {@code into} at {@code offset};
     * returns how many (0 if the ring is empty).
     *
     * @throws RingBroken if the peer broke the pipe, now or before
     */
    public int read(byte[] into, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, into.length);
        return read(MemorySegment.ofArray(into).asSlice(offset, length));
    }

    /**
     * Copies up to {@code into.byteSize()} bytes from the inbound ring into {@code into}; returns
     * how many (0 if the ring is empty).
     *
     * @throws RingBroken if the peer broke the pipe, now or before
     */
    public int read(MemorySegment into) {
        return guarded(() -> inbound.read(into));
    }

    /**
     * Copies up to {@code length} bytes of {@code from} at {@code offset} into the outbound ring;
     * returns how many fitted (0 if it is full).
     *
     * @throws RingBroken if the peer broke the pipe, now or before
     */
    public int write(byte[] from, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, from.length);
        return write(MemorySegment.ofArray(from).asSlice(offset, length));
    }

    /**
     * Copies up to {@code from.byteSize()} bytes of {@code from} into the outbound ring; returns
     * how many fitted (0 if it is full).
     *
     * @throws RingBroken if the peer broke the pipe, now or before
     */
    public int write(MemorySegment from) {
        return guarded(() -> outbound.write(from));
    }

    /**
     * Bytes waiting in the inbound ring now.
     *
     * @throws RingBroken if the peer broke the pipe, now or before
     */
    public int readable() {
        return guarded(() -> inbound.readable());
    }

    /**
     * Free space in the outbound ring now.
     *
     * @throws RingBroken if the peer broke the pipe, now or before
     */
    public int writable() {
        return guarded(() -> outbound.writable());
    }

    /** The inbound ring's size in bytes. */
    public int inboundCapacity() {
        return inboundSize;
    }

    /** The outbound ring's size in bytes. */
    public int outboundCapacity() {
        return outboundSize;
    }

    /** Why the pipe is broken, or empty while it is intact. */
    public Optional<RingBroken> failure() {
        return Optional.ofNullable(failure);
    }

    /** Runs one operation on an intact pipe; a failure breaks the pipe for good. */
    private int guarded(IntSupplier operation) {
        if (failure != null) {
            throw failure;
        }
        try {
            return operation.getAsInt();
        } catch (RingBroken broken) {
            failure = broken;
            throw broken;
        }
    }
}
