package dev.weft.xen.store;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.fairness.ReadTurns;
import dev.weft.xen.ring.RingBroken;
import dev.weft.xen.ring.XenstoreRingPage;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Flow} over one end of the xenstore ring page ({@link XenstoreRingPage}'s client or
 * server {@link BytePipe}) and its event channel: how a guest talks to xenstored, and how the
 * model daemon serves a guest.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of {@code channels}.
 *
 * <p>The flow moves bytes whenever it is asked to (a read, a write) and whenever the port's
 * event counter moves ({@link EventChannels#after}, level-style, so an event between two passes
 * is never lost); after a pass that moved bytes it notifies the peer, which may have been waiting
 * for data or for space. Bytes are taken out of the ring only while a read is pending, so a
 * reader that stops reading stops the peer (the ring fills). Writes larger than the ring go in
 * pieces as the peer makes room. At most 16 reads are answered between two turns of the loop (an
 * event on the port, or a pause round); the next waits for a pause round, so that a daemon
 * writing as fast as the guest reads cannot hold the loop (it owes no event for
 * bytes already in the ring, so the wait is for the loop's turn, not for an event). A ring the
 * peer corrupted ({@link RingBroken}) fails every pending and later operation with that error. The ring has no end-of-stream: reads end only
 * after {@code shutdown(READ)} or close. Closing stops the event loop of this flow; the page and
 * the port stay the caller's to release.
 */
public final class RingFlow implements Flow {
    private final BytePipe pipe;
    private final EventChannels channels;
    private final int port;
    private final byte[] inbound;
    private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
    private Resolver<Read> pendingRead;
    private Promise<Long> waitingForEvent;
    private Throwable failure;
    private boolean readShut;
    private boolean writeShut;
    /** Reads answered since the loop last gave this flow a turn. */
    private final ReadTurns turns = new ReadTurns(this::pass);

    /** A write not yet wholly in the ring. */
    private static final class PendingWrite {
        final MemorySegment bytes;
        final Resolver<Void> done;
        long written;

        PendingWrite(MemorySegment bytes, Resolver<Void> done) {
            this.bytes = bytes;
            this.done = done;
        }
    }

    private RingFlow(BytePipe pipe, EventChannels channels, int port) {
        this.pipe = Objects.requireNonNull(pipe, "pipe");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.port = port;
        this.inbound = new byte[pipe.inboundCapacity()];
    }

    /**
     * A flow over {@code pipe}, woken by events on {@code port} (bound through {@code channels})
     * and notifying the peer through it.
     */
    public static RingFlow open(BytePipe pipe, EventChannels channels, int port) {
        RingFlow flow = new RingFlow(pipe, channels, port);
        flow.waitForEvent(channels.counter(port));
        return flow;
    }

    private void waitForEvent(long seen) {
        waitingForEvent = channels.after(port, seen);
        waitingForEvent.onAny(now -> {
            turns.newTurn();
            pass();
            if (failure == null) {
                waitForEvent(now);
            }
        }, this::fail);
    }

    /** Moves what can be moved both ways; notifies the peer if anything moved. */
    private void pass() {
        if (failure != null) {
            return;
        }
        try {
            boolean moved = drainWrites() | fillRead();
            if (moved) {
                channels.notify(port);
            }
        } catch (RingBroken broken) {
            fail(broken);
        }
    }

    private boolean drainWrites() {
        boolean moved = false;
        while (!writes.isEmpty()) {
            PendingWrite write = writes.peek();
            int n = pipe.write(write.bytes.asSlice(write.written));
            moved |= n > 0;
            write.written += n;
            if (write.written < write.bytes.byteSize()) {
                return moved; // the ring is full: the peer's event will bring us back
            }
            writes.poll();
            write.done.resolve(null);
        }
        return moved;
    }

    private boolean fillRead() {
        if (pendingRead == null) {
            return false;
        }
        if (turns.usedUp()) {
            turns.awaitNextTurn();
            return false;
        }
        int n = pipe.read(inbound, 0, inbound.length);
        if (n == 0) {
            return false;
        }
        turns.read();
        Resolver<Read> read = pendingRead;
        pendingRead = null;
        // Lent until the next read, as Flow allows: the next read may reuse the buffer.
        read.resolve(new Data(MemorySegment.ofArray(inbound).asSlice(0, n)));
        return true;
    }

    private void fail(Throwable cause) {
        if (failure != null) {
            return;
        }
        failure = cause;
        if (waitingForEvent != null) {
            waitingForEvent.cancel();
        }
        Resolver<Read> read = pendingRead;
        pendingRead = null;
        if (read != null) {
            read.reject(cause);
        }
        while (!writes.isEmpty()) {
            writes.poll().done.reject(cause);
        }
    }

    @Override
    public Promise<Read> read() {
        if (failure != null) {
            return Promise.rejected(failure);
        }
        if (pendingRead != null) {
            return Promise.rejected(new IllegalStateException("RingFlow.read: a read is already pending"));
        }
        if (readShut) {
            return Promise.of(END_OF_STREAM);
        }
        Resolver<Read> read = Promise.task();
        pendingRead = read;
        read.promise().onCancel(() -> {
            if (pendingRead == read) {
                pendingRead = null;
            }
        });
        pass();
        return read.promise();
    }

    @Override
    public Promise<Void> write(MemorySegment bytes) {
        if (failure != null) {
            return Promise.rejected(failure);
        }
        if (writeShut) {
            return Promise.rejected(new ClosedChannelException());
        }
        Resolver<Void> done = Promise.pending();
        writes.add(new PendingWrite(bytes, done));
        pass();
        return done.promise();
    }

    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        Promise<Void> last = Promise.unit();
        for (MemorySegment segment : segments) {
            last = write(segment);
        }
        return last;
    }

    @Override
    public Promise<Void> shutdown(Direction direction) {
        if (direction != Direction.WRITE) {
            readShut = true;
            Resolver<Read> read = pendingRead;
            pendingRead = null;
            if (read != null) {
                read.resolve(END_OF_STREAM);
            }
        }
        if (direction != Direction.READ) {
            writeShut = true;
        }
        return Promise.unit();
    }

    @Override
    public Promise<Void> close() {
        fail(new ClosedChannelException());
        return Promise.unit();
    }

    @Override
    public String toString() {
        return "RingFlow[port " + port + ", " + writes.size() + " writes pending"
                + (failure == null ? "" : ", failed: " + failure) + "]";
    }
}
