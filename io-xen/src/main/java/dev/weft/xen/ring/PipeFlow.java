package dev.weft.xen.ring;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.fairness.ReadTurns;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link Flow} over a {@link BytePipe} and an event channel, with backpressure both ways: a
 * write is fulfilled once all its bytes are in the outbound ring (waiting for the peer to make
 * room as often as needed), a read once the inbound ring holds something. The console and vchan
 * are this flow with their own {@link Signals}.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of the {@link EventChannels} given. The peer
 * runs concurrently in another domain (or thread, on the model).
 *
 * <p><b>Implementation notes.</b> One service routine does all the work: move queued writes into
 * the outbound ring as far as it has room, satisfy a pending read from the inbound ring, and if
 * either still waits, wait for the next event and run again. It runs when the application calls
 * and after each event; with nothing pending the flow does not wait and costs nothing. Before the
 * routine looks at the rings it reads the port's event counter, and it waits with {@link
 * EventChannels#after} on that value, so an event between the look and the wait is never lost;
 * an event is only a reason to look again. Before deciding to wait for data (or space) it calls
 * {@link Signals#wantData()} (or {@link Signals#wantSpace()}) and looks once more, so a protocol
 * whose peer notifies only on request (vchan) cannot miss the bytes that arrived in between.
 * Notifications the peer asked for are owed, not sent at once: one event covers everything a pass
 * moved both ways, and it goes out before any read or write is fulfilled, so the peer works on
 * the bytes while the callbacks run (and is never kept waiting behind them).
 *
 * <p>Data is copied out of the ring once, into a private buffer that a read lends until the next
 * read; the ring's bytes are never read twice.
 *
 * <p><b>Read fairness.</b> A read that finds bytes in the ring is answered at once, so a reader
 * whose callback reads again runs on while the peer keeps the ring from going empty. At most
 * {@value #READS_PER_TURN} reads are answered that way between two turns of the loop (an event
 * on the port, or a pause round); the next read waits for a pause round, so that a peer writing
 * as fast as we read cannot hold the loop while other work waits. It waits for a pause round,
 * not an event, because the peer owes no further event for bytes already in the ring. A peer that breaks the pipe ({@link RingBroken})
 * breaks the flow for good: pending and later operations are rejected with that failure.
 */
public final class PipeFlow implements Flow {
    private static final int READ_BUFFER_MAX = 64 * 1024;

    /** The most reads answered between two turns of the loop; see "Read fairness" above. */
    static final int READS_PER_TURN = ReadTurns.PER_TURN;

    /**
     * The parts of a protocol beyond the rings: when to notify, how to ask to be notified, how
     * the peer says it has gone and how this end says so. Called on the loop thread only.
     */
    public interface Signals {
        /** About to wait for data: ask the peer to notify when it writes (if the protocol needs asking). */
        void wantData();

        /** About to wait for space: ask the peer to notify when it reads (if the protocol needs asking). */
        void wantSpace();

        /** Bytes were produced into the outbound ring: whether to notify the peer now. */
        boolean notifyAfterWrite();

        /** Bytes were consumed from the inbound ring: whether to notify the peer now. */
        boolean notifyAfterRead();

        /**
         * Null while the peer is there; once it has gone, the failure for writes that can no longer be
         * delivered (reads then see end-of-stream once the ring is empty). Read before the ring, so
         * bytes the peer wrote before leaving are still read.
         */
        Throwable peerGone();

        /** This end stops writing for good (shutdown or close): tell the peer, if the protocol can. */
        void leave();
    }

    private final String name;
    private final BytePipe pipe;
    private final EventChannels channels;
    private final int port;
    private final Signals signals;
    private final Supplier<Promise<Void>> release;
    private final MemorySegment readBuffer;
    private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
    private Resolver<Read> pendingRead;
    private Resolver<Void> pendingShutdown;
    private Promise<Long> waiting;
    private Throwable failure;
    private boolean readShut;
    private boolean writeShut;
    private boolean left;
    /** The peer asked to be told of bytes moved since the last notification, which is not sent yet. */
    private boolean notifyOwed;
    private Promise<Void> closing;
    private long bytesRead;
    private long bytesWritten;
    /** Reads answered since the loop last ran the service routine; bounded by {@link #READS_PER_TURN}. */
    private final ReadTurns turns = new ReadTurns(this::service);

    /**
     * A flow over {@code pipe}, woken by events on {@code port} of {@code channels}.
     *
     * @param name names the flow in failures
     * @param release frees what the flow stands on (pages, port) at close; its promise is close's
     */
    public PipeFlow(String name, BytePipe pipe, EventChannels channels, int port, Signals signals,
                    Supplier<Promise<Void>> release) {
        this.name = name;
        this.pipe = pipe;
        this.channels = channels;
        this.port = port;
        this.signals = signals;
        this.release = release;
        this.readBuffer = MemorySegment.ofArray(new byte[Math.min(pipe.inboundCapacity(), READ_BUFFER_MAX)]);
    }

    // ------------------------------------------------------------------ Flow

    @Override
    public Promise<Read> read() {
        if (closing != null) {
            return Promise.rejected(new ClosedChannelException());
        }
        if (failure != null) {
            return Promise.rejected(failure);
        }
        if (pendingRead != null) {
            return Promise.rejected(new IllegalStateException(name + ": a read is already pending"));
        }
        if (readShut) {
            return Promise.of(END_OF_STREAM);
        }
        Resolver<Read> read = Promise.task();
        pendingRead = read;
        read.promise().onCancel(() -> pendingRead = null);
        service();
        return read.promise();
    }

    @Override
    public Promise<Void> write(MemorySegment bytes) {
        return writev(List.of(bytes));
    }

    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        if (closing != null || writeShut) {
            return Promise.rejected(new ClosedChannelException());
        }
        if (failure != null) {
            return Promise.rejected(failure);
        }
        Resolver<Void> written = Promise.pending();
        writes.add(new PendingWrite(List.copyOf(segments), written));
        service();
        return written.promise();
    }

    @Override
    public Promise<Void> shutdown(Direction direction) {
        if (closing != null) {
            return Promise.unit();
        }
        if (direction != Direction.WRITE) {
            readShut = true;
            endPendingRead();
        }
        if (direction == Direction.READ || writeShut) {
            return pendingShutdown == null ? Promise.unit() : pendingShutdown.promise();
        }
        writeShut = true;
        pendingShutdown = Promise.pending();
        Promise<Void> done = pendingShutdown.promise();
        service();
        if (writes.isEmpty() || failure != null) {
            leave();
        }
        return done;
    }

    @Override
    public Promise<Void> close() {
        if (closing != null) {
            return closing;
        }
        failAll(new ClosedChannelException());
        stopWaiting();
        leave();
        closing = release.get();
        return closing;
    }

    // ------------------------------------------------------------------ inspection

    /** Why the flow is broken (the peer broke its ring, or its port went), or empty while intact. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** The size of the ring this end reads, in bytes. */
    public int readCapacity() {
        return pipe.inboundCapacity();
    }

    /** The size of the ring this end writes, in bytes. */
    public int writeCapacity() {
        return pipe.outboundCapacity();
    }

    /** Bytes delivered to reads so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes moved into the outbound ring so far. */
    public long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------ the service routine

    /** Does all the work there is, then waits for an event if something is still pending. */
    private void service() {
        if (closing != null || failure != null) {
            return;
        }
        long seen = channels.counter(port);
        try {
            while (moveWrites() | fillRead()) {
                // each pass may free space or bring data for the other
            }
        } catch (RingBroken broken) {
            breakDown(broken);
            return;
        }
        if (closing != null || failure != null) {
            return; // a callback closed the flow, or a port failure broke it: the port may be gone
        }
        flushNotify();
        if (pendingShutdown != null && writes.isEmpty()) {
            leave();
        }
        if (pendingRead != null && turns.usedUp()) {
            turns.awaitNextTurn();
        }
        if ((pendingRead != null || !writes.isEmpty()) && waiting == null) {
            waitFor(seen);
        }
    }

    /**
     * Sends the notification the peer asked for, once, however many moves since the last one
     * asked: one event wakes the peer for all of them. Called before any promise is resolved, so
     * the peer works on what we moved while our callbacks run, and before waiting.
     */
    private void flushNotify() {
        if (notifyOwed) {
            notifyOwed = false;
            channels.notify(port);
        }
    }

    /** The loop gives the flow a turn (an event): the read bound starts again. */
    private void newTurn() {
        turns.newTurn();
        service();
    }

    private void waitFor(long seen) {
        waiting = channels.after(port, seen);
        waiting.onAny(now -> {
            waiting = null;
            newTurn();
        }, failed -> {
            // Cancelled is our own doing (close, or breaking down); anything else is the port
            // going away under us.
            if (!(failed instanceof Cancelled)) {
                waiting = null;
                if (closing == null && failure == null) {
                    breakDown(failed);
                }
            }
        });
    }

    /** Moves queued writes into the ring as far as it has room; true if any byte moved. */
    private boolean moveWrites() {
        if (writes.isEmpty()) {
            return false;
        }
        Throwable gone = signals.peerGone();
        if (gone != null) {
            failWrites(gone);
            return false;
        }
        long moved = 0;
        int completed = 0;
        for (PendingWrite head : writes) {
            if (!head.done()) {
                int n = head.moveInto(pipe);
                if (n == 0) {
                    signals.wantSpace();
                    n = head.moveInto(pipe);
                }
                moved += n;
                if (!head.done()) {
                    break;
                }
            }
            completed++;
        }
        if (moved > 0) {
            bytesWritten += moved;
            notifyOwed |= signals.notifyAfterWrite();
        }
        if (completed > 0) {
            // The peer hears of the bytes before the writers' callbacks run (they may take a while).
            flushNotify();
            resolveWritten(completed);
        }
        return moved > 0 || completed > 0;
    }

    /** Resolves the first {@code count} queued writes, whose bytes are all in the ring. */
    private void resolveWritten(int count) {
        // Off the queue before any callback runs: a callback may write (and service) again.
        List<Resolver<Void>> written = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            written.add(writes.poll().written);
        }
        for (Resolver<Void> resolver : written) {
            // Their bytes are in the ring, even if an earlier callback closes the flow.
            resolver.resolve(null);
        }
    }

    /**
     * Satisfies a pending read from the ring, or with end-of-stream; true if it was satisfied.
     * Not once the reads of this turn are used up (the service routine then awaits the next).
     */
    private boolean fillRead() {
        if (pendingRead == null || turns.usedUp()) {
            return false;
        }
        boolean gone = signals.peerGone() != null;
        int n = pipe.read(readBuffer);
        if (n == 0 && !gone) {
            signals.wantData();
            n = pipe.read(readBuffer);
        }
        if (n > 0) {
            turns.read();
            bytesRead += n;
            notifyOwed |= signals.notifyAfterRead();
            flushNotify();
            Resolver<Read> read = pendingRead;
            pendingRead = null;
            read.resolve(new Data(readBuffer.asSlice(0, n)));
            return true;
        }
        if (gone) {
            endPendingRead();
            return true;
        }
        return false;
    }

    /** This end stops writing for good: the peer is told once, and a pending shutdown completes. */
    private void leave() {
        if (!left) {
            left = true;
            signals.leave();
        }
        if (pendingShutdown != null && pendingShutdown.promise().isPending()) {
            pendingShutdown.resolve(null);
        }
    }

    private void breakDown(Throwable cause) {
        failure = cause;
        failAll(cause);
        stopWaiting();
    }

    private void failAll(Throwable cause) {
        Resolver<Read> read = pendingRead;
        pendingRead = null;
        if (read != null) {
            read.reject(cause);
        }
        failWrites(cause);
    }

    private void failWrites(Throwable cause) {
        while (!writes.isEmpty()) {
            writes.poll().written.reject(cause);
        }
        if (pendingShutdown != null && pendingShutdown.promise().isPending()) {
            pendingShutdown.resolve(null);
        }
    }

    private void endPendingRead() {
        Resolver<Read> read = pendingRead;
        pendingRead = null;
        if (read != null) {
            read.resolve(END_OF_STREAM);
        }
    }

    private void stopWaiting() {
        Promise<Long> wait = waiting;
        waiting = null;
        if (wait != null) {
            wait.cancel();
        }
    }

    /** A write not yet wholly in the ring: its segments and how far it got. */
    private static final class PendingWrite {
        private final List<MemorySegment> segments;
        final Resolver<Void> written;
        private int segment;
        private long offset;

        PendingWrite(List<MemorySegment> segments, Resolver<Void> written) {
            this.segments = segments;
            this.written = written;
            skipEmpty();
        }

        /** Copies as much as fits; returns how many bytes. */
        int moveInto(BytePipe pipe) {
            int moved = 0;
            while (!done()) {
                int n = pipe.write(segments.get(segment).asSlice(offset));
                if (n == 0) {
                    break;
                }
                moved += n;
                offset += n;
                skipEmpty();
            }
            return moved;
        }

        boolean done() {
            return segment == segments.size();
        }

        private void skipEmpty() {
            while (segment < segments.size() && offset == segments.get(segment).byteSize()) {
                segment++;
                offset = 0;
            }
        }
    }
}
