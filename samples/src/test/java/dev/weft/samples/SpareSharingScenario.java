package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.fdtable.FdTable;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link FdExhaustionTest} in a JVM of its own under a low {@code ulimit -n}: a listener
 * made when the process had no fd left for its spare (as a listener is left when another loop
 * grabs the fd its spare gave back), with a connection in its backlog and the process out of fds.
 * Prints how many connections that listener shed and what its client saw: {@code reset}, {@code
 * end} or {@code hanging}.
 */
final class SpareSharingScenario {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private SpareSharingScenario() {}

    /**
     * @param args the engine: {@code EPOLL} or {@code NIO}
     */
    public static void main(String[] args) throws Exception {
        Loop loop = Loop.builder().engine(Engines.open(EngineKind.valueOf(args[0]))).build();
        Sockets sockets = Sockets.on(loop);
        TcpListener withSpare = sockets.listen(LOOPBACK);
        acceptOnce(loop, withSpare); // loads what accepting and its failures use while fds are free

        List<Closeable> fillers = FdTable.fill();
        fillers.removeLast().close();
        TcpListener spareless = sockets.listen(LOOPBACK); // its socket takes the last fd; no spare for it
        fillers.removeLast().close();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port(spareless))) { // the last fd again
            // accept() inside the loop: out of fds, it sheds the backlog at once and stays pending
            Promise<SocketFlow> accepted = loop.run(Promise.pause().map(v -> spareless.accept()));
            client.setSoTimeout(10_000);
            String seen = whatTheClientSees(client.getInputStream());
            System.out.println("shed " + spareless.shedConnections() + ", client " + seen);
            accepted.cancel();
        }
        for (Closeable filler : fillers) {
            filler.close();
        }
        loop.close();
    }

    private static void acceptOnce(Loop loop, TcpListener listener) throws IOException {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port(listener))) {
            SocketFlow flow = loop.run(listener.accept());
            loop.run(flow.close());
            client.setSoTimeout(10_000);
            whatTheClientSees(client.getInputStream());
        }
    }

    private static int port(TcpListener listener) {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    private static String whatTheClientSees(InputStream in) throws IOException {
        try {
            return in.read() == -1 ? "end" : "data";
        } catch (SocketTimeoutException silent) {
            return "hanging";
        } catch (SocketException reset) {
            return "reset";
        }
    }
}
