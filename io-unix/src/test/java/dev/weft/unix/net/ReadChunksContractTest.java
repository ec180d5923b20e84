package dev.weft.unix.net;

import static dev.weft.unix.net.Net.ANY_LOOPBACK;
import static dev.weft.unix.net.Net.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.ConnectionException;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Errno;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract of {@link Flow#readChunks}, run against every implementation: {@link SocketFlow}'s
 * own reading loop on the epoll and the NIO engine over TCP and Unix sockets, and {@link Flow}'s
 * default over {@code read()} (a flow that does not override it, wrapping a socket).
 */
class ReadChunksContractTest {

    /** Which reader a test runs against. */
    enum Reader {
        EPOLL_TCP(EngineKind.EPOLL, false, false),
        NIO_TCP(EngineKind.NIO, false, false),
        EPOLL_UNIX(EngineKind.EPOLL, true, false),
        NIO_UNIX(EngineKind.NIO, true, false),
        DEFAULT_OVER_READ_EPOLL_TCP(EngineKind.EPOLL, false, true),
        DEFAULT_OVER_READ_NIO_UNIX(EngineKind.NIO, true, true);

        final EngineKind engine;
        final boolean unix;
        final boolean defaultMode;

        Reader(EngineKind engine, boolean unix, boolean defaultMode) {
            this.engine = engine;
            this.unix = unix;
            this.defaultMode = defaultMode;
        }
    }

    @TempDir
    Path tempDir;

    @ParameterizedTest
    @EnumSource(Reader.class)
    void everyByteArrivesOnceAndInOrderOverManyChunks(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            byte[] sent = pattern(1 << 20);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            int[] chunks = {0};

            Promise<Void> reading = f.reader.readChunks(bytes -> {
                chunks[0]++;
                received.writeBytes(bytes.toArray(ValueLayout.JAVA_BYTE));
                return Flow.ChunkHandler.READ_ON;
            });
            for (int at = 0; at < sent.length; at += 100_000) {
                f.net.run(f.writer.write(Net.offHeap(Math.min(100_000, sent.length - at))
                        .copyFrom(MemorySegment.ofArray(sent).asSlice(at, Math.min(100_000, sent.length - at)))));
            }
            f.net.run(f.writer.close());
            f.net.run(reading);

            assertArrayEquals(sent, received.toByteArray());
            assertTrue(chunks[0] > 1, "one megabyte came in " + chunks[0] + " chunk(s)");
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void aPendingAnswerPausesTheReadingUntilItResolves(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            List<String> seen = new ArrayList<>();
            Resolver<Boolean> hold = Promise.pending();
            Promise<Void> reading = f.reader.readChunks(bytes -> {
                seen.add(string(bytes));
                return seen.size() == 1 ? hold.promise() : Flow.ChunkHandler.READ_ON;
            });
            f.net.run(f.writer.write(text("first")));
            f.runUntil(() -> !seen.isEmpty());

            f.net.run(f.writer.write(text("second")));
            f.iterations(10); // the bytes are readable at once on loopback: a reading that went on would take them
            List<String> whilePaused = List.copyOf(seen);
            hold.resolve(true);
            f.runUntil(() -> seen.size() == 2);

            assertEquals(List.of("first"), whilePaused);
            assertEquals(List.of("first", "second"), seen);
            assertTrue(reading.isPending());
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void answeringStopEndsTheReadingAndReadGoesOnWithoutLoss(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            List<String> seen = new ArrayList<>();
            Promise<Void> reading = f.reader.readChunks(bytes -> {
                seen.add(string(bytes));
                return Flow.ChunkHandler.STOP;
            });
            f.net.run(f.writer.write(text("first")));
            f.net.run(reading);

            f.net.run(f.writer.write(text("second")));

            assertEquals(List.of("first"), seen);
            assertEquals("second", string(assertInstanceOf(Flow.Data.class, f.net.run(f.reader.read())).bytes()));
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void aPausedAnswerFulfilledWithFalseEndsTheReading(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Resolver<Boolean> hold = Promise.pending();
            Promise<Void> reading = f.readingPausedOnFirstChunk(hold);

            hold.resolve(false);

            assertTrue(reading.isFulfilled());
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void endOfStreamFulfilsTheReadingAfterTheLastChunkAndRepeats(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            StringBuilder seen = new StringBuilder();
            Promise<Void> reading = f.reader.readChunks(bytes -> {
                seen.append(string(bytes));
                return Flow.ChunkHandler.READ_ON;
            });

            f.net.run(f.writer.write(text("last words")));
            f.net.run(f.writer.shutdown(Flow.Direction.WRITE));
            f.net.run(reading);

            assertEquals("last words", seen.toString());
            assertTrue(f.reader.readChunks(bytes -> Flow.ChunkHandler.READ_ON).isFulfilled(), "end of stream repeats");
            assertSame(Flow.END_OF_STREAM, f.net.run(f.reader.read()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "DEFAULT_OVER_READ_EPOLL_TCP"})
    void aResetByThePeerRejectsTheReadingWithECONNRESET(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            f.writer.setOption(StandardSocketOptions.SO_LINGER, 0);
            Promise<Void> reading = f.reader.readChunks(bytes -> Flow.ChunkHandler.READ_ON);

            f.net.run(f.writer.close());

            ConnectionException reset = assertInstanceOf(ConnectionException.class, f.net.failureOf(reading));
            assertEquals(Errno.ECONNRESET, reset.errno());
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void closingTheFlowInTheHandlerEndsTheReadingAsClosed(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int[] calls = {0};
            Promise<Void> reading = f.reader.readChunks(bytes -> {
                calls[0]++;
                f.reader.close();
                return Flow.ChunkHandler.READ_ON;
            });

            f.net.run(f.writer.write(text("bye")));

            assertInstanceOf(ClosedChannelException.class, f.net.failureOf(reading));
            assertEquals(1, calls[0]);
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void closingAFlowThatWaitsForBytesRejectsTheReadingAsClosed(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Promise<Void> reading = f.reader.readChunks(bytes -> Flow.ChunkHandler.READ_ON);
            assertTrue(reading.isPending());

            f.reader.close();

            assertInstanceOf(ClosedChannelException.class, f.net.failureOf(reading));
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void aReadWhileChunksAreReadIsRefused(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Promise<Void> reading = f.reader.readChunks(bytes -> Flow.ChunkHandler.READ_ON);

            Throwable refused = f.net.failureOf(f.reader.read());

            assertInstanceOf(IllegalStateException.class, refused);
            assertTrue(reading.isPending(), "the reading goes on");
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void readingChunksWhileAReadIsPendingIsRefused(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Promise<Flow.Read> read = f.reader.read();

            Throwable refused = f.net.failureOf(f.reader.readChunks(bytes -> Flow.ChunkHandler.READ_ON));

            assertInstanceOf(IllegalStateException.class, refused);
            assertTrue(read.isPending(), "the read goes on");
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void aSecondReadingWhileOneWaitsIsRefused(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Promise<Void> first = f.reader.readChunks(bytes -> Flow.ChunkHandler.READ_ON);

            Throwable refused = f.net.failureOf(f.reader.readChunks(bytes -> Flow.ChunkHandler.READ_ON));

            assertInstanceOf(IllegalStateException.class, refused);
            assertTrue(first.isPending());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aReadWhileTheHandlerHoldsTheReadingIsRefused(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Resolver<Boolean> hold = Promise.pending();
            int[] calls = {0};
            f.reader.readChunks(bytes -> {
                calls[0]++;
                return hold.promise();
            });
            f.net.run(f.writer.write(text("held")));
            f.runUntil(() -> calls[0] == 1);

            assertInstanceOf(IllegalStateException.class, f.net.failureOf(f.reader.read()));
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void cancellingTheReadingStopsItAndLeavesTheFlowReadable(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int[] calls = {0};
            Promise<Void> reading = f.reader.readChunks(bytes -> {
                calls[0]++;
                return Flow.ChunkHandler.READ_ON;
            });
            f.net.run(f.writer.write(text("before")));
            f.runUntil(() -> calls[0] == 1);

            reading.cancel();
            f.net.run(f.writer.write(text("after")));

            assertInstanceOf(Cancelled.class, reading.failure());
            assertEquals("after", string(assertInstanceOf(Flow.Data.class, f.net.run(f.reader.read())).bytes()));
            assertEquals(1, calls[0], "the handler was called after its reading was cancelled");
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void cancellingAPausedReadingCancelsTheAnswerItWaitsFor(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Resolver<Boolean> answer = Promise.task();
            int[] calls = {0};
            Promise<Void> reading = f.reader.readChunks(bytes -> {
                calls[0]++;
                return answer.promise();
            });
            f.net.run(f.writer.write(text("x")));
            f.runUntil(() -> calls[0] == 1);

            reading.cancel();

            assertTrue(answer.promise().isCancelled());
            assertInstanceOf(Cancelled.class, reading.failure());
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void aHandlerThatThrowsEndsTheReadingWithItsFailure(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            IllegalArgumentException bad = new IllegalArgumentException("bad chunk");
            Promise<Void> reading = f.reader.readChunks(bytes -> {
                throw bad;
            });

            f.net.run(f.writer.write(text("boom")));

            assertSame(bad, f.net.failureOf(reading));
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void aRejectedAnswerEndsTheReadingWithItsFailure(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            IOException refused = new IOException("refused");
            Promise<Void> reading = f.reader.readChunks(bytes -> Promise.rejected(refused));

            f.net.run(f.writer.write(text("no")));

            assertSame(refused, f.net.failureOf(reading));
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void anAnswerFulfilledWithNullEndsTheReadingWithNullPointerException(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Promise<Void> reading = f.reader.readChunks(bytes -> Promise.of(null));

            f.net.run(f.writer.write(text("null")));

            assertInstanceOf(NullPointerException.class, f.net.failureOf(reading));
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void aPausedAnswerFulfilledWithNullEndsTheReadingWithNullPointerException(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Resolver<Boolean> hold = Promise.pending();
            Promise<Void> reading = f.readingPausedOnFirstChunk(hold);

            hold.resolve(null);

            assertInstanceOf(NullPointerException.class, f.net.failureOf(reading));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void shutdownOfReadingEndsTheReadingAsEndOfStream(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            Promise<Void> reading = f.reader.readChunks(bytes -> Flow.ChunkHandler.READ_ON);

            f.net.run(f.reader.shutdown(Flow.Direction.READ));

            assertTrue(reading.isFulfilled());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aReadingThatWaitsForBytesHoldsNoReadBuffer(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int idle = f.net.pool.available();
            List<String> seen = new ArrayList<>();
            f.reader.readChunks(bytes -> {
                seen.add(string(bytes));
                return Flow.ChunkHandler.READ_ON;
            });

            f.net.run(f.writer.write(text("ping")));
            f.runUntil(() -> !seen.isEmpty());
            f.iterations(2); // the socket found empty: the buffer goes back

            assertEquals(idle, f.net.pool.available());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aChunkStaysLentWhenShutdownOfReadingEndsAReadingPausedOnIt(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int idle = f.net.pool.available();
            Resolver<Boolean> hold = Promise.pending();
            MemorySegment[] lent = {null};
            Promise<Void> reading = f.reader.readChunks(bytes -> {
                lent[0] = bytes;
                return hold.promise();
            });
            f.net.run(f.writer.write(text("kept")));
            f.runUntil(() -> lent[0] != null);

            f.net.run(f.reader.shutdown(Flow.Direction.READ));

            assertTrue(reading.isFulfilled());
            assertEquals(idle - 1, f.net.pool.available(), "the buffer holding the chunk is not back in the pool");
            assertEquals("kept", string(lent[0]));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aChunkACancelledReadingStillLendsIsNotOverwrittenByTheNextRead(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int idle = f.net.pool.available();
            Resolver<Boolean> sending = Promise.pending(); // not cancelable, as a write's promise
            MemorySegment[] lent = {null};
            Promise<Void> reading = f.lendFirstChunk("first", lent, sending.promise(), inCall -> { });

            reading.cancel();
            f.net.run(f.writer.write(text("second")));
            Flow.Read next = f.net.run(f.reader.read());

            assertEquals("second", string(assertInstanceOf(Flow.Data.class, next).bytes()));
            assertEquals("first", string(lent[0]), "the chunk still lent was overwritten by the next read");
            assertEquals(idle - 2, f.net.pool.available(), "the lent chunk's buffer and the read's");
            sending.resolve(true);
            assertEquals(idle - 1, f.net.pool.available(), "the lent chunk's buffer is back once its answer settled");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aChunkStaysLentWhenTheHandlerEndsItsOwnReadingAndAnswersLater(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int idle = f.net.pool.available();
            Resolver<Boolean> sending = Promise.pending();
            MemorySegment[] lent = {null};
            Promise<Void> reading = f.lendFirstChunk("first", lent, sending.promise(),
                    inCall -> f.reader.shutdown(Flow.Direction.READ));

            assertTrue(reading.isFulfilled());
            assertEquals("first", string(lent[0]));
            assertEquals(idle - 1, f.net.pool.available(), "the buffer holding the chunk is not back in the pool");
            sending.resolve(true);
            assertEquals(idle, f.net.pool.available(), "the buffer is back once the answer settled");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aChunkAProxyIsStillForwardingIsNotHandedToAnotherConnectionWhenItsFlowIsClosed(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int idle = f.net.pool.available();
            Resolver<Boolean> forwarding = Promise.pending(); // another flow's write of the chunk
            MemorySegment[] lent = {null};
            f.lendFirstChunk("first", lent, forwarding.promise(), inCall -> { });

            f.reader.close();
            assertEquals(idle - 1, f.net.pool.available(), "the buffer being forwarded went back to the pool");
            Fixture.Pair other = f.pair();
            f.net.run(other.writer().write(text("other")));
            Flow.Read otherRead = f.net.run(other.reader().read());

            assertEquals("other", string(assertInstanceOf(Flow.Data.class, otherRead).bytes()));
            assertEquals("first", string(lent[0]), "another connection's read overwrote the chunk being forwarded");
            forwarding.resolve(true);
            assertEquals(idle - 1, f.net.pool.available(), "the forwarded chunk's buffer is back once its answer settled");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aChunkStaysLentWhenTheHandlerClosesItsFlowAndAnswersLater(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int idle = f.net.pool.available();
            Resolver<Boolean> forwarding = Promise.pending();
            MemorySegment[] lent = {null};
            Promise<Void> reading = f.lendFirstChunk("first", lent, forwarding.promise(), inCall -> f.reader.close());

            assertTrue(reading.isRejected());
            assertEquals("first", string(lent[0]));
            assertEquals(idle - 1, f.net.pool.available(), "the buffer holding the chunk went back to the pool");
            forwarding.resolve(true);
            assertEquals(idle, f.net.pool.available(), "the buffer is back once the answer settled");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aHandlerThatEndsItsReadingAndReadsOnKeepsTheChunkItIsStillSending(Reader reader) {
        try (Fixture f = new Fixture(reader)) {
            int idle = f.net.pool.available();
            Resolver<Boolean> sending = Promise.pending();
            MemorySegment[] lent = {null};
            List<Promise<Flow.Read>> next = new ArrayList<>();
            f.lendFirstChunk("first", lent, sending.promise(), reading -> {
                reading.cancel(); // switching to pull reads, say after a protocol upgrade
                next.add(f.reader.read());
            });
            f.net.run(f.writer.write(text("second")));
            Flow.Read second = f.net.run(next.getFirst());

            assertEquals("second", string(assertInstanceOf(Flow.Data.class, second).bytes()));
            assertEquals("first", string(lent[0]), "the handler's own read overwrote the chunk it is sending");
            assertEquals(idle - 2, f.net.pool.available(), "the lent chunk's buffer and the read's");
            sending.resolve(true);
            assertEquals(idle - 1, f.net.pool.available(), "the lent chunk's buffer is back once its answer settled");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Reader.class, names = {"EPOLL_TCP", "NIO_TCP", "EPOLL_UNIX", "NIO_UNIX"})
    void aReadAnsweredAtOnceInsideTheHandlerTakesAnotherBufferThanTheChunksOne(Reader reader) {
        try (Fixture f = new Fixture(reader, 16)) {
            Resolver<Boolean> sending = Promise.pending();
            MemorySegment[] lent = {null};
            List<Promise<Flow.Read>> next = new ArrayList<>();
            f.lendFirstChunk("0123456789abcdefXYZ", lent, sending.promise(), reading -> {
                reading.cancel();
                next.add(f.reader.read()); // the 16-byte chunk filled the buffer: the socket may hold more
            });
            Flow.Read rest = f.net.run(next.getFirst());

            assertEquals("XYZ", string(assertInstanceOf(Flow.Data.class, rest).bytes()));
            assertEquals("0123456789abcdef", string(lent[0]), "the read inside the handler overwrote its chunk");
            sending.resolve(true);
        }
    }

    @Test
    void readingManyConnectionsToTheEndAndClosingThemLeaksNoFd() throws IOException {
        for (Reader reader : Reader.values()) {
            readAndCloseConnections(reader, 2); // the JDK's and the engine's one-time loads
            long before = openFds();

            readAndCloseConnections(reader, 20);

            assertEquals(before, openFds(), reader.name());
        }
    }

    private void readAndCloseConnections(Reader reader, int connections) {
        try (Fixture f = new Fixture(reader)) {
            for (int i = 0; i < connections; i++) {
                Fixture.Pair pair = f.pair();
                Promise<Void> reading = pair.reader().readChunks(bytes -> Flow.ChunkHandler.READ_ON);
                f.net.run(pair.writer().write(text("hello")));
                f.net.run(pair.writer().close());
                f.net.run(reading);
                f.net.run(pair.reader().close());
            }
        }
    }

    /** Every fd this process holds (the directory listing's own fd counts the same each time). */
    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static String string(MemorySegment bytes) {
        return new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8));
        }
        return bytes;
    }

    /** A loop with a listener (TCP or Unix) and one connected pair: the writer, and the reader under test. */
    private final class Fixture implements AutoCloseable {
        final Net net;
        final TcpListener listener;
        final Reader kind;
        final SocketFlow writer;
        final Flow reader;
        private final Path socketPath;

        record Pair(SocketFlow writer, Flow reader) {}

        Fixture(Reader kind) {
            this(kind, Sockets.DEFAULT_BUFFER_SIZE);
        }

        Fixture(Reader kind, int bufferSize) {
            this.kind = kind;
            this.net = Net.open(kind.engine, bufferSize);
            this.socketPath = kind.unix ? tempDir.resolve("chunks-" + System.nanoTime() + ".sock") : null;
            SocketAddress address = kind.unix ? UnixDomainSocketAddress.of(socketPath) : ANY_LOOPBACK;
            this.listener = net.sockets.listen(address);
            Pair pair = pair();
            this.writer = pair.writer();
            this.reader = pair.reader();
        }

        Pair pair() {
            SocketFlow[] sockets = net.connectedPair(listener);
            return new Pair(sockets[0], kind.defaultMode ? new OverReads(sockets[1]) : sockets[1]);
        }

        /** A reading whose handler answered {@code hold} to its first chunk, which has come. */
        Promise<Void> readingPausedOnFirstChunk(Resolver<Boolean> hold) {
            int[] calls = {0};
            Promise<Void> reading = reader.readChunks(bytes -> {
                calls[0]++;
                return hold.promise();
            });
            net.run(writer.write(text("first")));
            runUntil(() -> calls[0] == 1);
            return reading;
        }

        /**
         * Starts a reading whose handler keeps its chunk in {@code lent[0]}, runs {@code inCall}
         * with the reading's promise and answers {@code answer}; writes {@code bytes} and waits
         * until the first chunk was handed over. Returns the reading's promise.
         */
        Promise<Void> lendFirstChunk(String bytes, MemorySegment[] lent, Promise<Boolean> answer,
                Consumer<Promise<Void>> inCall) {
            AtomicReference<Promise<Void>> reading = new AtomicReference<>();
            reading.set(reader.readChunks(chunk -> {
                lent[0] = chunk;
                inCall.accept(reading.get());
                return answer;
            }));
            net.run(writer.write(text(bytes)));
            runUntil(() -> lent[0] != null);
            return reading.get();
        }

        /** Runs loop iterations until {@code condition} holds, failing after {@link Net#PATIENCE}. */
        void runUntil(BooleanSupplier condition) {
            long deadline = System.nanoTime() + Net.PATIENCE.toNanos();
            while (!condition.getAsBoolean()) {
                assertTrue(System.nanoTime() < deadline, "the condition did not come true in time");
                net.loop.runOnce(Net.PATIENCE.toNanos());
            }
        }

        /** Runs {@code count} loop iterations that do not block. */
        void iterations(int count) {
            for (int i = 0; i < count; i++) {
                net.loop.runOnce(0);
            }
        }

        @Override
        public void close() {
            net.close();
            if (socketPath != null) {
                try {
                    Files.deleteIfExists(socketPath);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    /** A flow that keeps {@link Flow}'s default {@code readChunks}: every other call goes to a socket. */
    private record OverReads(SocketFlow socket) implements Flow {
        @Override
        public Promise<Read> read() {
            return socket.read();
        }

        @Override
        public Promise<Void> write(MemorySegment bytes) {
            return socket.write(bytes);
        }

        @Override
        public Promise<Void> writev(List<MemorySegment> segments) {
            return socket.writev(segments);
        }

        @Override
        public Promise<Void> shutdown(Direction direction) {
            return socket.shutdown(direction);
        }

        @Override
        public Promise<Void> close() {
            return socket.close();
        }
    }
}
