package dev.weft.samples;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.samples.http.HelloRoutes;
import dev.weft.samples.http.HttpLimits;
import dev.weft.samples.http.HttpServer;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import dev.weft.unix.signal.Signals;
import dev.weft.unix.signal.UnixSignal;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * {@code ./weft serve}: the HTTP sample server ({@code GET /plaintext}, {@code GET /json},
 * {@code POST /echo}, {@code GET /chunked}) on one loop, until SIGTERM or SIGINT, then a graceful
 * shutdown.
 *
 * <p>Usage: {@code HttpServerMain [--host 127.0.0.1] [--port 8080] [--engine epoll|nio]
 * [--write-timeout-ms 30000]}
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
                "serve [--host H] [--port N] [--engine epoll|nio] [--write-timeout-ms 30000]",
                SampleOptions.server(8080));
        Engine engine = options.engine();
        Loop loop = Loop.builder().name("weft-http").engine(engine).build();
        // Water marks and the write timeout bound what a client that never reads can make us hold.
        Sockets sockets = Sockets.on(loop, engine, options.flowOptions());
        TcpListener listener = sockets.listen(options.address(), ListenOptions.DEFAULT);
        HttpServer server = HttpServer.start(loop, listener, new HelloRoutes(), HttpLimits.defaults());
        InetSocketAddress bound = (InetSocketAddress) server.address();
        System.out.println("Weft HTTP server on http://" + bound.getHostString() + ":" + bound.getPort()
                + "/plaintext (engine " + engine.getClass().getSimpleName() + "); Ctrl-C or SIGTERM stops it");
        System.out.flush();
        Signals signals = Signals.watch(loop, UnixSignal.INT, UnixSignal.TERM);
        loop.run(signals.next().flatMap(signal -> {
            System.out.println("SIG" + signal + ": shutting down gracefully");
            return server.shutdown(Duration.ofSeconds(5));
        }));
        signals.close();
        loop.close();
        System.out.println("stopped");
    }
}
