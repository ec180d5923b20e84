package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.blocking.BlockingPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One copy function, two kinds of target: a file on io-unix and blkfront on the Xen model. */
@Timeout(120)
class BlockCopyTest {
    /** Not a whole number of chunks: the last chunk is short. */
    private static final int DISK_BYTES = 3 * BlockCopy.CHUNK_BYTES + 7 * 512;

    @TempDir
    Path directory;

    private Path disk(String name, byte[] content) throws Exception {
        return Files.write(directory.resolve(name), content);
    }

    private static byte[] random() {
        byte[] bytes = new byte[DISK_BYTES];
        new Random(11).nextBytes(bytes);
        return bytes;
    }

    private static FileBlock open(Path path, BlockingPool pool, boolean readWrite) throws Exception {
        return FileBlock.open(path, pool, readWrite);
    }

    @Test
    void aFileIsCopiedOntoAnotherFileSectorForSector() throws Exception {
        byte[] content = random();
        Path source = disk("source.img", content);
        Path target = disk("target.img", new byte[DISK_BYTES]);
        try (Loop loop = Loop.builder().build()) {
            BlockingPool pool = BlockingPool.create(loop, 2, 16);
            FileBlock from = open(source, pool, false);
            FileBlock to = open(target, pool, true);

            long sectors = loop.run(BlockCopy.copy(from, to)
                    .andFinally(from::disconnect).andFinally(to::disconnect));

            assertEquals(DISK_BYTES / 512, sectors);
            pool.close();
        }
        assertArrayEquals(content, Files.readAllBytes(target));
    }

    @Test
    void aTargetSmallerThanTheSourceIsRefusedAndLeftUntouched() throws Exception {
        Path source = disk("source.img", random());
        Path target = disk("small.img", new byte[DISK_BYTES - 512]);
        try (Loop loop = Loop.builder().build()) {
            BlockingPool pool = BlockingPool.create(loop, 2, 16);
            FileBlock from = open(source, pool, false);
            FileBlock to = open(target, pool, true);

            Throwable refused = loop.run(BlockCopy.copy(from, to).tryBind(sectors -> Promise.<Throwable>of(null),
                    Promise::of).andFinally(from::disconnect).andFinally(to::disconnect));

            assertInstanceOf(IOException.class, refused);
            assertEquals("the target has " + (DISK_BYTES / 512 - 1) + " sectors, the source " + DISK_BYTES / 512,
                    refused.getMessage());
            pool.close();
        }
        assertArrayEquals(new byte[DISK_BYTES - 512], Files.readAllBytes(target));
    }

    @Test
    void aFileIsCopiedOntoBlkfrontOfTheModelAndLandsInTheBackendsImage() throws Exception {
        byte[] content = random();
        Path source = disk("source.img", content);
        Path image = disk("vbd.img", new byte[DISK_BYTES]);
        try (ModelDisk model = new ModelDisk(image)) {
            BlockingPool pool = model.onGuest(() -> Promise.of(BlockingPool.create(model.guestLoop(), 2, 16)))
                    .get(30, TimeUnit.SECONDS);

            long sectors = model.onGuest(() -> {
                try {
                    FileBlock from = open(source, pool, false);
                    return BlockCopy.copy(from, model.blkfront()).andFinally(from::disconnect);
                } catch (Exception e) {
                    return Promise.rejected(e);
                }
            }).get(60, TimeUnit.SECONDS);

            assertEquals(DISK_BYTES / 512, sectors);
            model.onGuest(() -> {
                pool.close();
                return Promise.unit();
            }).get(30, TimeUnit.SECONDS);
        }
        assertArrayEquals(content, Files.readAllBytes(image));
    }
}
