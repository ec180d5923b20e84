package dev.weft.unix.net;

import static dev.weft.unix.net.Net.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.EngineKind;
import dev.weft.unix.ConnectionException;
import dev.weft.unix.Errno;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The write queue's bounds (FlowOptions): above the high-water mark a flow stops reading, at the
 * low mark it reads again, and output that makes no progress for the write timeout closes the
 * flow with a WriteTimeoutException. The peer here never reads until told to, with small kernel
 * buffers so that the queue fills quickly.
 */
class WaterMarkTest {
    private static final int SENT = 8 << 20;
    private static final int KERNEL_BUFFER = 64 * 1024;

    /**
     * A server that answers every read with a write and does not wait for the write: the
     * pattern water marks exist for. Each read's bytes are copied, as the read lends them.
     */
    private static Promise<Void> carelessEcho(SocketFlow flow) {
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> {
                Promise.async(() -> flow.write(MemorySegment.ofArray(bytes.toArray(ValueLayout.JAVA_BYTE)))
                        .recover(failure -> Promise.unit()));
                yield carelessEcho(flow);
            }
            case Flow.EndOfStream end -> Promise.unit();
        });
    }

    private static SocketFlow[] pairWithSmallKernelBuffers(Net net, TcpListener listener) {
        return net.connectedPair(listener, KERNEL_BUFFER, KERNEL_BUFFER);
    }

    /** Runs the loop until the server pauses its reads or the client's write completes. */
    private static long runUntilPausedRecordingThePeakQueue(Net net, SocketFlow server, Promise<Void> clientWrite) {
        long[] peak = {0};
        Resolver<Void> stop = Promise.pending();
        Runnable remove = net.loop.onLeaveIteration(() -> {
            peak[0] = Math.max(peak[0], server.queuedBytes());
            if ((server.readsPaused() || !clientWrite.isPending()) && stop.promise().isPending()) {
                stop.resolve(null);
            }
        });
        net.run(stop.promise());
        remove.run();
        return peak[0];
    }

    @SocketTest
    void aFlowStopsReadingOnceItsQueuedOutputPassesTheHighMark(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = pairWithSmallKernelBuffers(net, listener);
            Promise.async(() -> carelessEcho(pair[1]).recover(closedAtTheEnd -> Promise.unit()));

            Promise<Void> clientWrite = pair[0].write(Net.offHeap(SENT)); // and never reads
            long peak = runUntilPausedRecordingThePeakQueue(net, pair[1], clientWrite);

            assertTrue(pair[1].readsPaused(), "the server stopped reading");
            assertTrue(clientWrite.isPending(), "so the client cannot send it all");
            long bound = FlowOptions.DEFAULT.highWaterMark() + Sockets.DEFAULT_BUFFER_SIZE;
            assertTrue(peak <= bound, "queued " + peak + " bytes, more than the high mark plus one read (" + bound + ")");
            assertEquals(1, net.sockets.readPauses());
        }
    }

    @SocketTest
    void readsResumeOnceThePeerDrainsTheQueueAndEveryByteComesBack(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = pairWithSmallKernelBuffers(net, listener);
            Promise.async(() -> carelessEcho(pair[1]).recover(closedAtTheEnd -> Promise.unit()));
            Promise<Void> clientWrite = pair[0].write(Net.offHeap(SENT));
            runUntilPausedRecordingThePeakQueue(net, pair[1], clientWrite);

            long received = net.run(readAtLeast(pair[0], SENT, 0));

            assertEquals(SENT, received);
            assertTrue(clientWrite.isFulfilled());
            assertTrue(!pair[1].readsPaused() && pair[1].queuedBytes() == 0);
        }
    }

    private static Promise<Long> readAtLeast(SocketFlow flow, long wanted, long got) {
        if (got >= wanted) {
            return Promise.of(got);
        }
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> readAtLeast(flow, wanted, got + bytes.byteSize());
            case Flow.EndOfStream end -> Promise.of(got);
        });
    }

    @SocketTest
    void aConnectedFlowNeverPausesItsReadsByDefault(EngineKind kind) {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);

            assertEquals(Long.MAX_VALUE, pair[0].flowOptions().highWaterMark());
            assertEquals(FlowOptions.DEFAULT, pair[1].flowOptions());
        }
    }

    @SocketTest
    void queuedOutputThatMakesNoProgressClosesTheFlowWithAWriteTimeout(EngineKind kind) {
        FlowOptions options = FlowOptions.DEFAULT.withWriteTimeout(Duration.ofMillis(200));
        try (Net net = Net.open(kind, options); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = pairWithSmallKernelBuffers(net, listener);
            Promise<Flow.Read> serverRead = pair[1].read();

            Throwable failure = net.failureOf(pair[1].write(Net.offHeap(SENT))); // the client never reads

            WriteTimeoutException timeout = assertInstanceOf(WriteTimeoutException.class, failure);
            assertEquals(Errno.ETIMEDOUT, timeout.errno());
            assertTrue(pair[1].isClosed());
            assertInstanceOf(WriteTimeoutException.class, serverRead.failure(), "the pending read learns why");
            assertEquals(1, net.sockets.writeTimeouts());
            assertEquals(0, net.sockets.queuedBytes(), "the queue's memory is released");
        }
    }

    /**
     * A write timeout resets the connection rather than closing it in order: a FIN would wait
     * behind the bytes the peer does not read, so the peer would never see the end, and the
     * kernel would go on holding them. Here the peer sees a reset once it reads what it had.
     */
    @SocketTest
    void aWriteTimeoutResetsTheConnectionSoThePeerLearnsAtOnce(EngineKind kind) {
        FlowOptions options = FlowOptions.DEFAULT.withWriteTimeout(Duration.ofMillis(200));
        try (Net net = Net.open(kind, options); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = pairWithSmallKernelBuffers(net, listener);
            net.failureOf(pair[1].write(Net.offHeap(SENT))); // the client never reads, until now

            Throwable clientSees = net.failureOf(readAtLeast(pair[0], SENT, 0));

            ConnectionException reset = assertInstanceOf(ConnectionException.class, clientSees);
            assertEquals(Errno.ECONNRESET, reset.errno());
        }
    }

    /**
     * Output the kernel took but the peer never acknowledges counts too. The flow's queue
     * drained into the kernel (the client read until then), the flow waits to read as a server
     * waits for the next request, and the client neither reads nor sends: the flow is closed with
     * a WriteTimeoutException once the peer has acknowledged nothing for the write timeout,
     * however long its read timeout would be. Epoll only: the NIO engine cannot see the bytes the
     * kernel holds (Java's channels do not expose SIOCOUTQ).
     */
    @Test
    void outputTheKernelHoldsThatThePeerNeverAcknowledgesClosesTheFlowWithAWriteTimeout() {
        FlowOptions options = FlowOptions.DEFAULT.withWriteTimeout(Duration.ofMillis(200));
        try (Net net = Net.open(EngineKind.EPOLL, options); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            // the kernel holds more than the client takes
            SocketFlow[] pair = net.connectedPair(listener, KERNEL_BUFFER, 4 * KERNEL_BUFFER);
            Promise<Void> serverWrite = pair[1].write(Net.offHeap(SENT));
            assertTrue(serverWrite.isPending(), "the output had to queue: the client fell behind");
            net.run(readWhile(pair[0], serverWrite::isPending)); // then it never reads again
            Promise<Flow.Read> serverRead = pair[1].read();

            Throwable failure = net.failureOf(serverRead);

            assertInstanceOf(WriteTimeoutException.class, failure);
            assertTrue(pair[1].isClosed());
            assertEquals(1, net.sockets.writeTimeouts());
        }
    }

    /** Reads and drops what arrives while {@code go} holds; fulfilled after the first read that finds it false. */
    private static Promise<Void> readWhile(SocketFlow flow, BooleanSupplier go) {
        return flow.read().flatMap(read -> go.getAsBoolean() && read instanceof Flow.Data ? readWhile(flow, go) : Promise.unit());
    }
}
