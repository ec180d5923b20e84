package dev.weft.unix.net;

import dev.weft.promise.Resolver;
import java.lang.foreign.MemorySegment;

/**
 * A write the kernel has not fully taken yet: what remains of its segments, and the resolver of
 * its promise. A node of the {@link SocketFlow}'s write queue. Loop thread only.
 */
final class PendingWrite {

    /** The segments; those before {@link #index} were sent, the one at it possibly in part (sliced). */
    final MemorySegment[] segments;
    final Resolver<Void> resolver;
    int index;
    PendingWrite next;

    PendingWrite(MemorySegment[] segments, Resolver<Void> resolver) {
        this.segments = segments;
        this.resolver = resolver;
        skipEmpty();
    }

    /** The bytes not sent yet. */
    long remaining() {
        long total = 0;
        for (int i = index; i < segments.length; i++) {
            total += segments[i].byteSize();
        }
        return total;
    }

    boolean done() {
        return index == segments.length;
    }

    /**
     * Marks up to {@code sent} bytes as sent, in order.
     *
     * @return the bytes of {@code sent} left over for the writes behind this one
     */
    long consume(long sent) {
        while (sent > 0 && index < segments.length) {
            MemorySegment segment = segments[index];
            long size = segment.byteSize();
            if (sent >= size) {
                sent -= size;
                index++;
            } else {
                segments[index] = segment.asSlice(sent);
                sent = 0;
            }
        }
        skipEmpty();
        return sent;
    }

    private void skipEmpty() {
        while (index < segments.length && segments[index].byteSize() == 0) {
            index++;
        }
    }
}
