package dev.weft.samples.http;

import java.util.ArrayDeque;

/**
 * A free list of equally sized byte arrays shared by the connections of one server, so that a
 * connection holds a buffer only while it has bytes to keep (a partial request) or to send (a
 * response being written), and an idle keep-alive connection holds none.
 *
 * <p>Loop thread only. Bounded: at most {@code maxIdle} arrays are kept; the rest go to the GC.
 */
final class ByteArrayPool {
    private final int arraySize;
    private final int maxIdle;
    private final ArrayDeque<byte[]> idle = new ArrayDeque<>();

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

    /** Gives {@code array} back; arrays of another size are left to the GC. */
    void give(byte[] array) {
        if (array.length == arraySize && idle.size() < maxIdle) {
            idle.push(array);
        }
    }
}
