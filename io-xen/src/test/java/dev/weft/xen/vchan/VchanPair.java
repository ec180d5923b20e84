package dev.weft.xen.vchan;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Time;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import dev.weft.xen.store.XenStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A test fixture: a server domain (1) and a client domain (2) of the hypervisor model, each on a
 * loop of its own (on a {@link XenEngine}, so a lost notification hangs and times out) with its own
 * xenstore connection to the model daemon on a third loop. The toolstack (dom0) has made {@link
 * #DATA} writable by the server. The test thread reaches each end only through {@link End#await}.
 */
final class VchanPair implements AutoCloseable {
    static final long PATIENCE_SECONDS = 120;
    static final String DATA = "/local/domain/1/data";
    static final String PATH = DATA + "/vchan";

    final SimHypervisor xen = new SimHypervisor();
    final SimDomain dom0 = xen.createDomain();
    final End server = new End(xen.createDomain(), "server");
    final End client = new End(xen.createDomain(), "client");
    private final Loop daemonLoop = Loop.builder().name("xenstored").build();
    private final SimXenStore daemon = new SimXenStore();

    VchanPair() {
        this(null);
    }

    /** As {@link #VchanPair()}, the server's xenstore client timing its waits with {@code serverTime} (if not null). */
    VchanPair(Time serverTime) {
        daemonLoop.start();
        on(daemonLoop, () -> {
            XenStore toolstack = XenStore.over(daemon.connect(daemonLoop, daemonLoop, 0), daemonLoop);
            return toolstack.mkdir(DATA)
                    .flatMap(v -> toolstack.setPerms(DATA, Permissions.of(1, Access.NONE)))
                    .flatMap(v -> toolstack.close());
        });
        server.start(daemon, daemonLoop, serverTime);
        client.start(daemon, daemonLoop, null);
    }

    /** Listens on the server's loop. */
    Vchan listen(int readMin, int writeMin) {
        return server.await(() -> Vchan.listen(server.domain, server.channels, server.store,
                client.domain.domainId(), PATH, readMin, writeMin));
    }

    /** Connects on the client's loop. */
    Vchan connect() {
        return client.await(() -> Vchan.connect(client.domain, client.channels, client.store,
                server.domain.domainId(), PATH));
    }

    @Override
    public void close() {
        server.await(() -> server.store.close());
        client.await(() -> client.store.close());
        on(daemonLoop, daemon::idle);
        // The daemon's last deliveries (end of stream) were queued before these: FIFO inboxes.
        server.stop();
        client.stop();
        daemonLoop.close();
    }

    static <T> T on(Loop loop, Supplier<Promise<T>> work) {
        try {
            return loop.submit(work).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(loop.name() + ": " + e, e);
        }
    }

    /** One domain on its loop and thread. */
    static final class End {
        final SimDomain domain;
        /** The domain's event channels, counting notifications (read on this end's loop). */
        final TransferCost.Counting device;
        final Loop loop;
        private final XenEngine engine;
        EventChannels channels;
        XenStore store;

        End(SimDomain domain, String name) {
            this.domain = domain;
            this.device = new TransferCost.Counting(domain.openEventChannels());
            this.engine = new XenEngine(device);
            this.loop = Loop.builder().name(name).engine(engine).build();
        }

        private void start(SimXenStore daemon, Loop daemonLoop, Time time) {
            loop.start();
            await(() -> {
                channels = EventChannels.on(loop, engine);
                store = XenStore.over(daemon.connect(daemonLoop, loop, domain.domainId()), time == null ? loop : time);
                return Promise.unit();
            });
        }

        /** Runs {@code work} on this end's loop and waits (bounded) for its promise. */
        <T> T await(Supplier<Promise<T>> work) {
            return on(loop, work);
        }

        /** Starts {@code work} on this end's loop; the future completes with its promise. */
        <T> CompletableFuture<T> submit(Supplier<Promise<T>> work) {
            return loop.submit(work);
        }

        /** Runs {@code work} on this end's loop and returns its result. */
        <T> T call(Supplier<T> work) {
            return await(() -> Promise.of(work.get()));
        }

        private void stop() {
            call(() -> {
                channels.close();
                return null;
            });
            loop.close();
            device.close();
        }
    }
}
