package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopGroup;
import dev.weft.samples.http.HelloRoutes;
import dev.weft.samples.http.HttpLimits;
import dev.weft.samples.http.HttpServer;
import dev.weft.unix.net.GroupSockets;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.TcpListener;
import dev.weft.unix.signal.PendingDumps;
import dev.weft.unix.signal.UnixSignal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ./weft serve}: the HTTP sample server ({@code GET /plaintext}, {@code GET /json},
 * {@code POST /echo}, {@code GET /chunked}) on a group of loops, one {@link HttpServer} per loop
 * behind an SO_REUSEPORT listener of its own (the kernel spreads connections), until SIGTERM or
 * SIGINT.
 *
 * <p>Graceful shutdown is an exit hook ({@link Loop#atExit}) on each loop: on the signal the
 * group is closed with the grace period, and each loop's hook stops accepting (new connections
 * are refused), lets the requests in progress be answered (their responses carry {@code
 * Connection: close}), closes idle keep-alive connections, and resolves once every connection
 * is closed; whatever is still open when the grace runs out is cancelled, which closes it. Then
 * the loops release everything and the process exits with status 0.
 *
 * <p>Usage: {@code HttpServerMain [--host 127.0.0.1] [--port 8080] [--engine epoll|nio]
 * [--write-timeout-ms 30000] [--loops N] [--grace-ms 5000] [--header-timeout-ms 10000]
 * [--body-timeout-ms 30000] [--idle-timeout-ms 60000]} ({@code --loops} defaults to one per
 * available processor; the last three are {@link HttpLimits}' timeouts, defaults as there).
 */
public final class HttpServerMain {
    private static final String USAGE = "serve [--host H] [--port N] [--engine epoll|nio] [--write-timeout-ms 30000]"
            + " [--loops N] [--grace-ms 5000] [--header-timeout-ms 10000] [--body-timeout-ms 30000]"
            + " [--idle-timeout-ms 60000]";

    private HttpServerMain() {}

    /**
     * Runs the server until SIGTERM or SIGINT, then shuts it down gracefully.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        Running server = start(args);
        CompletableFuture<String> signal = StopSignal.onSignals(server.group().loop(0));
        System.out.println("Weft HTTP server on http://" + server.address().getHostString() + ":"
                + server.address().getPort() + "/plaintext (engine "
                + server.group().engine(0).getClass().getSimpleName() + ", " + server.group().size()
                + " loops); Ctrl-C or SIGTERM stops it");
        System.out.flush();
        if (Boolean.getBoolean("weft.debug")) { // kill -USR1 <pid> prints what every loop waits on
            PendingDumps.printOnSignal(server.group(), UnixSignal.USR1, System.err);
        }
        System.out.println(signal.join() + ": shutting down gracefully (grace " + server.grace().toMillis() + " ms)");
        server.stop();
        System.out.println("stopped");
    }

    /**
     * A running server: its loops, the address it listens on, its grace period, and a future
     * completed when its shutdown has begun (every loop's exit hook stopped accepting).
     */
    record Running(LoopGroup group, InetSocketAddress address, Duration grace, CompletableFuture<Void> draining) {
        /**
         * Closes the group with the grace period: every loop's exit hooks run (the servers drain),
         * then the loops release their sockets and threads. Returns once all is done. Any thread
         * outside the group.
         */
        void stop() {
            group.close(grace);
        }
    }

    /** Starts the servers with the command-line {@code args}, each loop's drain as its exit hook. */
    static Running start(String[] args) {
        SampleOptions options = options(args).checkServer();
        limits(options); // its timeouts checked too, before a loop starts
        LoopGroup group = options.loopGroup("weft-http");
        group.start();
        return start(options, group);
    }

    /** The command-line options, with {@link #defaults()}. */
    static SampleOptions options(String[] args) {
        return SampleOptions.parse(args, USAGE, defaults());
    }

    /**
     * Starts the servers on {@code group}, started already, with {@code options}. If a loop
     * closes before its server's exit hook is in place (a signal during startup), the group is
     * closed, listeners and all, and the {@link dev.weft.loop.LoopClosed} thrown.
     */
    static Running start(SampleOptions options, LoopGroup group) {
        return GroupStartup.orCloseGroup(group, () -> startServers(options, group));
    }

    private static Running startServers(SampleOptions options, LoopGroup group) {
        Duration grace = options.grace();
        HttpLimits limits = limits(options);
        // Water marks and the write timeout bound what a client that never reads can make us hold.
        GroupSockets sockets = GroupSockets.on(group, options.flowOptions());
        List<TcpListener> listeners = sockets.listenOnEveryLoop(options.address(), ListenOptions.DEFAULT);
        Draining draining = new Draining(group.size());
        for (int i = 0; i < group.size(); i++) {
            Loop loop = group.loop(i);
            TcpListener listener = listeners.get(i);
            GroupStartup.onLoop(loop, () -> {
                HttpServer server = HttpServer.start(loop, listener, new HelloRoutes(), limits);
                try {
                    // Added after the sockets' own hooks, so it runs before they close what is left.
                    return loop.atExit(() -> {
                        var drained = server.shutdown(grace);
                        draining.loopStopped();
                        return drained;
                    });
                } catch (RuntimeException refused) { // LoopClosed: the hook would never run
                    listener.close(); // ends the server's accept loop; no connection was served yet
                    throw refused;
                }
            });
        }
        return new Running(group, (InetSocketAddress) listeners.get(0).localAddress(), grace, draining.begun());
    }

    /** The server options, and the HTTP timeouts with {@link HttpLimits#defaults()}' values. */
    private static Map<String, String> defaults() {
        Map<String, String> defaults = SampleOptions.server(8080);
        HttpLimits limits = HttpLimits.defaults();
        defaults.put("header-timeout-ms", Long.toString(limits.headerTimeout().toMillis()));
        defaults.put("body-timeout-ms", Long.toString(limits.bodyTimeout().toMillis()));
        defaults.put("idle-timeout-ms", Long.toString(limits.idleTimeout().toMillis()));
        return defaults;
    }

    /** {@link HttpLimits#defaults()} with the timeouts the options give; a zero one fails (see {@link SampleOptions#fail}). */
    private static HttpLimits limits(SampleOptions options) {
        HttpLimits defaults = HttpLimits.defaults();
        return new HttpLimits(defaults.maxHeadBytes(), defaults.maxBodyBytes(), options.positiveMillis("header-timeout-ms"),
                options.positiveMillis("body-timeout-ms"), options.positiveMillis("idle-timeout-ms"));
    }
}
