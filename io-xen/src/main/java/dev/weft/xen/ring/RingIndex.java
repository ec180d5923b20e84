package dev.weft.xen.ring;

/**
 * Arithmetic on Xen's free-running ring indices ({@code RING_IDX}, an unsigned 32-bit counter that
 * wraps from 2^32 - 1 to 0). Java's {@code int} holds them bit for bit: subtraction and addition
 * already wrap modulo 2^32, so {@code prod - cons} is the number of entries between two indices
 * even across the wrap. Only comparisons need care: a distance is unsigned, so it is compared with
 * {@link Integer#compareUnsigned}, never with {@code <}.
 */
final class RingIndex {
    private RingIndex() {}

    /** The number of entries from {@code from} up to {@code to}, modulo 2^32 (an unsigned value). */
    static int distance(int from, int to) {
        return to - from;
    }

    /** Whether the unsigned distance {@code distance} is larger than {@code limit} (a size). */
    static boolean exceeds(int distance, int limit) {
        return Integer.compareUnsigned(distance, limit) > 0;
    }

    /** The unsigned value of an index, for messages. */
    static String show(int index) {
        return Integer.toUnsignedString(index);
    }

    /** The largest power of two not above {@code n} (ring.h's {@code __RD32}), or 0 for 0. */
    static int roundDownToPowerOfTwo(int n) {
        return Integer.highestOneBit(n);
    }
}
