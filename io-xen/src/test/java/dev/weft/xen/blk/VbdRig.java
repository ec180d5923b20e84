package dev.weft.xen.blk;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.blocking.BlockingPool;
import dev.weft.xen.bus.Backend;
import dev.weft.xen.bus.XenbusDriver;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import dev.weft.xen.store.XenStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A driver domain (domain 0, the backend, on its own loop) and a guest (domain 1, the frontend,
 * on another), each loop blocking in a {@link XenEngine} of its domain, and the model's xenstore
 * daemon on a third loop: a vbd as a toolstack would create it, over a temporary file.
 */
final class VbdRig {
    static final long TIMEOUT_SECONDS = 30;
    static final String FRONT = "/local/domain/1/device/vbd/51712";
    static final String BACK = "/local/domain/0/backend/vbd/1/51712";

    final SimHypervisor xen = new SimHypervisor();
    final SimDomain backDomain = xen.createDomain();
    final SimDomain frontDomain = xen.createDomain();
    private final EventChannelDevice backDevice = backDomain.openEventChannels();
    private final EventChannelDevice frontDevice = frontDomain.openEventChannels();
    private final XenEngine backEngine = new XenEngine(backDevice);
    private final XenEngine frontEngine = new XenEngine(frontDevice);
    final Loop daemonLoop = Loop.builder().name("xenstored").build();
    final Loop backLoop = Loop.builder().name("dom0").engine(backEngine).build();
    final Loop frontLoop = Loop.builder().name("domU").engine(frontEngine).build();
    private final SimXenStore daemon = new SimXenStore();
    final Path disk;
    final FileChannel file;
    XenStore backStore;
    XenStore frontStore;
    EventChannels backChannels;
    EventChannels frontChannels;
    GrantMapper mapper;
    GrantAllocator grants;
    BlockingPool pool;

    /** A rig over a new file of {@code bytes} zero bytes, with mode {@code mode} ("w" or "r"). */
    VbdRig(long bytes, String mode) throws Exception {
        disk = Files.createTempFile("vbd", ".img");
        file = FileChannel.open(disk, StandardOpenOption.READ, StandardOpenOption.WRITE);
        file.truncate(0);
        file.write(java.nio.ByteBuffer.allocate(1), bytes - 1);
        daemonLoop.start();
        backLoop.start();
        frontLoop.start();
        XenStore toolstack = XenStore.over(daemon.connect(daemonLoop, daemonLoop, 0), daemonLoop);
        on(daemonLoop, () -> createDevice(toolstack, mode).flatMap(v -> toolstack.close()));
        on(backLoop, () -> {
            backStore = XenStore.over(daemon.connect(daemonLoop, backLoop, 0), backLoop);
            backChannels = EventChannels.on(backLoop, backEngine);
            mapper = backDomain.openGrantMapper();
            pool = BlockingPool.create(backLoop, 2, 256);
            return Promise.unit();
        });
        on(frontLoop, () -> {
            frontStore = XenStore.over(daemon.connect(daemonLoop, frontLoop, 1), frontLoop);
            frontChannels = EventChannels.on(frontLoop, frontEngine);
            grants = frontDomain.openGrantAllocator();
            return Promise.unit();
        });
    }

    private static Promise<Void> createDevice(XenStore toolstack, String mode) {
        return toolstack.mkdir(FRONT)
                .flatMap(v -> toolstack.setPerms(FRONT, Permissions.of(1, Access.NONE).with(0, Access.READ)))
                .flatMap(v -> toolstack.write(FRONT + "/backend", BACK))
                .flatMap(v -> toolstack.write(FRONT + "/backend-id", "0"))
                .flatMap(v -> toolstack.mkdir(BACK))
                .flatMap(v -> toolstack.setPerms(BACK, Permissions.of(0, Access.NONE).with(1, Access.READ)))
                .flatMap(v -> toolstack.write(BACK + "/frontend", FRONT))
                .flatMap(v -> toolstack.write(BACK + "/frontend-id", "1"))
                .flatMap(v -> toolstack.write(BACK + "/mode", mode));
    }

    /** Starts the software backend over the rig's file. */
    Blkback startBlkback(Blkback.Config config) throws Exception {
        return on(backLoop, () -> {
            try {
                return Blkback.start(backStore, BACK, backChannels, mapper, pool, file, config);
            } catch (IOException e) {
                return Promise.rejected(e);
            }
        });
    }

    /** Starts a backend end with {@code driver} (a hostile one, say). */
    Backend startBackend(XenbusDriver driver) throws Exception {
        return on(backLoop, () -> Backend.start(backStore, BACK, driver));
    }

    /** Starts blkfront and waits until it is connected. */
    Blkfront startBlkfront(Blkfront.Config config) throws Exception {
        return on(frontLoop, () -> Blkfront.start(frontStore, FRONT, frontChannels, grants, config));
    }

    /** Runs {@code work} on {@code loop} and waits for its promise. */
    static <T> T on(Loop loop, Supplier<Promise<T>> work) throws Exception {
        return loop.submit(work).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Runs {@code work} on the frontend's loop and waits for it. */
    <T> T front(Supplier<Promise<T>> work) throws Exception {
        return on(frontLoop, work);
    }

    /** Runs {@code work} on the backend's loop and waits for it. */
    <T> T back(Supplier<Promise<T>> work) throws Exception {
        return on(backLoop, work);
    }

    /** Closes the xenstore connections, the loops, the devices and the file. */
    void close() throws Exception {
        on(frontLoop, () -> frontStore.close());
        on(backLoop, () -> {
            pool.close();
            return backStore.close();
        });
        on(daemonLoop, daemon::idle);
        // the daemon's last deliveries (end of stream) were queued before these: FIFO inboxes
        on(frontLoop, Promise::unit);
        on(backLoop, Promise::unit);
        frontLoop.close();
        backLoop.close();
        daemonLoop.close();
        frontDevice.close();
        backDevice.close();
        file.close();
        Files.deleteIfExists(disk);
    }
}
