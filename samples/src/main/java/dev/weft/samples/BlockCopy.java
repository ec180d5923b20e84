package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Block;
import dev.weft.promise.Promise;
import dev.weft.unix.blocking.BlockingPool;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Copies one block device onto another, sector for sector, written once against {@link Block}: the
 * same function copies a file on io-unix ({@link FileBlock}) or a Xen virtual disk (blkfront). One
 * chunk is in flight at a time: read it, write it, go on.
 *
 * <p>{@link #copy} is LOOP THREAD ONLY: the loop both devices belong to.
 *
 * <p>Usage: {@code BlockCopy --from SOURCE --to TARGET [--backend file|sim-blkfront]}: {@code file}
 * copies one file onto another through {@link FileBlock}s; {@code sim-blkfront} copies the file
 * onto a virtual disk of the Xen model through blkfront, the disk's backend (blkback in a driver
 * domain) keeping its sectors in {@code TARGET}. Both use 512-byte sectors; TARGET must exist and
 * be at least as large as SOURCE.
 */
final class BlockCopy {
    /** Bytes per read/write: a multiple of every sector size (512 to 4096). */
    static final int CHUNK_BYTES = 64 * 1024;

    private BlockCopy() {}

    /**
     * Runs the copy the options name and prints how many sectors it copied.
     *
     * @param args see the class comment
     * @throws Exception if a file cannot be opened or the copy fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("from", null);
        defaults.put("to", null);
        defaults.put("backend", "file");
        SampleOptions options = SampleOptions.parse(args,
                "BlockCopy --from SOURCE --to TARGET [--backend file|sim-blkfront]", defaults);
        if (options.text("from") == null || options.text("to") == null) {
            options.fail("--from and --to are needed");
        }
        Path from = Path.of(options.text("from"));
        Path to = Path.of(options.text("to"));
        long sectors = switch (options.text("backend")) {
            case "file" -> {
                try (Loop loop = Loop.builder().name("weft-block-copy").build();
                     BlockingPool pool = BlockingPool.create(loop, 2, 16)) {
                    FileBlock source = FileBlock.open(from, pool, false);
                    FileBlock target = FileBlock.open(to, pool, true);
                    yield loop.run(copy(source, target).andFinally(source::disconnect).andFinally(target::disconnect));
                }
            }
            case "sim-blkfront" -> {
                try (ModelDisk disk = new ModelDisk(to)) {
                    yield disk.onGuest(() -> {
                        BlockingPool pool = BlockingPool.create(disk.guestLoop(), 2, 16);
                        return openSource(from, pool)
                                .flatMap(source -> copy(source, disk.blkfront()).andFinally(source::disconnect))
                                .andFinally(() -> {
                                    pool.close();
                                    return Promise.unit();
                                });
                    }).get(600, TimeUnit.SECONDS);
                }
            }
            default -> {
                options.fail("unknown backend " + options.text("backend"));
                yield 0;
            }
        };
        System.out.printf("copied %d sectors of 512 bytes from %s to %s (%s)%n", sectors, from, to,
                options.text("backend"));
    }

    private static Promise<FileBlock> openSource(Path path, BlockingPool pool) {
        try {
            return Promise.of(FileBlock.open(path, pool, false));
        } catch (IOException e) {
            return Promise.rejected(e);
        }
    }

    /**
     * Copies every sector of {@code from} to the same sector of {@code to}.
     *
     * @return the number of sectors copied; rejected with an IOException if the sector sizes
     *     differ, {@code to} is smaller or read-only, or either device fails
     */
    static Promise<Long> copy(Block from, Block to) {
        Block.Info source = from.info();
        Block.Info target = to.info();
        if (source.sectorSize() != target.sectorSize()) {
            return Promise.rejected(new IOException("sector sizes differ: " + source.sectorSize() + " and "
                    + target.sectorSize() + " bytes"));
        }
        if (target.sectors() < source.sectors()) {
            return Promise.rejected(new IOException("the target has " + target.sectors() + " sectors, the source "
                    + source.sectors()));
        }
        if (!target.readWrite()) {
            return Promise.rejected(new IOException("the target is read-only"));
        }
        MemorySegment buffer = MemorySegment.ofArray(new byte[CHUNK_BYTES]);
        return copyFrom(from, to, 0, source.sectors(), source.sectorSize(), buffer);
    }

    private static Promise<Long> copyFrom(Block from, Block to, long sector, long sectors, int sectorSize,
                                          MemorySegment buffer) {
        if (sector == sectors) {
            return Promise.of(sectors);
        }
        long count = Math.min(CHUNK_BYTES / sectorSize, sectors - sector);
        List<MemorySegment> chunk = List.of(buffer.asSlice(0, count * sectorSize));
        return from.read(sector, chunk)
                .flatMap(v -> to.write(sector, chunk))
                .flatMap(v -> copyFrom(from, to, sector + count, sectors, sectorSize, buffer));
    }
}
