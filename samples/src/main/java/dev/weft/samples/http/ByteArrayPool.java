package dev.weft.samples.http;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * A free list of equally sized byte arrays shared by the connections of one server, so that a
 * connection holds a buffer only while it has bytes to keep (a partial request) or to send (a
 * response being written), and an idle keep-alive connection holds none.
 *
 * <p>Loop thread only. Bounded: at most {@code maxIdle} arrays are kept; the rest go to the GC.
 *
 * <p>It also lends the segment a write of an array needs ({@link #segment}): {@code
 * MemorySegment.ofArray} makes a memory session and a segment at each call, and a slice a third
 * object. The pool is a stack, so a server whose writes complete at once takes the same array
 * for every response, and answering the same response again gets the same segment again.
 */
final class ByteArrayPool {
    private final int arraySize;
    private final int maxIdle;
    private final ArrayDeque<byte[]> idle = new ArrayDeque<>();
    /** The last segment {@link #segment} made, and the array it views; pins at most one array. */
    private byte[] segmentArray;
    private MemorySegment segment;

    ByteArrayPool(int arraySize, int maxIdle) {
        this.arraySize = arraySize;
        this.maxIdle = maxIdle;
    }

    /** An array of at least {@code minSize} bytes, from the pool when the pool's size is enough. */
    byte[] take(int minSize) {
        if (minSize > arraySize) {
            return new byte[minSize];
        }
        byte[] array = idle.poll();
        return array != null ? array : new byte[arraySize];
    }

    /**
     * A heap segment over {@code array[0, length)}: the one made last time if it was for the same
     * array and length (segments are immutable views, so sharing one is safe), else a new one.
     */
    MemorySegment segment(byte[] array, int length) {
        if (array != segmentArray || segment.byteSize() != length) {
            segmentArray = array;
            segment = MemorySegment.ofArray(array).asSlice(0, length);
        }
        return segment;
    }

    /** Gives {@code array} back; arrays of another size are left to the GC. */
    void give(byte[] array) {
        if (array.length == arraySize && idle.size() < maxIdle) {
            idle.push(array);
        }
    }
}
