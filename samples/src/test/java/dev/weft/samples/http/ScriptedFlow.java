package dev.weft.samples.http;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A Flow for tests: the test queues the bytes the peer "sends" (each {@link #send} is one read's
 * worth) and reads back what was written. Reads wait while nothing is queued.
 */
final class ScriptedFlow implements Flow {
    private final ArrayDeque<Read> incoming = new ArrayDeque<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private Resolver<Read> pendingRead;
    private int writes;
    private boolean closed;
    /** What every write is rejected with from now on (a peer that reset), or null. */
    private RuntimeException writeFailure;
    /** Whether writes wait for {@link #takeWrites} (a peer that reads nothing meanwhile). */
    private boolean stalled;
    private final ArrayDeque<Resolver<Void>> stalledWrites = new ArrayDeque<>();
    /** What the chunk handler answered to the last chunk, or null. */
    private Promise<Boolean> lastAnswer;

    /** Queues {@code text} as one read's worth of bytes. */
    ScriptedFlow send(String text) {
        return deliver(new Data(MemorySegment.ofArray(text.getBytes(StandardCharsets.ISO_8859_1))));
    }

    /** Queues the end of the stream. */
    ScriptedFlow end() {
        return deliver(END_OF_STREAM);
    }

    private ScriptedFlow deliver(Read read) {
        if (pendingRead != null && pendingRead.promise().isPending()) {
            Resolver<Read> r = pendingRead;
            pendingRead = null;
            r.resolve(read);
        } else {
            incoming.add(read);
        }
        return this;
    }

    /** Rejects every write from now on with {@code failure}, as a reset connection does. */
    ScriptedFlow failWrites(RuntimeException failure) {
        writeFailure = failure;
        return this;
    }

    /** Leaves every write from now on pending (its bytes counted as written) until {@link #takeWrites}. */
    ScriptedFlow stallWrites() {
        stalled = true;
        return this;
    }

    /** Ends the stall: the writes waiting are taken, in order, and later ones are taken at once. */
    void takeWrites() {
        stalled = false;
        Resolver<Void> waiting;
        while ((waiting = stalledWrites.poll()) != null) {
            waiting.resolve(null);
        }
    }

    String written() {
        return written.toString(StandardCharsets.ISO_8859_1);
    }

    int writes() {
        return writes;
    }

    boolean isClosed() {
        return closed;
    }

    boolean hasPendingRead() {
        return pendingRead != null && pendingRead.promise().isPending();
    }

    @Override
    public Promise<Read> read() {
        if (closed) {
            return Promise.rejected(new ClosedChannelException());
        }
        Read next = incoming.poll();
        if (next != null) {
            return Promise.of(next);
        }
        pendingRead = Promise.task();
        return pendingRead.promise();
    }

    /** What the chunk handler of {@link #readChunks} answered to the last chunk, or null if none was read. */
    Promise<Boolean> lastAnswer() {
        return lastAnswer;
    }

    /** The default reading over {@link #read()}, noting each answer of the handler. */
    @Override
    public Promise<Void> readChunks(ChunkHandler handler) {
        return Flow.super.readChunks(bytes -> lastAnswer = handler.onChunk(bytes));
    }

    @Override
    public Promise<Void> write(MemorySegment bytes) {
        if (closed) {
            return Promise.rejected(new ClosedChannelException());
        }
        if (writeFailure != null) {
            return Promise.rejected(writeFailure);
        }
        writes++;
        written.writeBytes(bytes.toArray(ValueLayout.JAVA_BYTE));
        if (stalled) {
            Resolver<Void> waiting = Promise.pending();
            stalledWrites.add(waiting);
            return waiting.promise();
        }
        return Promise.unit();
    }

    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        for (MemorySegment segment : segments) {
            written.writeBytes(segment.toArray(ValueLayout.JAVA_BYTE));
        }
        writes++;
        return Promise.unit();
    }

    @Override
    public Promise<Void> shutdown(Direction direction) {
        return Promise.unit();
    }

    @Override
    public Promise<Void> close() {
        closed = true;
        if (hasPendingRead()) {
            pendingRead.reject(new ClosedChannelException());
        }
        return Promise.unit();
    }
}
