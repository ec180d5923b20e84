package dev.weft.bench.xen;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file both block paths serve: {@code blocks} blocks of {@value #BLOCK} bytes, every block
 * stamped with its own number in its first and last eight bytes (the rest a fixed non-zero
 * pattern, so no read is of a hole). A read that returns the wrong block, or a write that lands
 * in the wrong place, shows as a stamp that does not match.
 */
final class DiskImage implements AutoCloseable {
    /** Bytes per block: one page, the unit of every I/O the benchmark does. */
    static final int BLOCK = 4096;
    /** 512-byte sectors per block. */
    static final int SECTORS_PER_BLOCK = BLOCK / 512;
    private static final ValueLayout.OfLong STAMP = ValueLayout.JAVA_LONG_UNALIGNED;

    private final Path path;
    private final long blocks;

    private DiskImage(Path path, long blocks) {
        this.path = path;
        this.blocks = blocks;
    }

    /** Creates a stamped image of {@code blocks} blocks in {@code directory}. */
    static DiskImage create(Path directory, long blocks) throws IOException {
        Path path = Files.createTempFile(directory, "weft-blockbench", ".img");
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(256 * BLOCK).order(ByteOrder.nativeOrder());
            MemorySegment view = MemorySegment.ofBuffer(chunk);
            for (long first = 0; first < blocks; first += 256) {
                long count = Math.min(256, blocks - first);
                for (long i = 0; i < count; i++) {
                    stamp(view.asSlice(i * BLOCK, BLOCK), first + i);
                }
                chunk.clear().limit((int) count * BLOCK);
                long at = first * BLOCK;
                while (chunk.hasRemaining()) {
                    at += out.write(chunk, at);
                }
            }
        }
        return new DiskImage(path, blocks);
    }

    /** Fills {@code block} (one block) as block number {@code number} of the image. */
    static void stamp(MemorySegment block, long number) {
        block.fill((byte) 0x5A);
        block.set(STAMP, 0, number);
        block.set(STAMP, BLOCK - 8, number);
    }

    /** Whether {@code block} carries the stamp of block number {@code number}. */
    static boolean stamped(MemorySegment block, long number) {
        return block.get(STAMP, 0) == number && block.get(STAMP, BLOCK - 8) == number;
    }

    /** Where the image is. */
    Path path() {
        return path;
    }

    /** How many blocks it has. */
    long blocks() {
        return blocks;
    }

    /** Deletes the file. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(path);
    }
}
