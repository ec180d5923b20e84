package dev.weft.xen.sim;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.XenStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A whole machine on the hypervisor model, for demonstrations and benchmarks: a {@link
 * SimHypervisor}, a xenstore daemon on a loop of its own, and guest domains each running on a loop
 * of its own thread (on a {@link XenEngine}) with its event channels and a xenstore connection, as
 * a unikernel has them after boot.
 *
 * <p><b>Threading:</b> the host's methods may be called from any thread but the loops'; a {@link
 * Guest}'s {@link Guest#channels()} and {@link Guest#store()} are for its loop thread only, reached
 * through {@link Guest#submit}.
 */
public final class SimHost implements AutoCloseable {
    private static final long PATIENCE_SECONDS = 60;

    private final SimHypervisor hypervisor = new SimHypervisor();
    private final SimDomain dom0 = hypervisor.createDomain();
    private final Loop daemonLoop = Loop.builder().name("xenstored").build();
    private final SimXenStore daemon = new SimXenStore();
    private final List<Guest> guests = new ArrayList<>();

    /** Starts the xenstore daemon's loop; domain 0 is the toolstack. */
    public SimHost() {
        daemonLoop.start();
    }

    /**
     * Creates a domain and starts its loop, event channels and xenstore connection.
     *
     * @throws LoopClosed if the guest's loop closed while it started (its exit hooks were done,
     *     so the event channels and xenstore connection just opened are closed again)
     */
    public Guest startGuest(String name) {
        Guest guest = new Guest(hypervisor.createDomain(), name);
        guests.add(guest);
        guest.start();
        return guest;
    }

    /**
     * As the toolstack (dom0) does for a guest's {@code data} directory: creates {@code path} and
     * makes {@code owner} its owner, so that domain may write below it.
     */
    public void giveDirectory(String path, int owner) {
        toolstack(store -> store.mkdir(path)
                .flatMap(v -> store.setPerms(path, Permissions.of(owner, Permissions.Access.NONE))));
    }

    /**
     * Runs {@code work} as the toolstack (dom0) with a xenstore connection of its own (to create
     * devices, say) and waits for it; the connection is closed afterwards.
     */
    public void toolstack(Function<XenStore, Promise<Void>> work) {
        await(daemonLoop, () -> {
            XenStore toolstack = XenStore.over(daemon.connect(daemonLoop, daemonLoop, dom0.domainId()), daemonLoop);
            return work.apply(toolstack).flatMap(v -> toolstack.close());
        });
    }

    /**
     * Closes every guest's xenstore connection and waits for the daemon to settle, then closes
     * every guest's loop, whose exit hooks close its event channels (a guest whose loop has
     * closed already, on a shutdown request say, closed both then), then stops the daemon's loop.
     */
    @Override
    public void close() {
        for (Guest guest : guests) {
            if (!guest.loop.isClosed()) {
                await(guest.loop, () -> guest.store.close()); // then the daemon settles while the loop still runs
            }
        }
        await(daemonLoop, daemon::idle);
        for (Guest guest : guests) {
            guest.loop.close();
            guest.device.close();
        }
        daemonLoop.close();
    }

    private static <T> T await(Loop loop, Supplier<Promise<T>> work) {
        try {
            return loop.submit(work).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LoopClosed closed) {
                throw closed; // typed: the loop closed (a shutdown raced the start); what was opened is closed
            }
            throw new IllegalStateException(loop.name() + ": " + e, e);
        } catch (Exception e) {
            throw new IllegalStateException(loop.name() + ": " + e, e);
        }
    }

    /** One guest domain on its loop and thread. */
    public final class Guest {
        private final SimDomain domain;
        private final EventChannelDevice device;
        private final XenEngine engine;
        private final Loop loop;
        /** Loop thread only. */
        private EventChannels channels;
        /** Loop thread only. */
        private XenStore store;

        private Guest(SimDomain domain, String name) {
            this.domain = domain;
            this.device = domain.openEventChannels();
            this.engine = new XenEngine(device);
            this.loop = Loop.builder().name(name).engine(engine).build();
        }

        private void start() {
            loop.start();
            await(loop, () -> {
                channels = EventChannels.on(loop, engine);
                store = XenStore.over(daemon.connect(daemonLoop, loop, domain.domainId()), loop);
                // The guest's last exit hooks, as its connections are the last thing a domain
                // gives up: whatever the application adds later runs first and may still use them.
                try {
                    loop.onExit(channels::close);
                    loop.atExit(store::close);
                } catch (LoopClosed refused) { // the loop closed while the guest started: the hooks would never run
                    store.close();
                    channels.close();
                    throw refused;
                }
                return Promise.unit();
            });
        }

        /** The domain: its id, grant allocator and mapper (a {@link dev.weft.xen.XenPlatform}). */
        public SimDomain domain() {
            return domain;
        }

        /**
         * The loop the guest runs on. Closing it shuts the guest down: the application's exit
         * hooks run, then the guest's xenstore connection and event channels are closed.
         */
        public Loop loop() {
            return loop;
        }

        /** The guest's event channels. LOOP THREAD ONLY. */
        public EventChannels channels() {
            return channels;
        }

        /** The guest's xenstore connection. LOOP THREAD ONLY. */
        public XenStore store() {
            return store;
        }

        /** Runs {@code work} on the guest's loop; the future completes as its promise does. */
        public <T> CompletableFuture<T> submit(Supplier<? extends Promise<? extends T>> work) {
            return loop.submit(work);
        }

        @Override
        public String toString() {
            return loop.name() + " (" + domain + ")";
        }
    }
}
