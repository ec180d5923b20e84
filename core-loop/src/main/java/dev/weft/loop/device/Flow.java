package dev.weft.loop.device;

import dev.weft.promise.Promise;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A reliable, ordered, bidirectional byte stream (MirageOS's {@code Mirage_flow.S}): a TCP or
 * Unix socket on io-unix, a vchan on io-xen, a console.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> At most one read may be pending at a time; writes may be
 * issued back to back and are sent in the order issued.
 *
 * <p>Buffers follow the package's ownership rules: data from {@link #read()} is lent until the
 * next read or close; a segment given to {@link #write} must not change until its promise
 * resolves.
 *
 * <p><b>Two ways to read, one reader at a time.</b> {@link #read()} returns a promise per read
 * (Lwt's {@code Lwt_io.read}); {@link #readChunks} hands every chunk to a handler registered
 * once (Netty's {@code channelRead}), so a reader that waits for bytes again and again pays no
 * promise and no bind per wait. A flow has at most one reader: while a read is pending or a
 * {@code readChunks} is active, the other mode (and a second {@code readChunks}) is refused with
 * {@link IllegalStateException}. Once a {@code readChunks} has ended, {@link #read()} may go on
 * where it stopped: no byte is lost or handed out twice. The default {@code readChunks} (built
 * on {@code read()}, for flows that do not override it) can refuse the other mode only while it
 * waits for bytes: while its handler has paused it, a {@code read()} goes through and ends the
 * paused chunk's loan; io-unix's sockets enforce the rule at all times.
 */
public interface Flow {

    /**
     * What {@link #readChunks} hands each chunk of bytes to, on the loop thread.
     *
     * <p><b>Lending.</b> {@code bytes} is never empty and is lent: valid during the call and, when
     * the call returns a promise not yet resolved, until that promise resolves (the flow reads
     * nothing meanwhile), never after {@link #close()}; copy what must outlive that.
     *
     * <p><b>Back-pressure.</b> The answer says whether to go on: {@link #READ_ON} (or any promise
     * fulfilled with {@code true}) asks for the next chunk, {@link #STOP} (fulfilled with {@code
     * false}) ends the reading, fulfilling {@code readChunks}'s promise; a promise still pending
     * pauses the reading until it resolves, then counts as its value. A rejected answer, a
     * {@code null} answer or an exception thrown ends the reading with that failure, and an
     * answer fulfilled with {@code null} with a {@link NullPointerException}.
     */
    @FunctionalInterface
    interface ChunkHandler {

        /** The answer that asks for the next chunk at once: fulfilled with {@code true}, shared. */
        Promise<Boolean> READ_ON = Promise.of(true);

        /** The answer that ends the reading: fulfilled with {@code false}, shared. */
        Promise<Boolean> STOP = Promise.of(false);

        /**
         * Takes one chunk.
         *
         * @param bytes the chunk, lent (see the interface comment)
         * @return whether to read on: {@link #READ_ON}, {@link #STOP}, or a promise of either
         */
        Promise<Boolean> onChunk(MemorySegment bytes);
    }

    /** What {@link #read()} returns: some bytes, or the end of the stream. */
    sealed interface Read permits Data, EndOfStream {}

    /**
     * Bytes read: never empty. The segment is lent until the next {@link #read()} or {@link
     * #close()}; copy what must outlive that. A backend may hand out the same {@code Data} (and
     * the same already-fulfilled promise of it) again for a later read that lends the same bytes
     * of the same buffer, so compare reads by content, never by identity.
     */
    record Data(MemorySegment bytes) implements Read {}

    /** The peer shut its writing side (or the stream was shut down for reading): no more data. */
    record EndOfStream() implements Read {}

    /** The one {@link EndOfStream} value implementations return. */
    Read END_OF_STREAM = new EndOfStream();

    /** Which way of the stream {@link #shutdown} closes. */
    enum Direction {
        /** Stop reading: pending and later reads end with {@link EndOfStream}. */
        READ,
        /** Stop writing: the peer sees end-of-stream once earlier writes are delivered. */
        WRITE,
        /** Both. */
        READ_WRITE
    }

    /**
     * Waits for data: fulfilled with {@link Data} as soon as some bytes are available (possibly
     * fewer than any buffer size), or with {@link #END_OF_STREAM} once the peer has shut down
     * writing and every byte before that was read; end-of-stream repeats on later reads.
     * Rejected with a device error (see the package's failure rules), ClosedChannelException after {@link
     * #close()}, IllegalStateException if a read is already pending or {@link #readChunks} is
     * reading. Cancelable.
     */
    Promise<Read> read();

    /**
     * Reads in callback mode: hands each chunk of bytes, in order and without loss, to {@code
     * handler} (see {@link ChunkHandler} for lending and back-pressure) until the reading ends.
     * The handler may be called before this returns, when bytes are waiting already.
     *
     * <p>The promise is fulfilled when the reading ends without failure: at end of stream (every
     * byte before it handed over; also at once if the stream has ended already, and when {@link
     * #shutdown shutdown(READ)} stops the reading), or when the handler answered {@link
     * ChunkHandler#STOP}; the handler knows which. It is rejected with the handler's failure, a
     * device error (the reading stops), {@link IllegalStateException} if a {@link #read()} is
     * pending or another {@code readChunks} is active, and ClosedChannelException if the flow is
     * or gets closed. Cancelling it stops the reading (the handler is not called again; a promise
     * the handler paused the reading on is cancelled too) and the flow can be read again later.
     *
     * <p>This default works on every flow, over {@link #read()}: it costs what {@code read()}
     * costs per chunk, and it notices a {@code read()} issued meanwhile only while it waits for
     * bytes itself. Backends override it with a reading loop that allocates nothing per chunk.
     *
     * @param handler what takes each chunk; called on the loop thread only
     * @return resolved when the reading ends
     */
    default Promise<Void> readChunks(ChunkHandler handler) {
        return ChunksOverReads.start(this, handler);
    }

    /**
     * Sends all of {@code bytes}; fulfilled once the flow has taken them all (handed to the kernel
     * or the ring, not necessarily received). Rejected with ClosedChannelException after {@code
     * shutdown(WRITE)} or close, with a device error if the peer reset the stream.
     */
    Promise<Void> write(MemorySegment bytes);

    /**
     * Sends a copy of {@code bytes} with {@link #write(MemorySegment)}'s contract. The copy is
     * off-heap and made before this returns, so the array may be reused at once; to send without
     * a copy, write a segment from the flow's own buffers.
     */
    default Promise<Void> write(byte[] bytes) {
        return write(offHeapCopy(MemorySegment.ofArray(bytes)));
    }

    /**
     * Sends a copy of {@code bytes}' remaining bytes (position to limit) with {@link
     * #write(MemorySegment)}'s contract; the buffer's position and limit are left as they were.
     * The copy is off-heap and made before this returns, so the buffer may be reused at once.
     */
    default Promise<Void> write(ByteBuffer bytes) {
        return write(offHeapCopy(MemorySegment.ofBuffer(bytes)));
    }

    /**
     * An off-heap copy of {@code bytes}, freed by the GC once unreachable: backends hand segments
     * to native calls, which take no heap memory.
     */
    private static MemorySegment offHeapCopy(MemorySegment bytes) {
        return Arena.ofAuto().allocate(bytes.byteSize()).copyFrom(bytes);
    }

    /**
     * Sends the segments in order as one write (gathered: {@code writev} where the backend has
     * it), with {@link #write}'s contract for the whole.
     */
    Promise<Void> writev(List<MemorySegment> segments);

    /**
     * Closes one direction or both, keeping the flow's resources (Mirage's shutdown). Fulfilled
     * once done; shutting down a direction twice does nothing.
     */
    Promise<Void> shutdown(Direction direction);

    /**
     * Releases the flow: shuts both directions, fails pending reads and writes with
     * ClosedChannelException and frees the resource (fd, ring). Idempotent; fulfilled once done.
     */
    Promise<Void> close();
}
