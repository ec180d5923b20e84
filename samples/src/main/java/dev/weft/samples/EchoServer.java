package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopGroup;
import dev.weft.loop.device.Flow;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.SocketClosedException;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.GroupSockets;
import dev.weft.unix.net.TcpListener;
import dev.weft.xen.linux.NotInXenDomainException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;

/**
 * An echo server as a promise pipeline: every byte a client sends comes back. Each connection
 * is one recursive chain {@code read → write → read ...}, which runs in constant memory. The chain
 * ({@link #echo}) is written against {@link Flow}, so the same function serves every backend,
 * chosen by configuration alone:
 *
 * <ul>
 *   <li>{@code --backend tcp} (the default): TCP on io-unix, {@code --host}, {@code --port},
 *       {@code --engine epoll|nio}, {@code --write-timeout-ms}, {@code --loops N} (default: one
 *       per available processor) and {@code --spread reuseport|acceptor} apply;
 *   <li>{@code --backend xen-vchan}: a vchan in a real Xen domain (Linux with {@code /dev/xen}),
 *       published at {@code --path} (default {@code /local/domain/<self>/data/weft-echo}) for the
 *       client domain {@code --domain N}; one client at a time, for ever;
 *   <li>{@code --backend sim-vchan}: no Xen needed: a server domain and a client domain on the
 *       hypervisor model in this process; the echo client sends {@code --messages} messages over
 *       the vchan, checks every echo, prints round trips per second and exits.
 * </ul>
 *
 * <p>Usage: {@code EchoServer [--backend tcp|xen-vchan|sim-vchan] [--host 127.0.0.1] [--port 7007]
 * [--engine epoll|nio] [--write-timeout-ms 30000] [--loops N] [--spread reuseport|acceptor] [--domain N]
 * [--path P] [--messages 1000] [--grace-ms 5000]}
 *
 * <p>Graceful shutdown, the same on every backend: on SIGTERM or SIGINT (and, on Xen, a poweroff
 * or reboot request in the domain's {@code control/shutdown}) the loops are closed with {@code
 * --grace-ms}; each loop's exit hook stops accepting and drains its connections (an echo being
 * written is finished, then the connection closed; idle ones close at once), and the process
 * exits with status 0.
 */
public final class EchoServer {
    private static final String USAGE = "EchoServer [--backend tcp|xen-vchan|sim-vchan] [--host H] [--port N]"
            + " [--engine epoll|nio] [--write-timeout-ms MS] [--loops N] [--spread reuseport|acceptor]"
            + " [--domain N] [--path P] [--messages M] [--grace-ms MS]";

    private EchoServer() {}

    /**
     * Echoes one flow until the peer ends its side, then closes it. The flow is closed however
     * the echo ends: at end of stream, when a read or write fails (a peer that reset), and when
     * the returned promise is cancelled, so a failed connection leaves no fd or buffer behind.
     *
     * @param flow a connected stream (TCP, Unix socket, vchan)
     * @return fulfilled once the flow is closed after the peer's end of stream; rejected, once it
     *     is closed, with the read's or write's failure
     */
    public static Promise<Void> echo(Flow flow) {
        return echoUntilEnd(flow).andFinally(flow::close);
    }

    /**
     * The recursive chain: a bind per echo, which the promise core keeps in constant memory; the
     * close sits outside it, in {@link #echo}, so it is one node for the whole connection.
     */
    private static Promise<Void> echoUntilEnd(Flow flow) {
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> flow.write(bytes).flatMap(v -> echoUntilEnd(flow));
            case Flow.EndOfStream end -> Promise.unit();
        });
    }

    /**
     * Accepts connections for ever, echoing each. Nothing a client does ends it: out of fds, the
     * listener backs off and sheds by itself (see {@link TcpListener}); any other accept failure
     * is reported to the async-exception hook and accepting goes on at the next connection.
     *
     * @param listener a listening socket: TCP (its connections get TCP_NODELAY) or Unix-domain
     * @return resolved only if the listener is closed
     */
    public static Promise<Void> acceptLoop(TcpListener listener) {
        return acceptLoop(listener, new EchoConnections(), isTcp(listener));
    }

    private static Promise<Void> acceptLoop(TcpListener listener, EchoConnections connections, boolean tcp) {
        return listener.accept().tryBind(flow -> {
            start(flow, connections, tcp);
            return acceptLoop(listener, connections, tcp);
        }, failure -> {
            if (failure instanceof SocketClosedException) {
                return Promise.unit();
            }
            LoopHooks.reportAsyncException(failure);
            return Promise.pause().flatMap(v -> acceptLoop(listener, connections, tcp));
        });
    }

    /** Whether {@code listener} takes TCP connections (an IP address), not Unix-domain ones, which have no TCP_NODELAY. */
    static boolean isTcp(TcpListener listener) {
        return listener.localAddress() instanceof InetSocketAddress;
    }

    /** Serves {@code flow}; on TCP ({@code tcp}) with TCP_NODELAY first, so that each echo goes out at once. */
    private static void start(SocketFlow flow, EchoConnections connections, boolean tcp) {
        if (tcp) {
            try {
                flow.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (RuntimeException e) { // reset already: drop this connection, not the server
                flow.close();
                return;
            }
        }
        Promise.async(() -> connections.serve(flow));
    }

    /**
     * Runs the server until SIGTERM or SIGINT (on Xen, also a poweroff or reboot request), then
     * shuts it down gracefully and exits with status 0.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        SampleOptions options = options(args);
        switch (options.text("backend")) {
            case "tcp" -> {
                TcpEcho server = serveTcp(options);
                CompletableFuture<String> signal = StopSignal.onSignals(server.group().loop(0));
                System.out.println("Weft echo server on " + server.address() + " (" + server.group().size()
                        + " loops, " + options.text("spread") + ")");
                System.out.flush();
                System.out.println(signal.join() + ": shutting down gracefully (grace " + options.grace().toMillis() + " ms)");
                server.stop();
                System.out.println("stopped");
            }
            case "xen-vchan" -> {
                if (options.text("domain") == null) {
                    options.fail("--backend xen-vchan needs --domain N, the client's domain id");
                }
                try {
                    VchanEcho.runOnXen(options.integer("domain"), options.text("path"), options.grace());
                    System.out.println("stopped");
                } catch (NotInXenDomainException e) {
                    options.fail(e.getMessage() + "; without Xen, --backend sim-vchan runs both ends on the model");
                }
            }
            case "sim-vchan" -> VchanEcho.runOnModel(options.integer("messages"));
            default -> options.fail("unknown backend " + options.text("backend"));
        }
    }

    static SampleOptions options(String[] args) {
        Map<String, String> defaults = SampleOptions.server(7007);
        defaults.put("backend", "tcp");
        defaults.put("spread", "reuseport");
        defaults.put("domain", null);
        defaults.put("path", null);
        defaults.put("messages", "1000");
        return SampleOptions.parse(args, USAGE, defaults);
    }

    /**
     * The TCP echo server running: its loops, where it listens, its grace period, and a future
     * completed once its shutdown has begun (every loop's exit hook stopped accepting).
     */
    record TcpEcho(LoopGroup group, SocketAddress address, Duration grace, CompletableFuture<Void> draining) {
        /** Closes the group with the grace period: every loop drains, then releases. Any thread outside the group. */
        void stop() {
            group.close(grace);
        }
    }

    /**
     * Serves TCP on {@code --loops} loops, spread by SO_REUSEPORT listeners (one per loop), or with
     * {@code --spread acceptor} by one listener on loop 0 that hands each connection to the loops
     * in turn. Each loop's exit hook ({@link dev.weft.loop.Loop#atExit}) closes its listener (new
     * connections are refused) and drains its connections ({@link EchoConnections#drain}).
     */
    static TcpEcho serveTcp(SampleOptions options) {
        options.checkServer();
        LoopGroup group = options.loopGroup("weft-echo");
        group.start();
        return serveTcp(options, group);
    }

    /**
     * {@link #serveTcp(SampleOptions)} on {@code group}, started already. If a loop closes before
     * its exit hook is in place (a signal during startup), the group is closed, listeners and
     * all, and the {@link dev.weft.loop.LoopClosed} thrown.
     */
    static TcpEcho serveTcp(SampleOptions options, LoopGroup group) {
        return GroupStartup.orCloseGroup(group, () -> startServing(options, group));
    }

    private static TcpEcho startServing(SampleOptions options, LoopGroup group) {
        GroupSockets sockets = GroupSockets.on(group, options.flowOptions());
        List<EchoConnections> connections = new ArrayList<>();
        Draining draining = new Draining(group.size());
        List<TcpListener> listeners;
        if (options.text("spread").equals("acceptor")) {
            listeners = List.of(GroupStartup.onLoop(group.loop(0), () -> sockets.sockets(0).listen(options.address())));
        } else {
            listeners = sockets.listenOnEveryLoop(options.address(), ListenOptions.DEFAULT);
        }
        for (int i = 0; i < group.size(); i++) {
            EchoConnections onLoop = new EchoConnections();
            connections.add(onLoop);
            TcpListener listener = i < listeners.size() ? listeners.get(i) : null;
            Loop loop = group.loop(i);
            GroupStartup.onLoop(loop, () -> {
                try {
                    return loop.atExit(() -> {
                        closeIfAny(listener);
                        draining.loopStopped();
                        return onLoop.drain();
                    });
                } catch (RuntimeException refused) { // LoopClosed: the hook would never run
                    closeIfAny(listener);
                    throw refused;
                }
            });
        }
        if (options.text("spread").equals("acceptor")) {
            group.loop(0).execute(() -> sockets.handOff(listeners.getFirst(),
                    flow -> start(flow, connections.get(group.currentIndex()), true))); // --host is an IP address
        } else {
            for (int i = 0; i < listeners.size(); i++) {
                TcpListener listener = listeners.get(i);
                EchoConnections onLoop = connections.get(i);
                group.loop(i).execute(() -> acceptLoop(listener, onLoop, true));
            }
        }
        SocketAddress bound = listeners.getFirst().localAddress();
        return new TcpEcho(group, bound, options.grace(), draining.begun());
    }

    private static void closeIfAny(TcpListener listener) {
        if (listener != null) {
            listener.close();
        }
    }
}
