package dev.weft.bench.xen;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Block;
import dev.weft.promise.Promise;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One way to reach the disk image under test: a {@link Block} used on its loop's thread. Both
 * paths serve the same kind of file through a {@link dev.weft.unix.blocking.BlockingPool} of the
 * same size, so the difference between them is what lies in front of the file calls.
 */
sealed interface BlockPath extends AutoCloseable permits BlkfrontOnModel, DirectFile {
    /** What this path is, for the table. */
    String name();

    /** The loop the block device is used on. */
    Loop loop();

    /** The device; its loop's thread only. */
    Block block();

    /** Runs {@code work} on the device's loop. Any thread. */
    default <T> CompletableFuture<T> on(Supplier<Promise<T>> work) {
        return loop().submit(work);
    }

    @Override
    void close() throws java.io.IOException;
}
