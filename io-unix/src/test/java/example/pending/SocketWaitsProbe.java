package example.pending;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.PendingReport;
import dev.weft.promise.Promise;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Received;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import dev.weft.unix.net.UdpSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The program dev.weft.unix.net.PendingSocketWaitsDumpTest forks with {@code -Dweft.debug=true}:
 * application code whose sockets wait in every other way than a read (a write the peer does not
 * read, the end of writes behind it, an accept nobody connects to, a datagram nobody sends).
 * Prints the loop's pending-promise report, then one {@code GROUP} line per group.
 */
public final class SocketWaitsProbe {
    /** Bytes the client writes at once: far more than the kernel's buffers on both sides hold. */
    static final int FLOOD = 64 << 20;

    private SocketWaitsProbe() {}

    /**
     * Runs the scenario.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        Engine engine = Engines.defaultEngine();
        try (Loop loop = Loop.builder().engine(engine).build()) {
            PendingReport report = loop.run(Promise.apply(() -> {
                Sockets sockets = Sockets.on(loop, engine);
                InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
                TcpListener listener = sockets.listen(loopback);
                UdpSocket udp = sockets.bindUdp(loopback);
                return sockets.connect(listener.localAddress(), Duration.ofSeconds(30))
                        .flatMap(client -> listener.accept().flatMap(server -> {
                            Promise<Void> flood = sendUnread(client);
                            Promise<Void> endOfWrites = endWrites(client);
                            Promise<SocketFlow> nobody = awaitSecondClient(listener);
                            Promise<Received> silence = awaitDatagram(udp);
                            PendingReport taken = loop.dumpPending();
                            List.of(flood, endOfWrites, nobody, silence).forEach(Promise::cancel);
                            return Promise.join(client.close(), server.close()).map(v -> {
                                listener.close();
                                udp.close();
                                return taken;
                            });
                        }));
            }));
            System.out.print(report);
            for (PendingReport.Group group : report.groups()) {
                System.out.println("GROUP " + group.waitsOn() + "|" + group.madeBy() + "|" + group.calledFrom()
                        + "|" + group.count() + "|" + group.example());
            }
        }
    }

    private static Promise<Void> sendUnread(Flow client) {
        return client.write(new byte[FLOOD]);
    }

    private static Promise<Void> endWrites(Flow client) {
        return client.shutdown(Flow.Direction.WRITE);
    }

    private static Promise<SocketFlow> awaitSecondClient(TcpListener listener) {
        return listener.accept();
    }

    private static Promise<Received> awaitDatagram(UdpSocket udp) {
        return udp.receive();
    }
}
