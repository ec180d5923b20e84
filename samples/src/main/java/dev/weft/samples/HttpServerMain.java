package dev.weft.samples;

import dev.weft.loop.LoopGroup;
import dev.weft.promise.Promise;
import dev.weft.samples.http.HelloRoutes;
import dev.weft.samples.http.HttpLimits;
import dev.weft.samples.http.HttpServer;
import dev.weft.unix.net.GroupSockets;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.TcpListener;
import dev.weft.unix.signal.PendingDumps;
import dev.weft.unix.signal.Signals;
import dev.weft.unix.signal.UnixSignal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./weft serve}: the HTTP sample server ({@code GET /plaintext}, {@code GET /json},
 * {@code POST /echo}, {@code GET /chunked}) on a group of loops, one {@link HttpServer} per loop
 * behind an SO_REUSEPORT listener of its own (the kernel spreads connections), until SIGTERM or
 * SIGINT, then a graceful shutdown of every loop's server.
 *
 * <p>Usage: {@code HttpServerMain [--host 127.0.0.1] [--port 8080] [--engine epoll|nio]
 * [--write-timeout-ms 30000] [--loops N]} ({@code --loops} defaults to one per available
 * processor).
 */
public final class HttpServerMain {
    private HttpServerMain() {}

    /**
     * Runs the server.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        SampleOptions options = SampleOptions.parse(args,
                "serve [--host H] [--port N] [--engine epoll|nio] [--write-timeout-ms 30000] [--loops N]",
                SampleOptions.server(8080));
        LoopGroup group = options.loopGroup("weft-http");
        group.start();
        // Water marks and the write timeout bound what a client that never reads can make us hold.
        GroupSockets sockets = GroupSockets.on(group, options.flowOptions());
        List<TcpListener> listeners = sockets.listenOnEveryLoop(options.address(), ListenOptions.DEFAULT);
        List<HttpServer> servers = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            int index = i;
            servers.add(group.loop(i).call(() -> HttpServer.start(group.loop(index), listeners.get(index),
                    new HelloRoutes(), HttpLimits.defaults())).join());
        }
        InetSocketAddress bound = (InetSocketAddress) servers.get(0).address();
        System.out.println("Weft HTTP server on http://" + bound.getHostString() + ":" + bound.getPort()
                + "/plaintext (engine " + group.engine(0).getClass().getSimpleName() + ", " + group.size()
                + " loops); Ctrl-C or SIGTERM stops it");
        System.out.flush();
        if (Boolean.getBoolean("weft.debug")) { // kill -USR1 <pid> prints what every loop waits on
            PendingDumps.printOnSignal(group, UnixSignal.USR1, System.err);
        }
        // Loop 0 watches the signals, then has each loop shut its own server down.
        group.loop(0).submit(() -> {
            Signals signals = Signals.watch(group.loop(0), UnixSignal.INT, UnixSignal.TERM);
            return signals.next().flatMap(signal -> {
                System.out.println("SIG" + signal + ": shutting down gracefully");
                List<Promise<Void>> stopping = new ArrayList<>();
                for (int i = 0; i < group.size(); i++) {
                    HttpServer server = servers.get(i);
                    stopping.add(group.submit(i, () -> server.shutdown(Duration.ofSeconds(5))));
                }
                return Promise.join(stopping);
            }).map(v -> {
                signals.close();
                return v;
            });
        }).join();
        group.close();
        System.out.println("stopped");
    }
}
