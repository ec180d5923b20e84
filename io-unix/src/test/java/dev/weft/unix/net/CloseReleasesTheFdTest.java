package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * On every engine, a connection the server closes has given its fd back by the time its peer can
 * see the close. A process short of fds counts on that: a client that saw the close and connects
 * again must not find the server still holding the old fd, to be freed later at a moment nobody
 * accounts for (on NIO the JDK keeps the fd of a channel closed while registered until the
 * Selector's next select, while it shuts the output down at once).
 */
class CloseReleasesTheFdTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Loop iterations to wait for the close to reach the peer: each blocks at most {@link #STEP}. */
    private static final int MAX_ITERATIONS = 1000;
    private static final long STEP = Duration.ofMillis(10).toNanos();

    @SocketTest
    void aClosedConnectionsFdIsFreeByTheTimeItsPeerSeesTheClose(EngineKind kind) throws IOException {
        try (Loop loop = Loop.builder().engine(Engines.open(kind)).build();
                SocketChannel peer = SocketChannel.open()) {
            TcpListener listener = Sockets.on(loop).listen(LOOPBACK);
            peer.connect(listener.localAddress()); // the kernel completes it into the backlog
            peer.configureBlocking(false);
            SocketFlow flow = loop.run(loop.withTimeout(PATIENCE, listener.accept()));
            String socket = serverSocketOf(port(listener.localAddress()), port(peer.getLocalAddress()));

            boolean seenOnClosing = loop.run(Promise.pause().map(v -> {
                flow.close();
                return sawTheClose(peer) && holds(socket); // before the loop polls again
            }));
            for (int i = 0; i < MAX_ITERATIONS && !sawTheClose(peer); i++) {
                loop.runOnce(STEP);
            }

            assertFalse(seenOnClosing, "the peer saw the close while the server still held " + socket);
            assertTrue(sawTheClose(peer), "the close never reached the peer");
            assertFalse(holds(socket), "the server still holds " + socket + " after the peer saw the close");
        }
    }

    /** Whether the peer has read the end of the stream (a non-blocking read: nothing else is sent). */
    private static boolean sawTheClose(SocketChannel peer) {
        try {
            return peer.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Whether this process has an fd open on {@code socket} ({@code socket:[inode]}). */
    private static boolean holds(String socket) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> socket.equals(linkOf(fd)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String linkOf(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException closedMeanwhile) {
            return "";
        }
    }

    /**
     * The server side of the connection from {@code peerPort} to {@code listenerPort}, as its fd's
     * link reads ({@code socket:[inode]}), from the kernel's table of TCP sockets.
     */
    private static String serverSocketOf(int listenerPort, int peerPort) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", listenerPort);
        String remote = String.format(Locale.ROOT, ":%04X", peerPort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[1].endsWith(local) && fields[2].endsWith(remote)) {
                    return "socket:[" + fields[9] + "]";
                }
            }
        }
        throw new IllegalStateException("no server socket for port " + peerPort + " in the kernel's TCP tables");
    }

    private static int port(java.net.SocketAddress address) {
        return ((InetSocketAddress) address).getPort();
    }
}
