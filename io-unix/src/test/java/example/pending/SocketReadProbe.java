package example.pending;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.PendingReport;
import dev.weft.promise.Promise;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The program dev.weft.unix.net.PendingReadDumpTest forks with {@code -Dweft.debug=true}: a client
 * connection waiting for bytes that never come, in application code outside Weft's packages.
 * Prints the loop's pending-promise report, then one {@code GROUP} line per group.
 */
public final class SocketReadProbe {
    private SocketReadProbe() {}

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
                TcpListener listener = sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                return sockets.connect(listener.localAddress(), Duration.ofSeconds(30)).flatMap(client -> {
                    Promise<Flow.Read> silence = awaitGreeting(client);
                    PendingReport taken = loop.dumpPending();
                    silence.cancel();
                    return client.close().map(v -> taken);
                });
            }));
            System.out.print(report);
            for (PendingReport.Group group : report.groups()) {
                System.out.println("GROUP " + group.waitsOn() + "|" + group.madeBy() + "|" + group.calledFrom()
                        + "|" + group.count() + "|" + group.example());
            }
        }
    }

    private static Promise<Flow.Read> awaitGreeting(Flow client) {
        return client.read();
    }
}
