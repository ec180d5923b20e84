package dev.weft.samples;

import dev.weft.promise.Promise;
import dev.weft.unix.blocking.BlockingPool;
import dev.weft.xen.blk.Blkback;
import dev.weft.xen.blk.Blkfront;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.sim.SimHost;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A Xen virtual disk on the hypervisor model, as a toolstack sets one up: a driver domain runs
 * blkback over a file, a guest runs blkfront, each on a loop of its own; the guest sees a {@link
 * dev.weft.loop.device.Block}. Call from a thread that is neither loop's.
 */
final class ModelDisk implements AutoCloseable {
    private static final long PATIENCE_SECONDS = 60;

    private final SimHost host = new SimHost();
    private final SimHost.Guest driver = host.startGuest("blkback");
    private final SimHost.Guest guest = host.startGuest("blkfront");
    private final FileChannel file;
    private final BlockingPool pool;
    private final GrantMapper mapper;
    private final GrantAllocator grants;
    private final Blkback blkback;
    private final Blkfront blkfront;

    /** Offers {@code image} (read-write, 512-byte sectors) to the guest as vbd 51712 and connects it. */
    ModelDisk(Path image) throws IOException {
        int back = driver.domain().domainId();
        int front = guest.domain().domainId();
        String frontPath = "/local/domain/" + front + "/device/vbd/51712";
        String backPath = "/local/domain/" + back + "/backend/vbd/" + front + "/51712";
        host.toolstack(store -> store.mkdir(frontPath)
                .flatMap(v -> store.setPerms(frontPath, Permissions.of(front, Access.NONE).with(back, Access.READ)))
                .flatMap(v -> store.write(frontPath + "/backend", backPath))
                .flatMap(v -> store.write(frontPath + "/backend-id", Integer.toString(back)))
                .flatMap(v -> store.mkdir(backPath))
                .flatMap(v -> store.setPerms(backPath, Permissions.of(back, Access.NONE).with(front, Access.READ)))
                .flatMap(v -> store.write(backPath + "/frontend", frontPath))
                .flatMap(v -> store.write(backPath + "/frontend-id", Integer.toString(front)))
                .flatMap(v -> store.write(backPath + "/mode", "w")));
        file = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        pool = await(driver.submit(() -> Promise.of(BlockingPool.create(driver.loop(), 2, 256))));
        mapper = await(driver.submit(() -> Promise.of(driver.domain().openGrantMapper())));
        blkback = await(driver.submit(() -> {
            try {
                return Blkback.start(driver.store(), backPath, driver.channels(), mapper, pool, file,
                        new Blkback.Config(false, 512, 0, true));
            } catch (IOException e) {
                return Promise.rejected(e);
            }
        }));
        grants = await(guest.submit(() -> Promise.of(guest.domain().openGrantAllocator())));
        blkfront = await(guest.submit(() -> Blkfront.start(guest.store(), frontPath, guest.channels(), grants,
                Blkfront.Config.DEFAULT)));
    }

    /** The guest's disk. Guest loop thread only. */
    Blkfront blkfront() {
        return blkfront;
    }

    /** Runs {@code work} on the guest's loop; the future completes as its promise does. */
    <T> CompletableFuture<T> onGuest(Supplier<? extends Promise<? extends T>> work) {
        return guest.submit(work);
    }

    /** The guest's loop, for io-unix devices that live beside blkfront. */
    dev.weft.loop.Loop guestLoop() {
        return guest.loop();
    }

    /** Disconnects the frontend, stops the backend, and closes the file and both domains. */
    @Override
    public void close() throws IOException {
        await(guest.submit(blkfront::disconnect));
        await(driver.submit(() -> blkback.close().map(v -> {
            pool.close();
            mapper.close();
            return v;
        })));
        await(guest.submit(() -> {
            grants.close();
            return Promise.unit();
        }));
        host.close();
        file.close();
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the model's virtual disk: " + e, e);
        }
    }
}
