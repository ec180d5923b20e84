package dev.weft.bench.xen;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Block;
import dev.weft.promise.Promise;
import dev.weft.unix.blocking.BlockingPool;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: the disk image read and written directly by one io-unix loop, each positional
 * read or write ({@code pread}/{@code pwrite} through {@link FileChannel}) run on a {@link
 * BlockingPool} of that loop, the way io-unix does file I/O ({@link dev.weft.unix.blocking.FileFlow}
 * streams; a block device needs positions, so this calls the pool directly).
 */
final class DirectFile implements BlockPath {
    private final Loop loop = Loop.builder().name("file").build();
    private final FileChannel channel;
    private final BlockingPool pool;
    private final FileBlock block;

    /** Opens {@code image} read-write with a pool of {@code poolThreads} threads. */
    DirectFile(Path image, int poolThreads) throws Exception {
        channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        loop.start();
        pool = loop.submit(() -> Promise.of(BlockingPool.create(loop, poolThreads, 256))).get(10, TimeUnit.SECONDS);
        block = new FileBlock(channel, pool);
    }

    @Override
    public String name() {
        return "file via io-unix BlockingPool";
    }

    @Override
    public Loop loop() {
        return loop;
    }

    @Override
    public Block block() {
        return block;
    }

    @Override
    public void close() throws IOException {
        pool.close();
        loop.close();
        channel.close();
    }

    /** A file as 512-byte sectors; loop thread only, the calls on the pool. Buffers must be native. */
    private static final class FileBlock implements Block {
        private static final int SECTOR = 512;
        private final FileChannel channel;
        private final BlockingPool pool;
        private final Info info;

        FileBlock(FileChannel channel, BlockingPool pool) throws IOException {
            this.channel = channel;
            this.pool = pool;
            this.info = new Info(true, SECTOR, channel.size() / SECTOR);
        }

        @Override
        public Info info() {
            return info;
        }

        @Override
        public Promise<Void> read(long startSector, List<MemorySegment> buffers) {
            return transfer(startSector, buffers, (view, position) -> {
                if (channel.read(view, position) < 0) {
                    throw new EOFException("the file ended at byte " + position);
                }
            });
        }

        @Override
        public Promise<Void> write(long startSector, List<MemorySegment> buffers) {
            return transfer(startSector, buffers, channel::write);
        }

        /** One positional call that moves some of {@code view}'s remaining bytes at {@code position}. */
        private interface Call {
            void move(ByteBuffer view, long position) throws IOException;
        }

        /** Runs {@code call} on the pool until every buffer moved, each at its place from {@code startSector}. */
        private Promise<Void> transfer(long startSector, List<MemorySegment> buffers, Call call) {
            List<MemorySegment> copy = List.copyOf(buffers);
            if (!inside(startSector, copy)) {
                return Promise.rejected(new IOException("sectors from " + startSector + " pass the end of the "
                        + info.sectors() + "-sector file"));
            }
            return pool.detach(() -> {
                long at = startSector * SECTOR;
                for (MemorySegment buffer : copy) {
                    ByteBuffer view = buffer.asByteBuffer();
                    while (view.hasRemaining()) {
                        call.move(view, at + view.position());
                    }
                    at += buffer.byteSize();
                }
                return null;
            });
        }

        private boolean inside(long startSector, List<MemorySegment> buffers) {
            long bytes = 0;
            for (MemorySegment buffer : buffers) {
                bytes += buffer.byteSize();
            }
            return startSector >= 0 && startSector <= info.sectors() - bytes / SECTOR;
        }

        @Override
        public Promise<Void> disconnect() {
            return Promise.unit();
        }
    }
}
