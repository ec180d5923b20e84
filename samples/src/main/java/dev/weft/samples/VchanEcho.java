package dev.weft.samples;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.xen.XenPlatform;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.linux.LinuxXenPlatform;
import dev.weft.xen.linux.XenStoreFlows;
import dev.weft.xen.sim.SimHost;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.vchan.Vchan;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The echo sample's Xen backends: {@link EchoServer#echo} served over a vchan (an inter-domain byte
 * stream over granted pages and an event channel) instead of a TCP connection. The echo logic is
 * the same function; only how a {@link dev.weft.loop.device.Flow} is obtained differs.
 *
 * <p>{@code xen-vchan} runs in a real Xen domain (Linux with {@code /dev/xen}): it publishes a
 * vchan for one client domain at a xenstore path and serves one client at a time, for ever.
 * {@code sim-vchan} needs no Xen: it starts a server domain and a client domain on the hypervisor
 * model ({@link SimHost}), each on a loop of its own, and runs the echo client against the server.
 */
final class VchanEcho implements AutoCloseable {
    /** Ring sizes asked for each way (libxenvchan rounds them to whole pages or in-page rings). */
    static final int RING_BYTES = 16 * 1024;
    private static final long PATIENCE_SECONDS = 60;

    private final SimHost host = new SimHost();
    private final SimHost.Guest server = host.startGuest("echo-server");
    private final SimHost.Guest client = host.startGuest("echo-client");
    private final String path = "/local/domain/" + server.domain().domainId() + "/data/weft-echo";

    /** Starts the two domains of the model; the server domain may write its {@code data} directory. */
    VchanEcho() {
        host.giveDirectory("/local/domain/" + server.domain().domainId() + "/data", server.domain().domainId());
    }

    /**
     * Serves clients one after another at {@code path}: a vchan has exactly one client, so the
     * server listens again once the last client's vchan is closed. Never resolves unless
     * listening fails. LOOP THREAD ONLY.
     */
    static Promise<Void> serveClients(XenPlatform platform, EventChannels channels, XenStore store,
                                      int clientDomain, String path) {
        return Vchan.listen(platform, channels, store, clientDomain, path, RING_BYTES, RING_BYTES)
                .flatMap(vchan -> EchoServer.echo(vchan).recover(failure -> vchan.close()))
                .flatMap(v -> serveClients(platform, channels, store, clientDomain, path));
    }

    /**
     * Publishes a vchan on the model's server domain, serves one client with {@link
     * EchoServer#echo}, connects the client domain to it and runs {@code session} on the client's
     * loop; the client's vchan is closed afterwards. Call from a thread that is neither loop's.
     *
     * @return completes with the session's result once both ends are closed
     */
    <T> CompletableFuture<T> withClient(Function<Flow, Promise<T>> session) {
        int clientDomain = client.domain().domainId();
        int serverDomain = server.domain().domainId();
        Vchan listening = await(server.submit(() -> Vchan.listen(server.domain(), server.channels(), server.store(),
                clientDomain, path, RING_BYTES, RING_BYTES)));
        CompletableFuture<Void> served = server.submit(
                () -> EchoServer.echo(listening).recover(failure -> listening.close()));
        CompletableFuture<T> result = client.submit(() -> Vchan.connect(client.domain(), client.channels(),
                client.store(), serverDomain, path).flatMap(vchan -> session.apply(vchan).andFinally(vchan::close)));
        return result.thenCombine(served, (value, v) -> value);
    }

    /** Stops both domains and the model's xenstore daemon. */
    @Override
    public void close() {
        host.close();
    }

    /** {@code --backend sim-vchan}: the echo client's round trips against the server, both on the model. */
    static void runOnModel(int messages) {
        try (VchanEcho model = new VchanEcho()) {
            System.out.println("Weft echo server on a vchan of the Xen model: " + model.server + " serves "
                    + model.client + " at " + model.path);
            long start = System.nanoTime();
            int roundTrips = await(model.withClient(flow -> EchoClient.pingPong(flow, 0, messages)));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d round trips over a vchan in %.3f s: %.0f round trips/s%n",
                    roundTrips, seconds, roundTrips / seconds);
        }
    }

    /**
     * {@code --backend xen-vchan}: serves vchan clients from {@code clientDomain} at {@code path}
     * (default {@code /local/domain/<this domain>/data/weft-echo}) until killed. Needs a Xen domain.
     *
     * @throws dev.weft.xen.linux.NotInXenDomainException if {@code /dev/xen} is missing
     */
    static void runOnXen(int clientDomain, String path) {
        LinuxXenPlatform platform = LinuxXenPlatform.open();
        String at = path != null ? path : "/local/domain/" + platform.domainId() + "/data/weft-echo";
        // epoll: xenbus is a file descriptor, and the event-channel device's fd joins the same loop.
        Engine engine = Engines.open(EngineKind.EPOLL);
        // The device is closed after the loop, which unregisters its fd on closing.
        try (EventChannelDevice device = platform.openEventChannels();
             Loop loop = Loop.builder().name("weft-echo-vchan").engine(engine).build()) {
            XenStore store = XenStore.over(XenStoreFlows.openXenbus(Sockets.on(loop)), loop);
            EventChannels channels = EventChannels.on(loop, device);
            System.out.println("Weft echo server on a vchan at " + at + " for domain " + clientDomain);
            System.out.flush();
            loop.run(serveClients(platform, channels, store, clientDomain, at));
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("vchan echo on the model: " + e, e);
        }
    }
}
