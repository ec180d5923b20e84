package dev.weft.samples;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;

/**
 * A TCP echo server as a promise pipeline: every byte a client sends comes back. Each connection
 * is one recursive chain {@code read → write → read ...}, which runs in constant memory.
 *
 * <p>Usage: {@code EchoServer [--host 127.0.0.1] [--port 7007] [--engine epoll|nio]}
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
     * Accepts connections for ever, echoing each.
     *
     * @param listener a listening socket
     * @return rejected if accepting fails
     */
    public static Promise<Void> acceptLoop(TcpListener listener) {
        return listener.accept().flatMap(flow -> {
            flow.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Promise.async(() -> echo(flow).recover(failure -> flow.close()));
            return acceptLoop(listener);
        });
    }

    /**
     * Runs the server until killed.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        String host = "127.0.0.1";
        int port = 7007;
        String engineName = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--engine" -> engineName = args[++i];
                default -> {
                    System.err.println("usage: EchoServer [--host H] [--port N] [--engine epoll|nio]");
                    System.exit(2);
                }
            }
        }
        Engine engine = engineName == null ? Engines.defaultEngine() : Engines.open(EngineKind.valueOf(engineName.toUpperCase()));
        try (Loop loop = Loop.builder().name("weft-echo").engine(engine).build()) {
            Sockets sockets = Sockets.on(loop, engine);
            TcpListener listener = sockets.listen(new InetSocketAddress(host, port), ListenOptions.DEFAULT);
            System.out.println("Weft echo server on " + listener.localAddress());
            System.out.flush();
            loop.run(acceptLoop(listener));
        }
    }
}
