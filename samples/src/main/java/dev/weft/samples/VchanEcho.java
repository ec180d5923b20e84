package dev.weft.samples;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
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
import dev.weft.xen.lifecycle.Lifecycle;
import dev.weft.xen.lifecycle.Lifecycle.Request;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
        host.giveDirectory(home() + "/data", server.domain().domainId());
        host.giveDirectory(home() + "/control", server.domain().domainId());
    }

    /** The requests that stop the server gracefully; suspend and crash are not handled. */
    static final Set<Request> STOPPING = Set.of(Request.POWEROFF, Request.REBOOT, Request.HALT);

    /**
     * Serves vchan clients one after another at {@code path} (a vchan has exactly one client, so
     * the server listens again once the last client's vchan is closed), with an exit hook on
     * {@code loop} that stops listening and drains the client being served ({@link
     * EchoConnections#drain}). LOOP THREAD ONLY.
     *
     * @return fulfilled once the first vchan is published (a client may connect)
     */
    static Promise<Void> serveClients(Loop loop, XenPlatform platform, EventChannels channels, XenStore store,
                             int clientDomain, String path) {
        EchoConnections connections = new EchoConnections();
        ClientLoop clients = new ClientLoop(platform, channels, store, clientDomain, path, connections);
        loop.atExit(() -> {
            clients.stopListening();
            return connections.drain();
        });
        Promise.async(clients::next);
        return clients.published.promise();
    }

    /** The server's listen-serve-listen loop; stops listening once its connections drain. LOOP THREAD ONLY. */
    private static final class ClientLoop {
        private final XenPlatform platform;
        private final EventChannels channels;
        private final XenStore store;
        private final int clientDomain;
        private final String path;
        private final EchoConnections connections;
        /** The listen waiting for a client, or null while one is served. */
        private Promise<Vchan> listening;
        /** Resolved when the first vchan is published. */
        private final Resolver<Void> published = Promise.pending();

        ClientLoop(XenPlatform platform, EventChannels channels, XenStore store, int clientDomain, String path,
                   EchoConnections connections) {
            this.platform = platform;
            this.channels = channels;
            this.store = store;
            this.clientDomain = clientDomain;
            this.path = path;
            this.connections = connections;
        }

        Promise<Void> next() {
            if (connections.draining()) {
                return Promise.unit();
            }
            listening = Vchan.listen(platform, channels, store, clientDomain, path, RING_BYTES, RING_BYTES);
            return listening.flatMap(vchan -> {
                listening = null;
                if (published.promise().isPending()) {
                    published.resolve(null);
                }
                return connections.serve(vchan);
            }).flatMap(v -> next());
        }

        /** Cancels a listen still waiting for its client (a client being served is drained instead). */
        void stopListening() {
            if (listening != null) {
                listening.cancel();
            }
        }
    }

    /**
     * On the model's server domain: serves echo clients until the toolstack writes a poweroff,
     * reboot or halt request into the domain's {@code control/shutdown}; then closes the server's
     * loop with {@code grace}, which drains the client being served and runs the exit hooks, as
     * SIGTERM does for the TCP server. Call from a thread that is neither loop's.
     *
     * @return completes with the request once it is acknowledged (before the drain), and {@code
     *     stopped} once the server's exit hooks are done
     */
    CompletableFuture<Request> serveUntilShutdownRequest(Duration grace, CompletableFuture<Void> stopped) {
        Loop loop = server.loop();
        await(server.submit(() -> {
            loop.onExit(() -> stopped.complete(null)); // the oldest hook of the application: it runs last
            return serveClients(loop, server.domain(), server.channels(), server.store(), client.domain().domainId(),
                    path);
        }));
        return server.submit(() -> Lifecycle.shutdownOnRequest(loop, server.store(), home(), STOPPING, grace)
                .map(request -> {
                    System.out.println(request + ": shutting down gracefully (grace " + grace.toMillis() + " ms)");
                    return request;
                }));
    }

    /** Writes {@code request} into the server domain's {@code control/shutdown}, as {@code xl shutdown} does. */
    void requestShutdown(Request request) {
        host.toolstack(store -> store.write(home() + "/control/shutdown", request.key()));
    }

    /** The server domain's {@code control/shutdown} as the toolstack reads it now. */
    String shutdownKey() {
        String[] value = new String[1];
        host.toolstack(store -> store.read(home() + "/control/shutdown").map(read -> {
            value[0] = read;
            return null;
        }));
        return value[0];
    }

    /** The server domain (its loop, channels, store), for tests. */
    SimHost.Guest server() {
        return server;
    }

    /** The client domain, for tests. */
    SimHost.Guest client() {
        return client;
    }

    /** The xenstore path the server publishes its vchan at. */
    String path() {
        return path;
    }

    private String home() {
        return "/local/domain/" + server.domain().domainId();
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
     * (default {@code /local/domain/<this domain>/data/weft-echo}) until SIGTERM, SIGINT or a
     * poweroff, reboot or halt request in the domain's {@code control/shutdown} (acknowledged at
     * once, as the toolstack expects); then closes the loop with {@code grace}, which drains the
     * client being served and runs the exit hooks. Needs a Xen domain.
     *
     * @return what stopped it: {@code "SIGTERM"}, {@code "SIGINT"}, or the request ({@code "POWEROFF"}...)
     * @throws dev.weft.xen.linux.NotInXenDomainException if {@code /dev/xen} is missing
     */
    static String runOnXen(int clientDomain, String path, Duration grace) {
        LinuxXenPlatform platform = LinuxXenPlatform.open();
        String home = "/local/domain/" + platform.domainId();
        String at = path != null ? path : home + "/data/weft-echo";
        // epoll: xenbus is a file descriptor, and the event-channel device's fd joins the same loop.
        Engine engine = Engines.open(EngineKind.EPOLL);
        // The device is closed after the loop, which unregisters its fd on closing.
        try (EventChannelDevice device = platform.openEventChannels();
             Loop loop = Loop.builder().name("weft-echo-vchan").engine(engine).build()) {
            XenStore store = XenStore.over(XenStoreFlows.openXenbus(Sockets.on(loop)), loop);
            EventChannels channels = EventChannels.on(loop, device);
            loop.onExit(channels::close);
            loop.atExit(store::close); // after the drain, which may still need xenstore
            serveClients(loop, platform, channels, store, clientDomain, at);
            System.out.println("Weft echo server on a vchan at " + at + " for domain " + clientDomain);
            System.out.flush();
            String stoppedBy = loop.run(Promise.pick(List.of(StopSignal.next(loop),
                    Lifecycle.shutdownOnRequest(loop, store, home, STOPPING, grace).map(Request::name))));
            System.out.println(stoppedBy + ": shutting down gracefully (grace " + grace.toMillis() + " ms)");
            System.out.flush();
            loop.close(grace);
            return stoppedBy;
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
