package dev.weft.xen.sim;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One end of an in-memory byte stream between two loops (or two ends on one loop): what a
 * socket pair is, without the kernel. Bytes written are copied and handed to the other end's
 * loop with {@link Executor#execute}, so each end is touched only by its own loop's thread.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, each end on the loop given for it.
 */
public final class LoopbackFlow implements Flow {
    private final Executor loop;
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private LoopbackFlow peer;
    private Resolver<Read> pendingRead;
    private boolean endOfInput;
    private boolean writeShut;
    private boolean closed;

    private LoopbackFlow(Executor loop) {
        this.loop = loop;
    }

    /** Two connected ends: the first used on {@code first}'s thread, the second on {@code second}'s. */
    public static LoopbackFlow[] pair(Executor first, Executor second) {
        LoopbackFlow a = new LoopbackFlow(first);
        LoopbackFlow b = new LoopbackFlow(second);
        a.peer = b;
        b.peer = a;
        return new LoopbackFlow[] {a, b};
    }

    @Override
    public Promise<Read> read() {
        if (closed) {
            return Promise.rejected(new ClosedChannelException());
        }
        if (pendingRead != null) {
            return Promise.rejected(new IllegalStateException("LoopbackFlow.read: a read is already pending"));
        }
        if (!inbound.isEmpty()) {
            return Promise.of(new Data(MemorySegment.ofArray(inbound.poll())));
        }
        if (endOfInput) {
            return Promise.of(END_OF_STREAM);
        }
        Resolver<Read> read = Promise.task();
        pendingRead = read;
        read.promise().onCancel(() -> pendingRead = null);
        return read.promise();
    }

    @Override
    public Promise<Void> write(MemorySegment bytes) {
        if (closed || writeShut) {
            return Promise.rejected(new ClosedChannelException());
        }
        if (bytes.byteSize() > 0) {
            byte[] copy = bytes.toArray(ValueLayout.JAVA_BYTE);
            toPeer(() -> peer.receive(copy));
        }
        return Promise.unit();
    }

    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        long size = 0;
        for (MemorySegment segment : segments) {
            size += segment.byteSize();
        }
        MemorySegment joined = MemorySegment.ofArray(new byte[Math.toIntExact(size)]);
        long at = 0;
        for (MemorySegment segment : segments) {
            MemorySegment.copy(segment, 0, joined, at, segment.byteSize());
            at += segment.byteSize();
        }
        return write(joined);
    }

    @Override
    public Promise<Void> shutdown(Direction direction) {
        if (direction != Direction.READ && !writeShut) {
            writeShut = true;
            toPeer(peer::receiveEnd);
        }
        if (direction != Direction.WRITE) {
            receiveEnd();
        }
        return Promise.unit();
    }

    @Override
    public Promise<Void> close() {
        if (!closed) {
            shutdown(Direction.WRITE);
            closed = true;
            inbound.clear();
            Resolver<Read> read = pendingRead;
            pendingRead = null;
            if (read != null) {
                read.reject(new ClosedChannelException());
            }
        }
        return Promise.unit();
    }

    private void toPeer(Runnable delivery) {
        try {
            peer.loop.execute(delivery);
        } catch (RejectedExecutionException | IllegalStateException e) {
            // The other end's loop is gone: like a socket whose peer vanished, bytes are dropped.
        }
    }

    private void receive(byte[] bytes) {
        if (closed) {
            return;
        }
        Resolver<Read> read = pendingRead;
        if (read != null) {
            pendingRead = null;
            read.resolve(new Data(MemorySegment.ofArray(bytes)));
        } else {
            inbound.add(bytes);
        }
    }

    private void receiveEnd() {
        endOfInput = true;
        Resolver<Read> read = pendingRead;
        if (read != null && inbound.isEmpty()) {
            pendingRead = null;
            read.resolve(END_OF_STREAM);
        }
    }
}
