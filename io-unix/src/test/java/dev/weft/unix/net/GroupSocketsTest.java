package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.LoopGroup;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.Engines;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's loops serving one address: SO_REUSEPORT listeners on every loop, or one acceptor loop
 * handing connections to the others; what a closed loop leaves; what closing the group releases.
 */
class GroupSocketsTest {

    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<Socket> clients = new ArrayList<>();
    private LoopGroup group;
    private GroupSockets sockets;
    /** Connections each loop served, counted on that loop's thread when it gets the flow. */
    private AtomicIntegerArray served;

    @AfterEach
    void closeEverything() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        if (group != null) {
            group.close();
        }
    }

    private void startGroup(int loops) {
        group = LoopGroup.builder().loops(loops).name("served").daemon(true)
                .engines(i -> Engines.defaultEngine()).build();
        group.start();
        sockets = GroupSockets.on(group, FlowOptions.DEFAULT);
        served = new AtomicIntegerArray(loops);
    }

    /** Listeners on every loop, each accepting and echoing; the port they share. */
    private int serveWithReusePort() {
        List<TcpListener> listeners = sockets.listenOnEveryLoop(ANY_LOOPBACK, ListenOptions.DEFAULT);
        for (int i = 0; i < listeners.size(); i++) {
            TcpListener listener = listeners.get(i);
            startOn(i, () -> acceptAndEcho(listener));
        }
        return ((InetSocketAddress) listeners.get(0).localAddress()).getPort();
    }

    /** One listener on loop 0 handing each connection to the loops in turn; its port. */
    private int serveWithAcceptor() throws Exception {
        TcpListener listener = group.loop(0).call(() -> sockets.sockets(0).listen(ANY_LOOPBACK)).get();
        startOn(0, () -> sockets.handOff(listener, this::countAndEcho));
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Starts {@code server} on loop {@code index} and returns once it runs there. */
    private void startOn(int index, java.util.function.Supplier<Promise<Void>> server) {
        group.loop(index).submit(() -> {
            Promise.async(server);
            return Promise.unit();
        }).join();
    }

    private Promise<Void> acceptAndEcho(TcpListener listener) {
        return listener.accept().tryBind(flow -> {
            countAndEcho(flow);
            return acceptAndEcho(listener);
        }, failure -> failure instanceof SocketClosedException ? Promise.unit() : Promise.rejected(failure));
    }

    private void countAndEcho(SocketFlow flow) {
        served.incrementAndGet(group.currentIndex());
        Promise.async(() -> echo(flow).recover(failure -> flow.close()));
    }

    private static Promise<Void> echo(Flow flow) {
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> flow.write(bytes).flatMap(v -> echo(flow));
            case Flow.EndOfStream end -> flow.close();
        });
    }

    /** Connects, sends a byte and waits for its echo: once this returns, a loop has counted it. */
    private Socket connectAndEcho(int port) throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
        clients.add(client);
        client.setSoTimeout(30_000);
        client.getOutputStream().write(7);
        assertEquals(7, client.getInputStream().read());
        return client;
    }

    private int[] servedCounts() {
        int[] counts = new int[served.length()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = served.get(i);
        }
        return counts;
    }

    @Test
    void reusePortListenersOnEveryLoopEachServeConnections() throws Exception {
        startGroup(2);
        int port = serveWithReusePort();
        for (int i = 0; i < 64; i++) {
            connectAndEcho(port);
        }
        int[] counts = servedCounts();
        // the kernel hashes each connection to a listener: 64 landing on one of two has odds 2^-63
        assertTrue(counts[0] > 0 && counts[1] > 0, java.util.Arrays.toString(counts));
        assertEquals(64, counts[0] + counts[1]);
    }

    @Test
    void anAcceptorLoopHandsConnectionsToEveryLoopInTurn() throws Exception {
        startGroup(3);
        int port = serveWithAcceptor();
        for (int i = 0; i < 6; i++) {
            connectAndEcho(port);
        }
        assertEquals(List.of(2, 2, 2), List.of(served.get(0), served.get(1), served.get(2)));
    }

    @Test
    void aLoopClosedAloneLeavesTheOthersServingOnTheSharedPort() throws Exception {
        startGroup(2);
        int port = serveWithReusePort();
        group.loop(1).close(); // closes its listener: the kernel stops choosing it
        for (int i = 0; i < 16; i++) {
            connectAndEcho(port);
        }
        assertEquals(16, served.get(0));
        assertEquals(0, served.get(1));
    }

    @Test
    void theAcceptorSkipsALoopClosedAlone() throws Exception {
        startGroup(3);
        int port = serveWithAcceptor();
        group.loop(2).close();
        for (int i = 0; i < 4; i++) {
            connectAndEcho(port);
        }
        assertEquals(List.of(2, 2, 0), List.of(served.get(0), served.get(1), served.get(2)));
    }

    @Test
    void closingTheGroupWithConnectionsOpenClosesThemAllWithoutLeaks() throws Exception {
        serveAndCloseTheGroup(1, 1, false); // first use: the JDK's and Weft's one-time fds
        long before = kernelObjectFds();
        serveAndCloseTheGroup(2, 16, false);
        assertEquals(before, kernelObjectFds(), describeFds());
    }

    @Test
    void closingTheGroupClosesConnectionsHandedOffByTheAcceptorWithoutLeaks() throws Exception {
        serveAndCloseTheGroup(1, 1, true); // first use: the JDK's and Weft's one-time fds
        long before = kernelObjectFds();
        serveAndCloseTheGroup(2, 8, true);
        assertEquals(before, kernelObjectFds(), describeFds());
    }

    /** Serves {@code connections} open connections, closes the group, checks each client saw it, closes them. */
    private void serveAndCloseTheGroup(int loops, int connections, boolean acceptor) throws Exception {
        startGroup(loops);
        int port = acceptor ? serveWithAcceptor() : serveWithReusePort();
        for (int i = 0; i < connections; i++) {
            connectAndEcho(port);
        }
        group.close();
        for (Socket client : clients) {
            assertClosedByServer(client);
        }
        for (Socket client : clients) {
            client.close();
        }
        clients.clear();
    }

    private static String describeFds() {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    out.append(fd.getFileName()).append("->").append(Files.readSymbolicLink(fd)).append(' ');
                } catch (IOException gone) {
                    out.append("");
                }
            });
        } catch (IOException e) {
            out.append(e);
        }
        return out.toString();
    }

    @Test
    void aHandOffHandlerThatThrowsClosesItsConnectionAndTheAcceptorGoesOn() throws Exception {
        List<Throwable> reported = java.util.Collections.synchronizedList(new ArrayList<>());
        group = LoopGroup.builder().loops(2).name("served").daemon(true).asyncExceptionHook(reported::add)
                .engines(i -> Engines.defaultEngine()).build();
        group.start();
        sockets = GroupSockets.on(group, FlowOptions.DEFAULT);
        served = new AtomicIntegerArray(2);
        java.util.concurrent.atomic.AtomicInteger handed = new java.util.concurrent.atomic.AtomicInteger();
        TcpListener listener = group.loop(0).call(() -> sockets.sockets(0).listen(ANY_LOOPBACK)).get();
        startOn(0, () -> sockets.handOff(listener, flow -> {
            if (handed.getAndIncrement() < 2) { // the first on the acceptor's own loop, the second on the other
                throw new IllegalStateException("a handler bug");
            }
            countAndEcho(flow);
        }));
        int port = ((InetSocketAddress) listener.localAddress()).getPort();

        for (int i = 0; i < 2; i++) {
            Socket failed = new Socket(InetAddress.getLoopbackAddress(), port);
            clients.add(failed);
            failed.setSoTimeout(10_000);
            assertClosedByServer(failed);
        }
        connectAndEcho(port);

        assertEquals(2, reported.stream().filter(e -> "a handler bug".equals(e.getMessage())).count(), reported.toString());
    }

    @Test
    void aUnixDomainAddressOnEveryLoopOfAGroupIsRefusedBeforeAnyListenerIsMade(@TempDir Path directory) throws Exception {
        startGroup(2);
        long fdsBefore = kernelObjectFds();
        Path path = directory.resolve("shared.sock");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> sockets.listenOnEveryLoop(UnixDomainSocketAddress.of(path), ListenOptions.DEFAULT));

        assertTrue(refused.getMessage().contains("handOff"), refused.getMessage());
        assertFalse(Files.exists(path), "no socket file is left behind to refuse the next bind");
        assertEquals(fdsBefore, kernelObjectFds());
    }

    /** The server's side is gone: the client reads end of stream (or a reset). */
    private static void assertClosedByServer(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        try {
            assertEquals(-1, in.read());
        } catch (SocketException reset) {
            // closed with data unread: a reset says the same
        }
    }

    /** Open sockets, epoll and eventfd instances of this process: what a group and its connections hold. */
    private static long kernelObjectFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.startsWith("socket:") || target.startsWith("anon_inode:");
                } catch (IOException gone) {
                    return false; // the fd of the directory listing itself, closed meanwhile
                }
            }).count();
        }
    }
}
