package dev.weft.xen.blk;

import dev.weft.loop.device.Time;
import dev.weft.promise.Promise;
import dev.weft.unix.blocking.BlockingPool;
import dev.weft.xen.bus.Backend;
import dev.weft.xen.bus.SplitDeviceRig;
import dev.weft.xen.bus.XenbusDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.function.Supplier;

/** A vbd on a {@link SplitDeviceRig}, over a temporary file, with a blocking pool for the backend. */
final class VbdRig {
    static final String FRONT = "/local/domain/1/device/vbd/51712";
    static final String BACK = "/local/domain/0/backend/vbd/1/51712";

    final SplitDeviceRig split;
    final Path disk;
    final FileChannel file;
    final BlockingPool pool;

    /** A rig over a new file of {@code bytes} zero bytes, with mode {@code mode} ("w" or "r"). */
    VbdRig(long bytes, String mode) throws Exception {
        this(bytes, mode, 2);
    }

    /** As {@link #VbdRig(long, String)}, with a blocking pool of {@code poolThreads} threads. */
    VbdRig(long bytes, String mode, int poolThreads) throws Exception {
        this(bytes, mode, poolThreads, null);
    }

    /** As {@link #VbdRig(long, String, int)}, the frontend's xenstore timed by {@code frontTime} (if not null). */
    VbdRig(long bytes, String mode, int poolThreads, Time frontTime) throws Exception {
        this(bytes, mode, poolThreads, frontTime, null);
    }

    /** As {@link #VbdRig(long, String, int, Time)}, the backend's xenstore timed by {@code backTime} (if not null). */
    VbdRig(long bytes, String mode, int poolThreads, Time frontTime, Time backTime) throws Exception {
        split = new SplitDeviceRig(FRONT, BACK, Map.of("mode", mode), frontTime, backTime);
        disk = Files.createTempFile("vbd", ".img");
        file = FileChannel.open(disk, StandardOpenOption.READ, StandardOpenOption.WRITE);
        file.write(ByteBuffer.allocate(1), bytes - 1);
        pool = back(() -> Promise.of(BlockingPool.create(split.backLoop, poolThreads, 256)));
    }

    Blkback startBlkback(Blkback.Config config) throws Exception {
        return back(() -> {
            try {
                return Blkback.start(split.backStore, BACK, split.backChannels, split.mapper, pool, file, config);
            } catch (IOException e) {
                return Promise.rejected(e);
            }
        });
    }

    Backend startBackend(XenbusDriver driver) throws Exception {
        return back(() -> Backend.start(split.backStore, BACK, driver));
    }

    Blkfront startBlkfront(Blkfront.Config config) throws Exception {
        return front(() -> Blkfront.start(split.frontStore, FRONT, split.frontChannels, split.grants, config));
    }

    <T> T front(Supplier<Promise<T>> work) throws Exception {
        return split.front(work);
    }

    <T> T back(Supplier<Promise<T>> work) throws Exception {
        return split.back(work);
    }

    void close() throws Exception {
        back(() -> {
            pool.close();
            return Promise.unit();
        });
        split.close();
        file.close();
        Files.deleteIfExists(disk);
    }
}
