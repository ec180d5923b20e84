package dev.weft.samples;

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

/**
 * A file as a {@link Block} on io-unix: its size rounded down to whole sectors is the disk, and
 * each read or write is a positional transfer on a thread of a {@link BlockingPool} (the loop never
 * blocks on the disk). A write is fulfilled once the bytes are in the page cache, not on the disk.
 *
 * <p>LOOP THREAD ONLY, the pool's loop. The device owns the channel: {@link #disconnect} closes it.
 */
final class FileBlock implements Block {
    private final FileChannel file;
    private final BlockingPool pool;
    private final Info info;

    /** Opens {@code path} (read-write if {@code readWrite}) as a disk of 512-byte sectors. */
    static FileBlock open(Path path, BlockingPool pool, boolean readWrite) throws IOException {
        FileChannel file = readWrite
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ);
        return new FileBlock(file, pool, 512, readWrite);
    }

    FileBlock(FileChannel file, BlockingPool pool, int sectorSize, boolean readWrite) throws IOException {
        this.file = file;
        this.pool = pool;
        this.info = new Info(readWrite, sectorSize, file.size() / sectorSize);
    }

    @Override
    public Info info() {
        return info;
    }

    @Override
    public Promise<Void> read(long startSector, List<MemorySegment> buffers) {
        return transfer(startSector, buffers, false);
    }

    @Override
    public Promise<Void> write(long startSector, List<MemorySegment> buffers) {
        if (!info.readWrite()) {
            return Promise.rejected(new IOException("the disk is read-only"));
        }
        return transfer(startSector, buffers, true);
    }

    @Override
    public Promise<Void> disconnect() {
        return pool.detach(() -> {
            file.close();
            return null;
        });
    }

    private Promise<Void> transfer(long startSector, List<MemorySegment> buffers, boolean write) {
        long bytes = 0;
        for (MemorySegment buffer : buffers) {
            if (buffer.byteSize() % info.sectorSize() != 0) {
                return Promise.rejected(new IOException("a buffer of " + buffer.byteSize()
                        + " bytes is not a whole number of " + info.sectorSize() + "-byte sectors"));
            }
            bytes += buffer.byteSize();
        }
        if (startSector < 0 || startSector + bytes / info.sectorSize() > info.sectors()) {
            return Promise.rejected(new IOException("sectors " + startSector + ".." + (startSector
                    + bytes / info.sectorSize()) + " pass the end of the disk (" + info.sectors() + " sectors)"));
        }
        long position = startSector * info.sectorSize();
        return pool.detach(() -> {
            long at = position;
            for (MemorySegment buffer : buffers) {
                ByteBuffer view = buffer.asByteBuffer();
                while (view.hasRemaining()) {
                    int n = write ? file.write(view, at + view.position()) : file.read(view, at + view.position());
                    if (n < 0) {
                        throw new EOFException("the file ended at " + (at + view.position()));
                    }
                }
                at += buffer.byteSize();
            }
            return null;
        });
    }
}
