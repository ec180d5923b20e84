package dev.weft.unix.net;

import static dev.weft.unix.net.Net.ANY_LOOPBACK;
import static dev.weft.unix.net.Net.PATIENCE;
import static dev.weft.unix.net.Net.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.LoopClosed;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.ConnectionException;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket conformance suite: every test runs unchanged on the epoll and the NIO engine, as
 * Netty's testsuite runs on every transport.
 */
class SocketFlowConformanceTest {

    @TempDir
    Path tempDir;

    @SocketTest
    void bytesWrittenByTheClientAreReadByTheServerAndBack(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);

            net.run(pair[0].write(text("ping")));
            String atServer = net.readString(pair[1], 4);
            net.run(pair[1].write(text("pong")));
            String atClient = net.readString(pair[0], 4);

            assertEquals("ping", atServer);
            assertEquals("pong", atClient);
        }
    }

    @SocketTest
    void aFlowWaitingForDataHoldsNoReadBuffer(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);
            int idle = net.pool.available();

            net.run(pair[0].write(text("ping")));
            assertEquals("ping", net.readString(pair[1], 4));
            Promise<Flow.Read> waiting = pair[1].read();

            assertTrue(waiting.isPending());
            assertEquals(idle, net.pool.available(), "the read buffer went back to the pool while waiting");
        }
    }

    @SocketTest
    void writevSendsTheSegmentsInOrder(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);

            net.run(pair[0].writev(List.of(text("one "), text("two "), MemorySegment.ofArray(new byte[0]), text("three"))));

            assertEquals("one two three", net.readString(pair[1], 13));
        }
    }

    @SocketTest
    void readAfterThePeerClosesIsEndOfStream(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);

            net.run(pair[0].close());
            Flow.Read read = net.run(pair[1].read());

            assertSame(Flow.END_OF_STREAM, read);
            assertSame(Flow.END_OF_STREAM, net.run(pair[1].read()), "end of stream repeats");
        }
    }

    @SocketTest
    void afterShutdownOfWritingThePeerSeesEndOfStreamAndCanStillSendBack(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);

            net.run(pair[0].write(text("request")));
            net.run(pair[0].shutdown(Flow.Direction.WRITE));
            String request = net.readString(pair[1], 7);
            Flow.Read end = net.run(pair[1].read());
            net.run(pair[1].write(text("response")));
            net.run(pair[1].close());

            assertEquals("request", request);
            assertSame(Flow.END_OF_STREAM, end);
            assertEquals("response", net.readString(pair[0], 100));
        }
    }

    @SocketTest
    void writeAfterShutdownOfWritingIsRejectedAsClosed(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow client = net.connectedPair(listener)[0];
            net.run(client.shutdown(Flow.Direction.WRITE));

            Throwable failure = net.failureOf(client.write(text("late")));

            assertInstanceOf(SocketClosedException.class, failure);
        }
    }

    @SocketTest
    void closeRejectsAPendingReadWithSocketClosedException(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow server = net.connectedPair(listener)[1];
            Promise<Flow.Read> read = server.read();
            assertTrue(read.isPending());

            server.close();

            SocketClosedException failure = assertInstanceOf(SocketClosedException.class, read.failure());
            assertInstanceOf(ClosedChannelException.class, failure);
            assertTrue(failure.getMessage().contains("pending read"), failure.getMessage());
        }
    }

    @SocketTest
    void closeRejectsAPendingWriteWithSocketClosedException(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow client = net.connectedPair(listener)[0];
            Promise<Void> write = writeUntilOneWaits(client, Net.offHeap(1 << 20));

            client.close();

            SocketClosedException failure = assertInstanceOf(SocketClosedException.class, write.failure());
            assertTrue(failure.getMessage().contains("pending write"), failure.getMessage());
        }
    }

    @SocketTest
    void readAfterCloseIsRejectedAsClosed(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow client = net.connectedPair(listener)[0];
            net.run(client.close());

            assertInstanceOf(SocketClosedException.class, net.failureOf(client.read()));
        }
    }

    @SocketTest
    void aCancelledReadLeavesTheFlowReadable(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);
            Promise<Flow.Read> abandoned = pair[1].read();

            abandoned.cancel();
            net.run(pair[0].write(text("after")));

            assertTrue(abandoned.isCancelled());
            assertEquals("after", net.readString(pair[1], 5));
        }
    }

    @SocketTest
    void aReadRightAfterACancelledOneIsAcceptedAndServed(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);
            pair[1].read().cancel();

            Promise<Flow.Read> next = pair[1].read();
            net.run(pair[0].write(text("next")));

            assertEquals("next", string(assertInstanceOf(Flow.Data.class, net.run(next)).bytes()));
        }
    }

    @SocketTest
    void readsOfEqualLengthEachSeeTheirOwnBytes(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);

            net.run(pair[0].write(text("ping")));
            Flow.Data first = assertInstanceOf(Flow.Data.class, net.run(pair[1].read()));
            String firstText = string(first.bytes());
            net.run(pair[0].write(text("pong")));
            Flow.Data second = assertInstanceOf(Flow.Data.class, net.run(pair[1].read()));

            assertEquals("ping", firstText);
            assertEquals("pong", string(second.bytes()));
        }
    }

    @SocketTest
    void connectingWhereNobodyListensIsRefusedWithConnectionException(EngineKind kind) {
        try (Net net = Net.open(kind)) {
            SocketAddress vacant;
            try (TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
                vacant = listener.localAddress();
            }
            net.loop.runOnce(0); // NIO releases a closed channel's socket at the next select

            Throwable failure = net.failureOf(net.sockets.connect(vacant, PATIENCE));

            ConnectionException refused = assertInstanceOf(ConnectionException.class, failure);
            assertEquals(Errno.ECONNREFUSED, refused.errno(), () -> String.valueOf(refused.getCause()));
            assertTrue(refused.getMessage().contains("ECONNREFUSED"), refused.getMessage());
        }
    }

    @SocketTest
    void connectWithNoAnswerTimesOutWithConnectionException(EngineKind kind) {
        // A listener with backlog 1 that never accepts holds two connections (NIO cannot ask
        // for backlog 0: it means "the default" there); the kernel drops the SYNs of the next
        // ones, so they get no answer at all.
        try (Net net = Net.open(kind);
                TcpListener full = net.sockets.listen(ANY_LOOPBACK, ListenOptions.DEFAULT.withBacklog(1))) {
            List<SocketFlow> held = new ArrayList<>();
            Throwable failure = null;
            for (int attempt = 0; attempt < 8 && failure == null; attempt++) {
                Promise<SocketFlow> connect = net.sockets.connect(full.localAddress(), Duration.ofMillis(300));
                failure = net.run(connect.tryBind(flow -> {
                    held.add(flow);
                    return Promise.of((Throwable) null);
                }, Promise::of));
            }

            ConnectionException timedOut = assertInstanceOf(ConnectionException.class, failure);
            assertEquals(Errno.ETIMEDOUT, timedOut.errno());
            assertTrue(timedOut.getMessage().contains("300 ms"), timedOut.getMessage());
            held.forEach(SocketFlow::close);
        }
    }

    @SocketTest
    void aResetByThePeerRejectsTheReadWithECONNRESET(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);
            pair[0].setOption(StandardSocketOptions.SO_LINGER, 0);
            Promise<Flow.Read> read = pair[1].read();

            net.run(pair[0].close());

            ConnectionException reset = assertInstanceOf(ConnectionException.class, net.failureOf(read));
            assertEquals(Errno.ECONNRESET, reset.errno());
        }
    }

    @SocketTest
    void aWriterToAPeerThatDoesNotReadWaitsAndItsMemoryStaysBounded(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);
            SocketFlow writer = pair[0];
            MemorySegment chunk = Net.offHeap(64 * 1024);
            long[] accepted = {0};

            // The natural promise loop: write, then write again once the kernel took the bytes.
            Promise<Void> writing = writeForever(writer, chunk, accepted);
            for (int i = 0; i < 50; i++) {
                net.loop.runOnce(Duration.ofMillis(2).toNanos());
            }
            long acceptedWhileStalled = accepted[0];
            for (int i = 0; i < 50; i++) {
                net.loop.runOnce(Duration.ofMillis(2).toNanos());
            }

            assertTrue(writing.isPending());
            assertEquals(acceptedWhileStalled, accepted[0], "no progress while the peer does not read");
            assertEquals(1, writer.queuedWrites(), "only the one waiting write is held");
            assertTrue(accepted[0] < 64L << 20, "bounded by the kernel's buffers, was " + accepted[0]);

            long drained = drain(net, pair[1], accepted[0] + 64 * 1024);
            assertTrue(drained >= acceptedWhileStalled, "the reader gets everything the writer was told was taken");
            assertTrue(accepted[0] > acceptedWhileStalled, "the writer resumes once the peer reads");
            writer.close();
        }
    }

    @SocketTest
    void ipv6LoopbackCarriesAFlow(EngineKind kind) {
        try (Net net = Net.open(kind);
                TcpListener listener = net.sockets.listen(new InetSocketAddress("::1", 0))) {
            SocketFlow[] pair = net.connectedPair(listener);

            net.run(pair[0].write(text("over v6")));

            assertEquals("over v6", net.readString(pair[1], 7));
            assertEquals(listener.localAddress(), pair[0].remoteAddress());
        }
    }

    @SocketTest
    void unixDomainStreamSocketsCarryAFlow(EngineKind kind) throws Exception {
        Path path = tempDir.resolve("weft.sock");
        try (Net net = Net.open(kind);
                TcpListener listener = net.sockets.listen(UnixDomainSocketAddress.of(path))) {
            SocketFlow[] pair = net.connectedPair(listener);

            net.run(pair[0].write(text("local")));
            net.run(pair[1].write(text("reply")));

            assertEquals("local", net.readString(pair[1], 5));
            assertEquals("reply", net.readString(pair[0], 5));
        }
        Files.deleteIfExists(path);
    }

    @SocketTest
    void udpDatagramsCarryTheirSender(EngineKind kind) {
        try (Net net = Net.open(kind);
                UdpSocket a = net.sockets.bindUdp(ANY_LOOPBACK);
                UdpSocket b = net.sockets.bindUdp(ANY_LOOPBACK)) {
            Promise<Received> receive = b.receive();

            net.run(a.send(text("datagram"), b.localAddress()));
            Received received = net.run(receive);

            assertEquals("datagram", new String(received.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            assertEquals(a.localAddress(), received.sender());
        }
    }

    @SocketTest
    void udpWorksOverIpv6(EngineKind kind) {
        try (Net net = Net.open(kind);
                UdpSocket a = net.sockets.bindUdp(new InetSocketAddress("::1", 0));
                UdpSocket b = net.sockets.bindUdp(new InetSocketAddress("::1", 0))) {
            net.run(a.send(text("six"), b.localAddress()));

            Received received = net.run(b.receive());

            assertEquals(3, received.bytes().byteSize());
        }
    }

    @SocketTest
    void noDelayAndKeepAliveReadBackAsSet(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow client = net.connectedPair(listener)[0];

            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);

            assertTrue(client.getOption(StandardSocketOptions.TCP_NODELAY));
            assertTrue(client.getOption(StandardSocketOptions.SO_KEEPALIVE));
            client.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertFalse(client.getOption(StandardSocketOptions.TCP_NODELAY));
        }
    }

    @SocketTest
    void aClosedFlowRefusesOptionsAndAddressesRatherThanReachTheSocketThatReusedItsFd(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow closed = net.connectedPair(listener)[1];
            net.run(closed.close());
            SocketFlow next = net.connectedPair(listener)[1]; // the kernel hands out the fds just freed
            next.setOption(StandardSocketOptions.TCP_NODELAY, false);

            List<Runnable> uses = List.of(
                    closed::remoteAddress,
                    closed::localAddress,
                    () -> closed.getOption(StandardSocketOptions.TCP_NODELAY),
                    () -> closed.setOption(StandardSocketOptions.TCP_NODELAY, true));

            for (Runnable use : uses) {
                assertEquals(Errno.EBADF, assertThrows(ErrnoException.class, use::run).errno());
            }
            assertFalse(next.getOption(StandardSocketOptions.TCP_NODELAY), "the new connection's option is its own");
        }
    }

    @SocketTest
    void aClosedListenerRefusesItsAddressRatherThanGiveTheOneOfTheSocketThatReusedItsFd(EngineKind kind) {
        try (Net net = Net.open(kind)) {
            TcpListener closed = net.sockets.listen(ANY_LOOPBACK);
            closed.close();
            TcpListener next = net.sockets.listen(ANY_LOOPBACK); // the kernel hands out the fd just freed

            assertEquals(Errno.EBADF, assertThrows(ErrnoException.class, closed::localAddress).errno());
            next.close();
        }
    }

    @SocketTest
    void aRecursiveAcceptLoopServesEveryConnection(EngineKind kind) {
        try (Net net = Net.open(kind)) {
            TcpListener listener = net.sockets.listen(ANY_LOOPBACK);
            int[] served = {0};
            Promise<Void> server = acceptLoop(listener, served);
            List<SocketFlow> clients = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                clients.add(net.run(net.sockets.connect(listener.localAddress(), PATIENCE)));
            }
            for (SocketFlow client : clients) {
                assertSame(Flow.END_OF_STREAM, net.run(client.read()), "the server closed it");
                client.close();
            }

            assertEquals(100, served[0]);
            listener.close();
            assertInstanceOf(SocketClosedException.class, server.failure());
        }
    }

    @SocketTest
    void closingTheListenerRejectsAPendingAccept(EngineKind kind) {
        try (Net net = Net.open(kind)) {
            TcpListener listener = net.sockets.listen(ANY_LOOPBACK);
            Promise<SocketFlow> accept = listener.accept();

            listener.close();

            assertInstanceOf(SocketClosedException.class, accept.failure());
        }
    }

    @SocketTest
    void closingTheLoopClosesTheSocketsStillOpen(EngineKind kind) {
        try (Net net = Net.open(kind)) {
            TcpListener listener = net.sockets.listen(ANY_LOOPBACK);
            SocketFlow[] pair = net.connectedPair(listener);
            Promise<Flow.Read> read = pair[1].read();

            net.loop.close();

            assertInstanceOf(SocketClosedException.class, read.failure());
            assertTrue(pair[0].isClosed());
            assertInstanceOf(SocketClosedException.class, listener.accept().failure());
        }
    }

    @SocketTest
    void aSocketOpenedWhileTheLoopClosesItsSocketsIsRefusedNotLeftOpen(EngineKind kind) {
        try (Net net = Net.open(kind)) {
            TcpListener listener = net.sockets.listen(ANY_LOOPBACK);
            SocketAddress address = listener.localAddress();
            SocketFlow client = net.connectedPair(listener)[0];
            List<Promise<SocketFlow>> reconnects = new ArrayList<>();
            // a client that reconnects when its connection fails, as the loop's exit closes it
            client.read().onFailure(closed -> reconnects.add(net.sockets.connect(address, PATIENCE)));

            net.loop.close();

            assertEquals(1, reconnects.size());
            assertInstanceOf(LoopClosed.class, reconnects.getFirst().failure(),
                    "a socket registered after the exit closed them would never be closed");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Promise<Void> acceptLoop(TcpListener listener, int[] served) {
        return listener.accept().flatMap(connection -> {
            served[0]++;
            connection.close();
            return acceptLoop(listener, served);
        });
    }

    private static Promise<Void> writeForever(SocketFlow writer, MemorySegment chunk, long[] accepted) {
        return writer.write(chunk).flatMap(ignored -> {
            accepted[0] += chunk.byteSize();
            return writeForever(writer, chunk, accepted);
        });
    }

    /** Writes {@code chunk} again and again until a write has to wait for the kernel; returns that write. */
    private static Promise<Void> writeUntilOneWaits(SocketFlow writer, MemorySegment chunk) {
        while (true) {
            Promise<Void> write = writer.write(chunk);
            if (write.isPending()) {
                return write;
            }
        }
    }

    /** Reads until at least {@code atLeast} bytes arrived; returns how many did. */
    private static long drain(Net net, SocketFlow reader, long atLeast) {
        long total = 0;
        while (total < atLeast) {
            Flow.Read read = net.run(reader.read());
            if (!(read instanceof Flow.Data data)) {
                break;
            }
            total += data.bytes().byteSize();
        }
        return total;
    }

    private static String string(MemorySegment bytes) {
        return new String(bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8);
    }
}
