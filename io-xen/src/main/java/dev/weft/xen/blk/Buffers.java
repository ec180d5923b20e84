package dev.weft.xen.blk;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** A caller's list of buffers seen as one run of bytes, copied to and from granted pages. */
final class Buffers {
    private final List<MemorySegment> segments;
    private final long total;

    private Buffers(List<MemorySegment> segments, long total) {
        this.segments = segments;
        this.total = total;
    }

    /** The buffers, each checked to be a whole number of {@code sectorSize} sectors. */
    static Buffers of(List<MemorySegment> buffers, int sectorSize) throws BlockDeviceException {
        List<MemorySegment> copy = List.copyOf(buffers);
        long total = 0;
        for (MemorySegment buffer : copy) {
            if (buffer.byteSize() % sectorSize != 0) {
                throw new BlockDeviceException(BlockDeviceException.Reason.BAD_BUFFER, "a buffer of "
                        + buffer.byteSize() + " bytes is not a whole number of " + sectorSize + "-byte sectors");
            }
            total += buffer.byteSize();
        }
        return new Buffers(copy, total);
    }

    long total() {
        return total;
    }

    /** Copies {@code length} bytes from offset {@code from} of the run into {@code page}. */
    void copyOut(long from, MemorySegment page, long length) {
        walk(from, length, (buffer, at, done, n) -> MemorySegment.copy(buffer, at, page, done, n));
    }

    /** Copies {@code length} bytes of {@code page} into the run at offset {@code to}. */
    void copyIn(long to, MemorySegment page, long length) {
        walk(to, length, (buffer, at, done, n) -> MemorySegment.copy(page, done, buffer, at, n));
    }

    private interface Piece {
        void copy(MemorySegment buffer, long at, long done, long n);
    }

    private void walk(long offset, long length, Piece piece) {
        long skip = offset;
        long done = 0;
        for (MemorySegment buffer : segments) {
            if (done == length) {
                return;
            }
            if (skip >= buffer.byteSize()) {
                skip -= buffer.byteSize();
                continue;
            }
            long n = Math.min(buffer.byteSize() - skip, length - done);
            piece.copy(buffer, skip, done, n);
            done += n;
            skip = 0;
        }
    }
}
