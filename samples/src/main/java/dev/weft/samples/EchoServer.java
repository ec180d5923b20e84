package dev.weft.samples;

import dev.weft.loop.LoopGroup;
import dev.weft.loop.device.Flow;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.SocketClosedException;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.GroupSockets;
import dev.weft.unix.net.TcpListener;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.util.List;
import java.util.Map;

/**
 * A TCP echo server as a promise pipeline: every byte a client sends comes back. Each connection
 * is one recursive chain {@code read → write → read ...}, which runs in constant memory.
 *
 * <p>Usage: {@code EchoServer [--host 127.0.0.1] [--port 7007] [--engine epoll|nio]
 * [--write-timeout-ms 30000] [--loops N] [--spread reuseport|acceptor]} ({@code --loops} defaults
 * to one per available processor)
 */
public final class EchoServer {
    private EchoServer() {}

    /**
     * Echoes one flow until the peer ends its side, then closes it.
     *
     * @param flow a connected stream (TCP, Unix socket, vchan)
     * @return resolved once the flow is closed
     */
    public static Promise<Void> echo(Flow flow) {
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> flow.write(bytes).flatMap(v -> echo(flow));
            case Flow.EndOfStream end -> flow.close();
        });
    }

    /**
     * Accepts connections for ever, echoing each. Nothing a client does ends it: out of fds, the
     * listener backs off and sheds by itself (see {@link TcpListener}); any other accept failure
     * is reported to the async-exception hook and accepting goes on at the next connection.
     *
     * @param listener a listening socket
     * @return resolved only if the listener is closed
     */
    public static Promise<Void> acceptLoop(TcpListener listener) {
        return listener.accept().tryBind(flow -> {
            start(flow);
            return acceptLoop(listener);
        }, failure -> {
            if (failure instanceof SocketClosedException) {
                return Promise.unit();
            }
            LoopHooks.reportAsyncException(failure);
            return Promise.pause().flatMap(v -> acceptLoop(listener));
        });
    }

    private static void start(SocketFlow flow) {
        try {
            flow.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (RuntimeException e) { // reset already: drop this connection, not the server
            flow.close();
            return;
        }
        Promise.async(() -> echo(flow).recover(failure -> flow.close()));
    }

    /**
     * Runs the server until killed: on {@code --loops} loops, spread by SO_REUSEPORT listeners (one
     * per loop), or with {@code --spread acceptor} by one listener on loop 0 that hands each
     * connection to the loops in turn.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        Map<String, String> defaults = SampleOptions.server(7007);
        defaults.put("spread", "reuseport");
        SampleOptions options = SampleOptions.parse(args, "EchoServer [--host H] [--port N] [--engine epoll|nio]"
                + " [--write-timeout-ms 30000] [--loops N] [--spread reuseport|acceptor]", defaults);
        LoopGroup group = options.loopGroup("weft-echo");
        group.start();
        GroupSockets sockets = GroupSockets.on(group, options.flowOptions());
        SocketAddress bound;
        if (options.text("spread").equals("acceptor")) {
            TcpListener listener = group.loop(0).call(() -> sockets.sockets(0).listen(options.address())).join();
            group.loop(0).execute(() -> sockets.handOff(listener, EchoServer::start));
            bound = listener.localAddress();
        } else {
            List<TcpListener> listeners = sockets.listenOnEveryLoop(options.address(), ListenOptions.DEFAULT);
            for (int i = 0; i < listeners.size(); i++) {
                TcpListener listener = listeners.get(i);
                group.loop(i).execute(() -> acceptLoop(listener));
            }
            bound = listeners.get(0).localAddress();
        }
        System.out.println("Weft echo server on " + bound + " (" + group.size() + " loops, "
                + options.text("spread") + ")");
        System.out.flush();
        // the loop threads keep the JVM alive until it is killed
    }
}
