package dev.weft.xen.bus;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Time;
import dev.weft.promise.Promise;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A split device as a toolstack creates it, for driver tests: a driver domain (domain 0, the
 * backend, on its own loop) and a guest (domain 1, the frontend, on another), each loop blocking
 * in a {@link XenEngine} of its domain, and the model's xenstore daemon on a third loop. Both
 * directories exist, each readable by the other domain, with {@code backend}, {@code backend-id},
 * {@code frontend} and {@code frontend-id} nodes and whatever else the toolstack adds.
 */
public final class SplitDeviceRig {
    /** How long a step may take before the test fails. */
    public static final long TIMEOUT_SECONDS = 30;

    /** The hypervisor model. */
    public final SimHypervisor xen = new SimHypervisor();
    /** The driver domain (0). */
    public final SimDomain backDomain = xen.createDomain();
    /** The guest (1). */
    public final SimDomain frontDomain = xen.createDomain();
    private final EventChannelDevice backDevice = backDomain.openEventChannels();
    private final EventChannelDevice frontDevice = frontDomain.openEventChannels();
    private final XenEngine backEngine = new XenEngine(backDevice);
    private final XenEngine frontEngine = new XenEngine(frontDevice);
    private final Loop daemonLoop = Loop.builder().name("xenstored").build();
    /** The backend's loop. */
    public final Loop backLoop = Loop.builder().name("dom0").engine(backEngine).build();
    /** The frontend's loop. */
    public final Loop frontLoop = Loop.builder().name("domU").engine(frontEngine).build();
    private final SimXenStore daemon = new SimXenStore();
    /** The frontend's directory. */
    public final String frontPath;
    /** The backend's directory. */
    public final String backPath;
    /** The backend's xenstore client (backend loop). */
    public XenStore backStore;
    /** The frontend's xenstore client (frontend loop). */
    public XenStore frontStore;
    /** The backend's event channels (backend loop). */
    public EventChannels backChannels;
    /** The frontend's event channels (frontend loop). */
    public EventChannels frontChannels;
    /** The backend's grant mapper (backend loop). */
    public GrantMapper mapper;
    /** The frontend's grant allocator (frontend loop). */
    public GrantAllocator grants;

    /** Creates the device ({@code backendNodes} are written in the backend's directory) and starts the loops. */
    public SplitDeviceRig(String frontPath, String backPath, Map<String, String> backendNodes) throws Exception {
        this(frontPath, backPath, backendNodes, null);
    }

    /**
     * As {@link #SplitDeviceRig(String, String, Map)}, the frontend's xenstore client timing its
     * waits with {@code frontTime} (its loop's own if null): a {@link ManualTime}, say.
     */
    public SplitDeviceRig(String frontPath, String backPath, Map<String, String> backendNodes, Time frontTime)
            throws Exception {
        this(frontPath, backPath, backendNodes, frontTime, null);
    }

    /**
     * As {@link #SplitDeviceRig(String, String, Map, Time)}, the backend's xenstore client timing
     * its waits with {@code backTime} (its loop's own if null).
     */
    public SplitDeviceRig(String frontPath, String backPath, Map<String, String> backendNodes, Time frontTime,
                          Time backTime) throws Exception {
        this.frontPath = frontPath;
        this.backPath = backPath;
        daemonLoop.start();
        backLoop.start();
        frontLoop.start();
        XenStore toolstack = XenStore.over(daemon.connect(daemonLoop, daemonLoop, 0), daemonLoop);
        on(daemonLoop, () -> createDevice(toolstack, backendNodes).flatMap(v -> toolstack.close()));
        on(backLoop, () -> {
            backStore = XenStore.over(daemon.connect(daemonLoop, backLoop, 0), backTime == null ? backLoop : backTime);
            backChannels = EventChannels.on(backLoop, backEngine);
            mapper = backDomain.openGrantMapper();
            return Promise.unit();
        });
        on(frontLoop, () -> {
            frontStore = XenStore.over(daemon.connect(daemonLoop, frontLoop, 1), frontTime == null ? frontLoop : frontTime);
            frontChannels = EventChannels.on(frontLoop, frontEngine);
            grants = frontDomain.openGrantAllocator();
            return Promise.unit();
        });
    }

    private Promise<Void> createDevice(XenStore toolstack, Map<String, String> backendNodes) {
        Promise<Void> done = toolstack.mkdir(frontPath)
                .flatMap(v -> toolstack.setPerms(frontPath, Permissions.of(1, Access.NONE).with(0, Access.READ)))
                .flatMap(v -> toolstack.write(frontPath + "/backend", backPath))
                .flatMap(v -> toolstack.write(frontPath + "/backend-id", "0"))
                .flatMap(v -> toolstack.mkdir(backPath))
                .flatMap(v -> toolstack.setPerms(backPath, Permissions.of(0, Access.NONE).with(1, Access.READ)))
                .flatMap(v -> toolstack.write(backPath + "/frontend", frontPath))
                .flatMap(v -> toolstack.write(backPath + "/frontend-id", "1"));
        for (Map.Entry<String, String> node : backendNodes.entrySet()) {
            done = done.flatMap(v -> toolstack.write(backPath + "/" + node.getKey(), node.getValue()));
        }
        return done;
    }

    /** Runs {@code work} on {@code loop} and waits for its promise. */
    public static <T> T on(Loop loop, Supplier<Promise<T>> work) throws Exception {
        return loop.submit(work).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** How many watches the guest's (domain 1's) connection holds at the daemon now. */
    public int frontWatches() throws Exception {
        return on(daemonLoop, () -> Promise.of(daemon.watches(1)));
    }

    /** Runs {@code work} on the frontend's loop and waits for it. */
    public <T> T front(Supplier<Promise<T>> work) throws Exception {
        return on(frontLoop, work);
    }

    /** Runs {@code work} on the backend's loop and waits for it. */
    public <T> T back(Supplier<Promise<T>> work) throws Exception {
        return on(backLoop, work);
    }

    /** Closes the xenstore connections, the loops and the devices. */
    public void close() throws Exception {
        on(frontLoop, () -> frontStore.close());
        on(backLoop, () -> backStore.close());
        on(daemonLoop, daemon::idle);
        // the daemon's last deliveries (end of stream) were queued before these: FIFO inboxes
        on(frontLoop, Promise::unit);
        on(backLoop, Promise::unit);
        frontLoop.close();
        backLoop.close();
        daemonLoop.close();
        frontDevice.close();
        backDevice.close();
    }
}
