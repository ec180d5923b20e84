package dev.weft.bench.xen;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Block;
import dev.weft.promise.Promise;
import dev.weft.unix.blocking.BlockingPool;
import dev.weft.xen.blk.Blkback;
import dev.weft.xen.blk.Blkfront;
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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The disk image as a Xen virtual block device on the hypervisor model: {@link Blkfront} in a
 * guest (domain 1, on a loop of its own thread blocking in a {@link XenEngine}) against the
 * software {@link Blkback} in a driver domain (domain 0, on another such loop) serving the file
 * through a {@link BlockingPool}, with the model's xenstore daemon on a third loop and the vbd's
 * directories written as a toolstack writes them. Every request crosses a one-page ring (32
 * slots), an event channel each way, and a grant per 4 KiB page.
 */
final class BlkfrontOnModel implements BlockPath {
    private static final String FRONT = "/local/domain/1/device/vbd/51712";
    private static final String BACK = "/local/domain/0/backend/vbd/1/51712";
    private static final Blkback.Config READ_WRITE = new Blkback.Config(false, 512, 0, false);

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain backDomain = xen.createDomain();
    private final SimDomain frontDomain = xen.createDomain();
    private final EventChannelDevice backDevice = backDomain.openEventChannels();
    private final EventChannelDevice frontDevice = frontDomain.openEventChannels();
    private final XenEngine backEngine = new XenEngine(backDevice);
    private final XenEngine frontEngine = new XenEngine(frontDevice);
    private final Loop daemonLoop = Loop.builder().name("xenstored").build();
    private final Loop backLoop = Loop.builder().name("blkback").engine(backEngine).build();
    private final Loop frontLoop = Loop.builder().name("blkfront").engine(frontEngine).build();
    private final SimXenStore daemon = new SimXenStore();
    private final FileChannel file;
    /** Back loop only. */
    private XenStore backStore;
    private GrantMapper mapper;
    private BlockingPool pool;
    private Blkback blkback;
    /** Front loop only. */
    private XenStore frontStore;
    private GrantAllocator grants;
    private Blkfront blkfront;

    /** Creates the vbd over {@code image} and waits until blkfront is connected. */
    BlkfrontOnModel(Path image, int poolThreads) throws Exception {
        file = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        daemonLoop.start();
        backLoop.start();
        frontLoop.start();
        XenStore toolstack = XenStore.over(daemon.connect(daemonLoop, daemonLoop, 0), daemonLoop);
        on(daemonLoop, () -> createDevice(toolstack).flatMap(v -> toolstack.close()));
        on(backLoop, () -> {
            backStore = XenStore.over(daemon.connect(daemonLoop, backLoop, 0), backLoop);
            mapper = backDomain.openGrantMapper();
            pool = BlockingPool.create(backLoop, poolThreads, 256);
            try {
                return Blkback.start(backStore, BACK, EventChannels.on(backLoop, backEngine), mapper, pool, file,
                        READ_WRITE).map(started -> {
                            blkback = started;
                            return null;
                        });
            } catch (IOException e) {
                return Promise.rejected(e);
            }
        });
        on(frontLoop, () -> {
            frontStore = XenStore.over(daemon.connect(daemonLoop, frontLoop, 1), frontLoop);
            grants = frontDomain.openGrantAllocator();
            return Blkfront.start(frontStore, FRONT, EventChannels.on(frontLoop, frontEngine), grants,
                    Blkfront.Config.DEFAULT).map(connected -> {
                        blkfront = connected;
                        return null;
                    });
        });
    }

    private static Promise<Void> createDevice(XenStore toolstack) {
        return toolstack.mkdir(FRONT)
                .flatMap(v -> toolstack.setPerms(FRONT, Permissions.of(1, Access.NONE).with(0, Access.READ)))
                .flatMap(v -> toolstack.write(FRONT + "/backend", BACK))
                .flatMap(v -> toolstack.write(FRONT + "/backend-id", "0"))
                .flatMap(v -> toolstack.mkdir(BACK))
                .flatMap(v -> toolstack.setPerms(BACK, Permissions.of(0, Access.NONE).with(1, Access.READ)))
                .flatMap(v -> toolstack.write(BACK + "/frontend", FRONT))
                .flatMap(v -> toolstack.write(BACK + "/frontend-id", "1"))
                .flatMap(v -> toolstack.write(BACK + "/mode", "w"));
    }

    private static <T> T on(Loop loop, Supplier<Promise<T>> work)
            throws InterruptedException, ExecutionException, TimeoutException {
        return loop.submit(work).get(30, TimeUnit.SECONDS);
    }

    @Override
    public String name() {
        return "blkfront -> blkback (model)";
    }

    @Override
    public Loop loop() {
        return frontLoop;
    }

    @Override
    public Block block() {
        return blkfront;
    }

    /** Requests the backend answered so far. Any thread. */
    long backendRequests() throws Exception {
        return on(backLoop, () -> Promise.of(blkback.requests()));
    }

    /** Disconnects the device, stops the loops and closes the file. */
    @Override
    public void close() throws IOException {
        try {
            tearDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while closing the vbd", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the vbd did not close", e);
        }
    }

    private void tearDown() throws IOException, InterruptedException, ExecutionException, TimeoutException {
        on(frontLoop, () -> blkfront.disconnect().flatMap(v -> frontStore.close()).andFinally(() -> {
            grants.close();
            return Promise.unit();
        }));
        on(backLoop, () -> blkback.close().flatMap(v -> backStore.close()).andFinally(() -> {
            pool.close();
            mapper.close();
            return Promise.unit();
        }));
        on(daemonLoop, daemon::idle);
        // the daemon's last deliveries (end of stream) were queued before these: the inboxes are FIFO
        on(frontLoop, Promise::unit);
        on(backLoop, Promise::unit);
        frontLoop.close();
        backLoop.close();
        daemonLoop.close();
        frontDevice.close();
        backDevice.close();
        file.close();
    }
}
