package dev.weft.unix.net;

import static dev.weft.unix.net.Net.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.ManualClock;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that reads slowly but steadily is never cut off by the write timeout (FlowOptions): not
 * while the flow's own queue waits for the kernel (both engines), nor, on epoll, while the kernel
 * still holds output the peer has not acknowledged after that queue drained; and the watch ends,
 * leaving no timer and no fd, once the peer has it all or the flow closes.
 *
 * <p>The sockets are real and the time is not: the loop's timers read a {@link ManualClock} that
 * moves only when the reader moves it, one step (a sixteenth of the write timeout) before each
 * read, and each read waits for a loop iteration that polls the engine, as a reader that sleeps
 * between reads would. So "slowly" is exact whatever the machine's load, and the only real
 * waiting is for bytes the kernel is passing on. Each read takes at most {@value #READ} bytes, a
 * few percent of what the kernel buffers between the two ends, so the kernel's queues, not the
 * reader's pace per call, set how long the exchange lasts: several write timeouts. The reader
 * reads far more per timeout than the receiving kernel holds back before it announces a larger
 * window, so some acknowledgement reaches the sender in every timeout. Every test is bounded in
 * real time by its JUnit timeout and in virtual time by {@link Net#PATIENCE}.
 */
@Timeout(120)
class SlowReaderTest {
    private static final Duration WRITE_TIMEOUT = Duration.ofMillis(80);
    private static final long TIMEOUT_NANOS = WRITE_TIMEOUT.toNanos();
    private static final long STEP_NANOS = TIMEOUT_NANOS / 16;
    /** What one read takes at most: the size of the loop's read buffers. */
    private static final int READ = 16 * 1024;
    /** Asked for; Linux doubles it (the window is about half of that). */
    private static final int CLIENT_RECEIVE_BUFFER = 64 * 1024;
    /**
     * Asked for; Linux doubles it. Large beside what the reader takes per timeout, so that the
     * engine's writability (a third of this free) and the end of the kernel's queue (all of it
     * acknowledged) are each more than a timeout away.
     */
    private static final int SERVER_SEND_BUFFER = 1024 * 1024;
    private static final int OUTPUT = 8 << 20;

    private final ManualClock clock = new ManualClock();

    /** Byte {@code k} of everything the server sends, so that a lost, doubled or reordered byte shows. */
    private static byte expected(long k) {
        return (byte) (k % 251);
    }

    /** Bytes {@code from} to {@code from + size} of the server's stream. */
    private static MemorySegment stream(long from, int size) {
        MemorySegment bytes = Net.offHeap(size);
        for (int i = 0; i < size; i++) {
            bytes.set(ValueLayout.JAVA_BYTE, i, expected(from + i));
        }
        return bytes;
    }

    /** The client: one read per step of the clock, each checked byte by byte against {@link #expected}. */
    private final class SteadyReader {
        private final Net net;
        private final SocketFlow flow;
        /** Runs after each step of the clock, before that step's read. */
        Runnable eachStep = () -> {};
        long received;

        SteadyReader(Net net, SocketFlow flow) {
            this.net = net;
            this.flow = flow;
        }

        /** Reads one step of {@code stepNanos} apart until {@code total} bytes came. */
        Promise<Void> readUntil(long total, long stepNanos) {
            return readWhile(() -> received < total, stepNanos);
        }

        /** Reads one step of {@code stepNanos} apart while {@code more} holds before a step. */
        Promise<Void> readWhile(BooleanSupplier more, long stepNanos) {
            if (!more.getAsBoolean()) {
                return Promise.unit();
            }
            clock.advanceBy(stepNanos);
            eachStep.run();
            // Due at once on the moved clock, the sleep fires in the next iteration, after the
            // engine was polled: what the server does on writability happens between two reads.
            return net.loop.sleep(Duration.ZERO).flatMap(v -> flow.read()).flatMap(read -> switch (read) {
                case Flow.Data(var bytes) -> {
                    check(bytes);
                    yield readWhile(more, stepNanos);
                }
                case Flow.EndOfStream end -> Promise.rejected(new AssertionError("end of stream after " + received + " bytes"));
            });
        }

        private void check(MemorySegment bytes) {
            int n = (int) bytes.byteSize();
            for (int i = 0; i < n; i++) {
                byte got = bytes.get(ValueLayout.JAVA_BYTE, i);
                if (got != expected(received + i)) {
                    throw new AssertionError("byte " + (received + i) + " was " + got + ", not " + expected(received + i));
                }
            }
            received += n;
        }
    }

    private Net open(EngineKind kind) {
        return Net.open(kind, READ, FlowOptions.DEFAULT.withWriteTimeout(WRITE_TIMEOUT), clock);
    }

    /** [client, server], the client's receive buffer and the server's send buffer set. */
    private static SocketFlow[] pair(Net net, TcpListener listener) {
        return net.connectedPair(listener, CLIENT_RECEIVE_BUFFER, SERVER_SEND_BUFFER);
    }

    /** Runs the loop until {@code reading} ends, and fails with the server's state if the server cut the reader off. */
    private static void runReader(Net net, SocketFlow server, Promise<Void> reading) {
        runReader(net, server, reading, "");
    }

    private static void runReader(Net net, SocketFlow server, Promise<Void> reading, String when) {
        Promise<Throwable> outcome = reading.tryBind(v -> Promise.of(null), Promise::of);
        Throwable failure = net.run(outcome);
        assertEquals(0, net.sockets.writeTimeouts(), "the write timeout cut the reader off" + when + ": " + failure);
        assertFalse(server.isClosed(), "the server closed the flow" + when + ": " + failure);
        if (failure != null) {
            throw new AssertionError("the reader failed" + when, failure);
        }
    }

    @SocketTest
    void aPeerThatReadsSlowlyButSteadilyIsNeverCutOffAndGetsEveryByteInOrder(EngineKind kind) {
        try (Net net = open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = pair(net, listener);
            SteadyReader reader = new SteadyReader(net, pair[0]);
            long start = clock.nanoTime();
            long[] drainedAt = {-1};

            Promise<Void> serverWrite = pair[1].write(stream(0, OUTPUT));
            serverWrite.onSuccess(v -> drainedAt[0] = clock.nanoTime());
            assertTrue(serverWrite.isPending(), "the output queued in the flow: the kernel's buffers are the bottleneck");
            runReader(net, pair[1], reader.readUntil(OUTPUT, STEP_NANOS));

            assertEquals(OUTPUT, reader.received);
            assertTrue(serverWrite.isFulfilled());
            assertTrue(drainedAt[0] - start > 4 * TIMEOUT_NANOS, "the flow's queue waited for the reader for several write timeouts");
            assertTrue(clock.nanoTime() - drainedAt[0] > 2 * TIMEOUT_NANOS,
                    "then the kernel's queue did, for more than two (on epoll, under the watch of SIOCOUTQ)");
        }
    }

    /**
     * More output queues while the kernel still holds earlier output the reader has not
     * acknowledged yet: the acknowledgements since the watch last looked count, so a write made
     * just before its next look does not find the last progress a whole timeout old. The write
     * is made at each of the sixteen steps after the first output drained, on a connection each;
     * the watch looks once per timeout, so one of them lands on a look.
     */
    @SocketTest
    void aSteadyReaderIsNotCutOffWhenMoreOutputQueuesWhileEarlierOutputIsUnacknowledged(EngineKind kind) {
        int first = 4 << 20;
        int second = 1 << 20;
        for (int step = 1; step <= TIMEOUT_NANOS / STEP_NANOS; step++) {
            try (Net net = open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
                SocketFlow[] pair = pair(net, listener);
                SteadyReader reader = new SteadyReader(net, pair[0]);
                Promise<Void> firstWrite = pair[1].write(stream(0, first));
                int writeAt = step;
                int[] stepsSinceDrained = {0};
                Promise<?>[] secondWrite = {null};
                reader.eachStep = () -> {
                    if (!firstWrite.isPending() && ++stepsSinceDrained[0] == writeAt) {
                        secondWrite[0] = pair[1].write(stream(first, second));
                        assertTrue(secondWrite[0].isPending(), "the second output queued");
                    }
                };

                String when = " (second write " + writeAt + " steps after the first drained)";
                runReader(net, pair[1], reader.readUntil(first + second, STEP_NANOS), when);

                assertEquals(first + second, reader.received, when);
                assertTrue(secondWrite[0].isFulfilled());
            }
        }
    }

    /**
     * On epoll the watch goes on after the flow's queue drained, while the kernel holds output
     * the reader has not acknowledged; once it has all been acknowledged the next look ends it,
     * and no timer is left. The reader reads the rest at once (a fast reader now) and answers,
     * so its kernel's acknowledgement of everything has reached the server when the server reads.
     */
    @Test
    void theWatchOfUnacknowledgedOutputEndsOnItsOwnOnceThePeerHasAcknowledgedEverything() {
        try (Net net = open(EngineKind.EPOLL); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = pair(net, listener);
            SteadyReader reader = new SteadyReader(net, pair[0]);
            Promise<Void> serverWrite = pair[1].write(stream(0, OUTPUT));
            runReader(net, pair[1], reader.readWhile(serverWrite::isPending, STEP_NANOS));
            assertEquals(1, net.loop.metrics().timersPending(), "the write timer watches what the kernel holds");
            runReader(net, pair[1], reader.readUntil(OUTPUT, 0));
            net.run(pair[0].write(Net.text("thanks")));
            assertTrue(net.run(pair[1].read()) instanceof Flow.Data, "the answer carried the last acknowledgement");

            clock.advanceBy(TIMEOUT_NANOS);
            net.loop.runOnce(0); // the watch's next look

            assertEquals(0, net.loop.metrics().timersPending());
            assertFalse(pair[1].isClosed());
            assertEquals(0, net.sockets.writeTimeouts());
        }
    }

    @SocketTest
    void closingAFlowWhoseQueuedOutputIsWatchedLeavesNoTimerAndNoFd(EngineKind kind) throws IOException {
        long fdsBefore = openFdsAfterAWarmUp(kind);
        try (Net net = open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = pair(net, listener);
            Promise<Void> serverWrite = pair[1].write(stream(0, OUTPUT));
            runReader(net, pair[1], new SteadyReader(net, pair[0]).readUntil(OUTPUT / 8, STEP_NANOS));
            assertTrue(serverWrite.isPending());
            assertEquals(1, net.loop.metrics().timersPending(), "the write timer watches the queue");

            net.run(pair[1].close());

            assertEquals(0, net.loop.metrics().timersPending());
            net.run(pair[0].close());
        }
        assertEquals(fdsBefore, Net.openFds());
    }

    @Test
    void closingAFlowWhileTheKernelStillHoldsItsUnacknowledgedOutputLeavesNoTimerAndNoFd() throws IOException {
        long fdsBefore = openFdsAfterAWarmUp(EngineKind.EPOLL);
        try (Net net = open(EngineKind.EPOLL); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = pair(net, listener);
            Promise<Void> serverWrite = pair[1].write(stream(0, OUTPUT));
            runReader(net, pair[1], new SteadyReader(net, pair[0]).readWhile(serverWrite::isPending, STEP_NANOS));
            assertEquals(0, pair[1].queuedBytes());
            assertEquals(1, net.loop.metrics().timersPending(), "the write timer watches what the kernel holds");

            net.run(pair[1].close());

            assertEquals(0, net.loop.metrics().timersPending());
            net.run(pair[0].close());
        }
        assertEquals(fdsBefore, Net.openFds());
    }

    /**
     * This process's fd count after one connection on {@code kind} was made and closed: the JDK
     * opens some fds once, on first use (NIO's pre-close socket pair), and keeps them.
     */
    private long openFdsAfterAWarmUp(EngineKind kind) throws IOException {
        try (Net net = open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] pair = net.connectedPair(listener);
            net.run(pair[1].write(Net.text("warm-up")));
            net.run(pair[0].read());
            net.run(pair[1].close());
            net.run(pair[0].close());
        }
        return Net.openFds();
    }
}
