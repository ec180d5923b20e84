package dev.weft.bench.xen;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP connection over the loopback interface between two loops on io-unix's epoll engine, with
 * {@code TCP_NODELAY} on both ends (small messages go out at once, as on the vchan).
 */
final class TcpLoopback extends FlowPair {
    private final EpollEngine clientEngine = new EpollEngine();
    private final EpollEngine serverEngine = new EpollEngine();
    private final Loop clientLoop = Loop.builder().name("tcp-client").engine(clientEngine).build();
    private final Loop serverLoop = Loop.builder().name("tcp-server").engine(serverEngine).build();
    private final SocketFlow server;
    private final SocketFlow client;

    /** Listens on an ephemeral loopback port, connects, accepts, and closes the listener. */
    TcpLoopback() throws Exception {
        serverLoop.start();
        clientLoop.start();
        TcpListener listener = serverLoop.submit(() -> Promise.of(Sockets.on(serverLoop, serverEngine)
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenOptions.DEFAULT)))
                .get(10, TimeUnit.SECONDS);
        CompletableFuture<SocketFlow> accepted = serverLoop.submit(() -> listener.accept().map(flow -> {
            listener.close();
            return noDelay(flow);
        }));
        client = clientLoop.submit(() -> Sockets.on(clientLoop, clientEngine)
                .connect(listener.localAddress(), Duration.ofSeconds(10)).map(TcpLoopback::noDelay))
                .get(10, TimeUnit.SECONDS);
        server = accepted.get(10, TimeUnit.SECONDS);
    }

    private static SocketFlow noDelay(SocketFlow flow) {
        flow.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return flow;
    }

    @Override
    Flow client() {
        return client;
    }

    @Override
    Flow server() {
        return server;
    }

    @Override
    Loop clientLoop() {
        return clientLoop;
    }

    @Override
    Loop serverLoop() {
        return serverLoop;
    }

    @Override
    String name() {
        return "tcp loopback (io-unix epoll)";
    }

    @Override
    public void close() {
        clientLoop.close();
        serverLoop.close();
    }
}
