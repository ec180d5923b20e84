package dev.weft.bench.xen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both paths of BlockBench do the whole I/O: what one writes, it and the file read back; the
 * random load reads the right blocks at depth 1 and 32 (every read reaches the backend on the
 * model); and a wrong block is seen, so no row can time work that silently did nothing.
 */
class BlockBenchTest {
    private static final long BLOCKS = 256; // 1 MiB
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    @TempDir
    Path dir;
    private DiskImage image;
    private final Arena arena = Arena.ofShared();
    private final SplittableRandom random = new SplittableRandom(0xB10C);

    @BeforeEach
    void createImage() throws Exception {
        image = DiskImage.create(dir, BLOCKS);
    }

    @AfterEach
    void close() throws Exception {
        arena.close();
        image.close();
    }

    private MemorySegment randomBlock() {
        byte[] bytes = new byte[DiskImage.BLOCK];
        random.nextBytes(bytes);
        MemorySegment block = arena.allocate(DiskImage.BLOCK, DiskImage.BLOCK);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, block, 0, DiskImage.BLOCK);
        return block;
    }

    private static byte[] bytes(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    private byte[] fileBlock(long number) throws Exception {
        try (FileChannel file = FileChannel.open(image.path(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(DiskImage.BLOCK);
            while (buffer.hasRemaining()) {
                file.read(buffer, number * DiskImage.BLOCK + buffer.position());
            }
            return buffer.array();
        }
    }

    private void assertReadsBackWhatItWrote(BlockPath path) throws Exception {
        for (int round = 0; round < 20; round++) {
            long number = random.nextLong(BLOCKS);
            long sector = number * DiskImage.SECTORS_PER_BLOCK;
            MemorySegment written = randomBlock();
            MemorySegment read = arena.allocate(DiskImage.BLOCK, DiskImage.BLOCK);
            path.on(() -> path.block().write(sector, List.of(written))).get(30, TimeUnit.SECONDS);
            path.on(() -> path.block().read(sector, List.of(read))).get(30, TimeUnit.SECONDS);
            assertArrayEquals(bytes(written), bytes(read), path.name() + ", round " + round);
            assertArrayEquals(bytes(written), fileBlock(number), path.name() + ", round " + round);
        }
    }

    private void assertRandomLoadFindsEveryStamp(BlockPath path, int depth) throws Exception {
        RandomIo.Result writes = BlockBench.once(path, image, true, depth, RUN_NANOS, arena, 1);
        RandomIo.Result reads = BlockBench.once(path, image, false, depth, RUN_NANOS, arena, 2);
        assertTrue(writes.operations() >= depth, "writes: " + writes.operations());
        assertTrue(reads.operations() >= depth, "reads: " + reads.operations());
        assertEquals(0, reads.mismatches(), path.name() + ", depth " + depth);
        assertEquals(reads.operations(), reads.latency().count());
    }

    @Test
    void blkfrontReadsBackWhatItWroteAndTheFileHoldsIt() throws Exception {
        try (BlkfrontOnModel blkfront = new BlkfrontOnModel(image.path(), 2)) {
            assertReadsBackWhatItWrote(blkfront);
        }
    }

    @Test
    void theDirectFileReadsBackWhatItWroteAndTheFileHoldsIt() throws Exception {
        try (DirectFile file = new DirectFile(image.path(), 2)) {
            assertReadsBackWhatItWrote(file);
        }
    }

    @Test
    void blkfrontsRandomLoadReadsTheRightBlocksAndEveryOneCrossesTheRing() throws Exception {
        try (BlkfrontOnModel blkfront = new BlkfrontOnModel(image.path(), 2)) {
            for (int depth : new int[] {1, 32}) {
                long before = blkfront.backendRequests();
                RandomIo.Result reads = BlockBench.once(blkfront, image, false, depth, RUN_NANOS, arena, 3);
                assertEquals(reads.operations(), blkfront.backendRequests() - before);
                assertRandomLoadFindsEveryStamp(blkfront, depth);
            }
        }
    }

    @Test
    void theDirectFilesRandomLoadReadsTheRightBlocks() throws Exception {
        try (DirectFile file = new DirectFile(image.path(), 2)) {
            assertRandomLoadFindsEveryStamp(file, 1);
            assertRandomLoadFindsEveryStamp(file, 32);
        }
    }

    @Test
    void aReadOfTheWrongBlockIsCountedAsAMismatch() throws Exception {
        try (FileChannel file = FileChannel.open(image.path(), StandardOpenOption.WRITE)) {
            MemorySegment wrong = arena.allocate(DiskImage.BLOCK, DiskImage.BLOCK);
            for (long number = 0; number < BLOCKS; number++) {
                DiskImage.stamp(wrong, number + 1);
                ByteBuffer view = wrong.asByteBuffer();
                while (view.hasRemaining()) {
                    file.write(view, number * DiskImage.BLOCK + view.position());
                }
            }
        }
        try (DirectFile file = new DirectFile(image.path(), 2)) {
            RandomIo.Result reads = BlockBench.once(file, image, false, 4, RUN_NANOS, arena, 4);
            assertEquals(reads.operations(), reads.mismatches());
        }
    }

    @Test
    void anOperationPastTheEndOfTheDirectFileIsRejected() throws Exception {
        try (DirectFile file = new DirectFile(image.path(), 2)) {
            MemorySegment block = arena.allocate(DiskImage.BLOCK, DiskImage.BLOCK);
            Promise<Void> past = file.on(() -> Promise.of(
                    file.block().read(BLOCKS * DiskImage.SECTORS_PER_BLOCK, List.of(block)))).get(30, TimeUnit.SECONDS);
            assertTrue(past.isRejected(), "a read past the end was not rejected");
        }
    }
}
