package dev.weft.unix.socket;

import static dev.weft.loop.Engine.READABLE;
import static dev.weft.loop.Engine.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.unix.ConnectionException;
import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.epoll.EpollEngine;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Non-blocking sockets over loopback, waited on with the epoll engine. */
class NativeSocketTest {

    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final EpollEngine engine = new EpollEngine();
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        engine.close();
        arena.close();
    }

    @Test
    void bytesWrittenOnOneEndOfATcpConnectionAreReadOnTheOther() {
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server); NativeSocket accepted = acceptOne(server)) {
            client.write(bytes("hello"));

            awaitReady(accepted, READABLE);
            MemorySegment into = arena.allocate(16);
            int n = accepted.read(into);

            assertEquals("hello", text(into, n));
        }
    }

    @Test
    void acceptReturnsNullWhenNoConnectionIsPending() {
        try (NativeSocket server = listener()) {
            assertNull(server.accept());
        }
    }

    @Test
    void acceptUntilNullDrainsEveryPendingConnection() {
        try (NativeSocket server = listener(); NativeSocket _ = connectedTo(server); NativeSocket _ = connectedTo(server)) {
            awaitReady(server, READABLE);
            int accepted = 0;
            // Both handshakes complete in the kernel before accept sees them; wait for the second too.
            while (accepted < 2) {
                NativeSocket s = server.accept();
                if (s == null) {
                    awaitReady(server, READABLE);
                    continue;
                }
                s.close();
                accepted++;
            }

            assertNull(server.accept());
        }
    }

    @Test
    void readReturnsZeroWhenNothingIsAvailable() {
        try (NativeSocket server = listener(); NativeSocket _ = connectedTo(server); NativeSocket accepted = acceptOne(server)) {
            assertEquals(0, accepted.read(arena.allocate(16)));
        }
    }

    @Test
    void readReturnsMinusOneAfterThePeerShutsDownOutput() {
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server); NativeSocket accepted = acceptOne(server)) {
            client.shutdownOutput();

            awaitReady(accepted, READABLE);

            assertEquals(-1, accepted.read(arena.allocate(16)));
        }
    }

    @Test
    void aReadIntoAnEmptyBufferReturnsZeroNotEndOfStreamAndLeavesTheDataWaiting() {
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server); NativeSocket accepted = acceptOne(server)) {
            client.write(bytes("kept"));
            awaitReady(accepted, READABLE);

            assertEquals(0, accepted.read(MemorySegment.NULL));
            assertEquals(0, accepted.readv(new MemorySegment[0], 0, 0));

            assertEquals("kept", readExactly(accepted, 4));
        }
    }

    @Test
    void readAndWriteTakeHeapSegmentsAsWellAsNativeMemory() {
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server); NativeSocket accepted = acceptOne(server)) {
            byte[] message = "heap".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] received = new byte[16];

            int written = client.write(MemorySegment.ofArray(message));
            awaitReady(accepted, READABLE);
            int read = accepted.read(MemorySegment.ofArray(received));

            assertEquals(4, written);
            assertEquals(4, read);
            assertEquals("heap", new String(received, 0, read, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void writevSendsItsBuffersInOrder() {
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server); NativeSocket accepted = acceptOne(server)) {
            long written = client.writev(new MemorySegment[] {bytes("ab"), bytes("cde"), bytes("f")}, 0, 3);

            assertEquals(6, written);
            assertEquals("abcdef", readExactly(accepted, 6));
        }
    }

    @Test
    void readvFillsEachBufferBeforeTheNext() {
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server); NativeSocket accepted = acceptOne(server)) {
            client.write(bytes("abcdef"));
            MemorySegment first = arena.allocate(2);
            MemorySegment second = arena.allocate(4);
            awaitReady(accepted, READABLE);

            long n = accepted.readv(new MemorySegment[] {first, second}, 0, 2);

            assertEquals(6, n);
            assertEquals("ab", text(first, 2));
            assertEquals("cdef", text(second, 4));
        }
    }

    @Test
    void connectToAClosedLoopbackPortIsRefused() {
        InetSocketAddress closedPort;
        try (NativeSocket probe = NativeSocket.stream(StandardProtocolFamily.INET)) {
            probe.bind(ANY_LOOPBACK_PORT);
            closedPort = (InetSocketAddress) probe.localAddress();
        }
        try (NativeSocket client = NativeSocket.stream(StandardProtocolFamily.INET)) {

            ErrnoException e = assertThrows(ErrnoException.class, () -> {
                if (!client.connect(closedPort)) {
                    awaitReady(client, WRITABLE);
                    client.finishConnect();
                }
            });

            assertInstanceOf(ConnectionException.class, e);
            assertEquals(Errno.ECONNREFUSED, e.errno());
            assertEquals("connect", e.call());
        }
    }

    @Test
    void bindingAnAddressInUseGivesEaddrinuse() {
        try (NativeSocket server = listener(); NativeSocket second = NativeSocket.stream(StandardProtocolFamily.INET)) {

            ErrnoException e = assertThrows(ErrnoException.class, () -> second.bind(server.localAddress()));

            assertEquals(Errno.EADDRINUSE, e.errno());
            assertTrue(e.getMessage().startsWith("bind(fd=" + second.fd() + ", "), e.getMessage());
        }
    }

    @Test
    void writingAfterThePeerClosedFailsWithAConnectionException() {
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server)) {
            acceptOne(server).close();
            awaitReady(client, READABLE); // the FIN has arrived

            ConnectionException e = writeUntilRefused(client, () -> client.write(bytes("x")));
            assertTrue(e.errno() == Errno.EPIPE || e.errno() == Errno.ECONNRESET, e.getMessage());
        }
    }

    @Test
    void writevToAResetConnectionFailsWithEpipeRatherThanRaiseSigpipe() {
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server)) {
            acceptOne(server).close();
            awaitReady(client, READABLE);
            MemorySegment[] gather = {bytes("a"), bytes("b")};
            writeUntilRefused(client, () -> client.writev(gather, 0, 2)); // the reset is reported once

            ConnectionException e = assertThrows(ConnectionException.class, () -> client.writev(gather, 0, 2));

            assertEquals(Errno.EPIPE, e.errno(), e.getMessage()); // the process is still here: no SIGPIPE
        }
    }

    /** Writes until the kernel refuses: the first write may still be taken (the peer answers it with RST). */
    private ConnectionException writeUntilRefused(NativeSocket client, Runnable write) {
        return assertThrows(ConnectionException.class, () -> {
            while (true) {
                write.run();
                awaitReady(client, READABLE);
            }
        });
    }

    @Test
    void booleanOptionsReadBackWhatWasSet() {
        try (NativeSocket socket = NativeSocket.stream(StandardProtocolFamily.INET)) {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);

            assertTrue(socket.getOption(StandardSocketOptions.TCP_NODELAY));
            assertTrue(socket.getOption(StandardSocketOptions.SO_REUSEADDR));
            assertTrue(socket.getOption(StandardSocketOptions.SO_REUSEPORT));
            assertTrue(socket.getOption(StandardSocketOptions.SO_KEEPALIVE));
        }
    }

    @Test
    void lingerReadsBackInSecondsAndNegativeMeansOff() {
        try (NativeSocket socket = NativeSocket.stream(StandardProtocolFamily.INET)) {
            assertEquals(-1, socket.getOption(StandardSocketOptions.SO_LINGER));

            socket.setOption(StandardSocketOptions.SO_LINGER, 5);

            assertEquals(5, socket.getOption(StandardSocketOptions.SO_LINGER));
        }
    }

    @Test
    void reusePortLetsTwoListenersShareAPort() {
        try (NativeSocket first = NativeSocket.stream(StandardProtocolFamily.INET);
             NativeSocket second = NativeSocket.stream(StandardProtocolFamily.INET)) {
            first.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            first.bind(ANY_LOOPBACK_PORT);
            first.listen(16);
            second.setOption(StandardSocketOptions.SO_REUSEPORT, true);

            second.bind(first.localAddress());

            assertEquals(first.localAddress(), second.localAddress());
        }
    }

    @Test
    void ipv6LoopbackConnects() {
        InetSocketAddress any = new InetSocketAddress(ipv6Loopback(), 0);
        try (NativeSocket server = NativeSocket.stream(StandardProtocolFamily.INET6)) {
            server.bind(any);
            server.listen(16);
            try (NativeSocket client = connectedTo(server, StandardProtocolFamily.INET6); NativeSocket accepted = acceptOne(server)) {
                assertEquals(client.localAddress(), accepted.remoteAddress());
                assertEquals(ipv6Loopback(), ((InetSocketAddress) accepted.localAddress()).getAddress());
            }
        }
    }

    @Test
    void unixSocketsConnectByPath(@TempDir Path directory) {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(directory.resolve("s"));
        try (NativeSocket server = NativeSocket.stream(StandardProtocolFamily.UNIX)) {
            server.bind(path);
            server.listen(16);
            try (NativeSocket client = NativeSocket.stream(StandardProtocolFamily.UNIX)) {
                if (!client.connect(path)) {
                    awaitReady(client, WRITABLE);
                    client.finishConnect();
                }
                try (NativeSocket accepted = acceptOne(server)) {
                    client.write(bytes("unix"));
                    assertEquals("unix", readExactly(accepted, 4));
                    assertEquals(path, server.localAddress());
                }
            }
        }
    }

    @Test
    void unacknowledgedBytesCountWhatAPeerThatStoppedReadingLeftInTheKernel() {
        // The peer is the connection waiting in the listener's backlog: nobody reads it.
        try (NativeSocket server = listener(); NativeSocket client = connectedTo(server)) {
            assertEquals(0, client.unacknowledgedBytes(), "nothing written yet");

            long written = fillUntilTheKernelRefuses(client);

            int unacknowledged = client.unacknowledgedBytes();
            assertTrue(unacknowledged > 0 && unacknowledged <= written,
                    unacknowledged + " unacknowledged of " + written + " written");
        }
    }

    @Test
    void unacknowledgedBytesAreUnknownOnAUnixSocketWhoseKernelCountsMemoryNotBytes(@TempDir Path directory) {
        try (NativeSocket server = NativeSocket.stream(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(directory.resolve("s")));
            server.listen(1);
            try (NativeSocket client = connectedTo(server, StandardProtocolFamily.UNIX)) {
                fillUntilTheKernelRefuses(client);

                assertEquals(-1, client.unacknowledgedBytes());
            }
        }
    }

    private long fillUntilTheKernelRefuses(NativeSocket socket) {
        MemorySegment chunk = arena.allocate(64 * 1024);
        long written = 0;
        int n;
        while ((n = socket.write(chunk)) > 0) {
            written += n;
        }
        return written;
    }

    @Test
    void udpDatagramsCarryTheirSender() {
        try (NativeSocket receiver = NativeSocket.datagram(StandardProtocolFamily.INET);
             NativeSocket sender = NativeSocket.datagram(StandardProtocolFamily.INET)) {
            receiver.bind(ANY_LOOPBACK_PORT);
            sender.bind(ANY_LOOPBACK_PORT);

            sender.sendTo(bytes("ping"), receiver.localAddress());
            awaitReady(receiver, READABLE);
            MemorySegment into = arena.allocate(16);
            Datagram datagram = receiver.receiveFrom(into);

            assertNotNull(datagram);
            assertEquals("ping", text(into, datagram.length()));
            assertEquals(sender.localAddress(), datagram.sender());
        }
    }

    @Test
    void receiveFromReturnsNullWhenNoDatagramIsWaiting() {
        try (NativeSocket receiver = NativeSocket.datagram(StandardProtocolFamily.INET)) {
            receiver.bind(ANY_LOOPBACK_PORT);

            assertNull(receiver.receiveFrom(arena.allocate(16)));
        }
    }

    @Test
    void closeIsIdempotent() {
        NativeSocket socket = NativeSocket.stream(StandardProtocolFamily.INET);
        socket.close();

        socket.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyCallButClose")
    void everyCallAfterCloseFailsWithEbadfSayingTheSocketIsClosed(String call, Consumer<NativeSocket> operation) {
        NativeSocket socket = NativeSocket.stream(StandardProtocolFamily.INET);
        socket.close();

        ErrnoException refused = assertThrows(ErrnoException.class, () -> operation.accept(socket));

        assertEquals(Errno.EBADF, refused.errno());
        assertTrue(refused.getMessage().contains("fd=" + socket.fd() + ": the socket is closed"), refused.getMessage());
    }

    @Test
    void aCallAfterCloseNeverReachesTheFileThatWasGivenTheFdNumberNext() {
        NativeSocket closed = NativeSocket.stream(StandardProtocolFamily.INET);
        closed.close();
        try (NativeSocket reusedNumber = openedOnTheNumberOf(closed)) {

            assertThrows(ErrnoException.class, () -> closed.setOption(StandardSocketOptions.TCP_NODELAY, true));
            assertThrows(ErrnoException.class, () -> closed.bind(ANY_LOOPBACK_PORT));
            assertThrows(ErrnoException.class, closed::shutdownInput);

            assertEquals(false, reusedNumber.getOption(StandardSocketOptions.TCP_NODELAY));
            assertEquals(0, ((InetSocketAddress) reusedNumber.localAddress()).getPort(), "still unbound");
        }
    }

    @Test
    void closingTwiceLeavesTheFileThatWasGivenTheFdNumberNextOpen() {
        NativeSocket closed = NativeSocket.stream(StandardProtocolFamily.INET);
        closed.close();
        try (NativeSocket reusedNumber = openedOnTheNumberOf(closed)) {

            closed.close();

            assertEquals(false, reusedNumber.getOption(StandardSocketOptions.TCP_NODELAY), "still open");
        }
    }

    /** Every call of a socket but {@code close}, {@code fd} and {@code toString}, named for the report. */
    static Stream<Arguments> everyCallButClose() {
        MemorySegment buffer = Arena.ofAuto().allocate(16); // native: writev, readv and sendTo take no heap memory
        MemorySegment[] buffers = {buffer};
        return Stream.of(
                call("bind", s -> s.bind(ANY_LOOPBACK_PORT)),
                call("listen", s -> s.listen(1)),
                call("accept", NativeSocket::accept),
                call("connect", s -> s.connect(ANY_LOOPBACK_PORT)),
                call("finishConnect", NativeSocket::finishConnect),
                call("read", s -> s.read(buffer)),
                call("write", s -> s.write(buffer)),
                call("writev", s -> s.writev(buffers, 0, 1)),
                call("readv", s -> s.readv(buffers, 0, 1)),
                call("sendTo", s -> s.sendTo(buffer, ANY_LOOPBACK_PORT)),
                call("receiveFrom", s -> s.receiveFrom(buffer)),
                call("shutdownOutput", NativeSocket::shutdownOutput),
                call("shutdownInput", NativeSocket::shutdownInput),
                call("localAddress", NativeSocket::localAddress),
                call("remoteAddress", NativeSocket::remoteAddress),
                call("setOption", s -> s.setOption(StandardSocketOptions.SO_KEEPALIVE, true)),
                call("getOption", s -> s.getOption(StandardSocketOptions.SO_KEEPALIVE)),
                call("unacknowledgedBytes", NativeSocket::unacknowledgedBytes));
    }

    private static Arguments call(String name, Consumer<NativeSocket> operation) {
        return Arguments.of(name, operation);
    }

    @Test
    void closingEveryAcceptedAndConnectedSocketLeaksNoFd() throws IOException {
        long before = openFds();
        try (NativeSocket server = listener()) {
            for (int i = 0; i < 50; i++) {
                try (NativeSocket _ = connectedTo(server); NativeSocket accepted = acceptOne(server)) {
                    assertNotNull(accepted);
                }
            }
        }

        assertEquals(before, openFds());
    }

    // ---- fixtures

    /** A new socket, which the kernel gives the lowest free fd number: the one {@code closed} had. */
    private static NativeSocket openedOnTheNumberOf(NativeSocket closed) {
        NativeSocket socket = NativeSocket.stream(StandardProtocolFamily.INET);
        if (socket.fd() != closed.fd()) {
            socket.close();
            fail("the kernel gave fd " + socket.fd() + ", not the lowest free number " + closed.fd());
        }
        return socket;
    }

    private NativeSocket listener() {
        NativeSocket server = NativeSocket.stream(StandardProtocolFamily.INET);
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(ANY_LOOPBACK_PORT);
        server.listen(64);
        return server;
    }

    private NativeSocket connectedTo(NativeSocket server) {
        return connectedTo(server, StandardProtocolFamily.INET);
    }

    private NativeSocket connectedTo(NativeSocket server, StandardProtocolFamily family) {
        NativeSocket client = NativeSocket.stream(family);
        if (!client.connect(server.localAddress())) {
            awaitReady(client, WRITABLE);
            client.finishConnect();
        }
        return client;
    }

    private NativeSocket acceptOne(NativeSocket server) {
        while (true) {
            NativeSocket accepted = server.accept();
            if (accepted != null) {
                return accepted;
            }
            awaitReady(server, READABLE);
        }
    }

    /** Blocks in the engine until the socket is ready for {@code interest}; fails after 10 s. */
    private void awaitReady(NativeSocket socket, int interest) {
        int[] seen = {0};
        engine.register(socket.fd(), interest, ready -> seen[0] = ready);
        try {
            engine.poll(TimeUnit.SECONDS.toNanos(10));
        } finally {
            engine.unregister(socket.fd());
        }
        assertTrue(seen[0] != 0, "fd " + socket.fd() + " not ready within 10 s");
    }

    private String readExactly(NativeSocket socket, int length) {
        MemorySegment into = arena.allocate(length);
        int total = 0;
        while (total < length) {
            int n = socket.read(into.asSlice(total));
            if (n == 0) {
                awaitReady(socket, READABLE);
            } else {
                assertTrue(n > 0, "unexpected end of stream");
                total += n;
            }
        }
        return text(into, length);
    }

    private MemorySegment bytes(String s) {
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(MemorySegment segment, int length) {
        return new String(segment.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    private static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static long openFds() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }
}
