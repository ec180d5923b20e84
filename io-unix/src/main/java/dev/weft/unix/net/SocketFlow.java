package dev.weft.unix.net;

import static dev.weft.loop.Engine.ERROR;
import static dev.weft.loop.Engine.READABLE;
import static dev.weft.loop.Engine.WRITABLE;

import dev.weft.loop.Engine;
import dev.weft.loop.device.Flow;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.ConnectionException;
import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A connected TCP or Unix stream socket as a {@link Flow}, on the epoll or the NIO engine.
 * Made by {@link Sockets#connect} and {@link TcpListener#accept()}; {@link Sockets#adoptDevice}
 * makes one over a character device or pipe (where the socket-only methods throw
 * {@link UnsupportedOperationException}).
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> Every method must be called on the thread of the loop
 * the flow was made on, and every promise it returns belongs to that loop. The calls that change
 * the flow's state ({@code read}, {@code readChunks}, {@code write}, {@code writev}, {@code
 * shutdown}, {@code close}, {@code setOption}, {@code setFlowOptions}) check it always, not only in
 * debug mode: from another thread they throw {@link WrongThreadException} naming both threads,
 * and change nothing. The check is one compare, within the noise of {@code ServerPathBench}.
 *
 * <p><b>Reads.</b> At most one {@link #read()} may be pending. Its {@link Flow.Data} is a slice of
 * a read buffer taken from the {@link Sockets}' {@link dev.weft.unix.buffer.BufferPool}, lent to
 * the caller until the next {@code read()} (which reuses it) or {@code close()} (which returns it
 * to the pool); copy what must outlive that. A flow waiting for data holds no buffer, so idle
 * connections cost no buffer memory. A read is cancelable: cancelling it abandons the wait.
 * A read that finds data waiting is answered at once, at most {@value #READS_PER_READINESS}
 * times in a row; the next one waits for the engine to report the socket readable again, so a
 * peer that keeps the socket full cannot hold the loop while other connections wait.
 *
 * <p><b>Reads allocate only what the API needs.</b> When a read lends the same pooled buffer with
 * the same length as the flow's previous read (a steady stream of equal messages, the usual
 * server case), the {@link Flow.Data} is the previous one again, and a read answered at once
 * returns the previous already-fulfilled promise again: both are immutable, and the earlier
 * loan ended with this read, so nothing anyone may still look at changes. A read that has to
 * wait returns a new promise (a pending promise cannot be reused honestly: its holder would see
 * it go back to pending); a cancelled one is forgotten lazily, without a cancel callback.
 *
 * <p><b>Callback reads.</b> {@link #readChunks} reads in a loop of its own rather than over
 * {@code read()}: on readiness it reads into the pooled buffer and calls the handler with the
 * bytes, again while the socket has data (at most {@value #READS_PER_READINESS} chunks per
 * readiness report, as for reads answered at once), until it finds the socket empty and waits
 * for the engine. A chunk of the same length as the one before allocates nothing: it is the
 * loop's cached slice of that buffer, shared by the loop's flows (a new length or buffer costs a
 * slice), and only a handler that pauses (answers a pending promise) costs a listener on that promise.
 * A flow waiting for bytes in this mode holds no buffer, like a waiting read. A reading that
 * ends (cancelled, shut down) while its handler still holds a chunk detaches the buffer and gives
 * it back to the pool only when the handler's answer settles, so a later read never overwrites
 * bytes the handler may still be sending.
 *
 * <p><b>Writes.</b> {@link #write} and {@link #writev} do not copy: the caller keeps ownership of
 * the segments but must not change them until the write's promise resolves, which happens when
 * the kernel has taken every byte (not when the peer received them). Writes issued back to back
 * are queued and sent in order, gathered into one {@code writev} where possible. A write that
 * the kernel takes at once returns an already-fulfilled promise without touching the engine;
 * only a full socket buffer makes the flow watch for writability. Writes are not cancelable: a
 * write partly handed to the kernel cannot be taken back.
 *
 * <p><b>Backpressure.</b> The flow never buffers data of its own: bytes not yet taken by the
 * kernel stay in the caller's segments, and the write's promise stays pending until they are
 * taken. A writer that waits for each write before the next (the natural promise loop) uses
 * constant memory however slowly the peer reads. For writers that do not wait, the flow's
 * {@link FlowOptions} bound the queue: above the high-water mark ({@link #queuedBytes()} more
 * than {@link FlowOptions#highWaterMark()}) the flow stops reading until the queue drains to the
 * low-water mark, and queued output that makes no progress for the write timeout resets and
 * closes the flow with a {@link WriteTimeoutException}; on epoll, so does output the kernel took
 * after a queue drained but the peer never acknowledges ({@link FlowOptions} tells how).
 * {@link #queuedWrites()} and {@link #queuedBytes()} tell what waits; {@link Sockets#queuedBytes()}
 * sums it over a {@code Sockets}.
 *
 * <p><b>Failures</b> reject the promise, never throw: an {@link ErrnoException} from the system
 * call, a {@link ConnectionException} when the peer or network is the cause (ECONNRESET, EPIPE,
 * ECONNREFUSED, ETIMEDOUT), a {@link SocketClosedException} for use after {@link #close()} and for
 * reads and writes still pending when it is called.
 */
public final class SocketFlow implements Flow {

    /**
     * How many reads in a row a flow answers at once (full buffers, more data waiting) before the
     * next read waits for the engine's readiness report, as Netty's maxMessagesPerRead does: a
     * reader chained on {@link #read()} would otherwise hold the loop for as long as its peer
     * keeps the socket full, and every other connection on the loop would wait for it.
     */
    static final int READS_PER_READINESS = 16;

    private final Transport transport;
    private final Endpoint endpoint;

    /**
     * The events the engine watches for this socket, READABLE dropped lazily (see {@link
     * #onReady}); also the socket's readiness handler.
     */
    private final Readiness interest;
    private boolean closed;

    // Reading.
    /** The read buffer this flow holds: lent to the reader after a read, given back on EAGAIN, EOF or close. */
    private MemorySegment buffer;
    private Resolver<Read> reader;
    /** The last {@link Data} lent, the buffer it is a slice of, and (once asked for) a promise fulfilled with it. */
    private Data lent;
    private MemorySegment lentFrom;
    private Promise<Read> lentNow;
    /** Whether a read system call may find data: false after EAGAIN or a short read, true after readiness. */
    private boolean readable = true;
    /**
     * Reads answered at once, without the engine, since the engine last reported this socket
     * readable: bounded by {@link #READS_PER_READINESS} so that one fast sender cannot hold the loop.
     */
    private int readsAnsweredAtOnce;
    /** End of stream was read, or input was shut down: reads return {@link #END_OF_STREAM}. */
    private boolean inputEnded;
    /** More than the high-water mark is queued: reads wait until the queue falls to the low mark. */
    private boolean overHighMark;

    // Reading in callback mode (readChunks): the handler and its promise while the mode is active.
    private ChunkHandler chunkHandler;
    private Resolver<Void> chunksDone;
    /** The handler's pending answer the reading is paused on, or null. */
    private Promise<Boolean> chunksPausedOn;
    /** The handler is being called: a reading stopped meanwhile keeps the buffer until the call returns. */
    private boolean handingOver;

    private FlowOptions options;

    // Writing: a FIFO queue of writes the kernel has not fully taken.
    private PendingWrite head;
    private PendingWrite tail;
    private int queuedWrites;
    /** Bytes of the queued writes the kernel has not taken yet. */
    private long queuedBytes;
    /**
     * The write-timeout timer, armed while writes are queued and, once they drained into the
     * kernel, while it holds bytes the peer has not acknowledged; see {@link #writeTimerFired}.
     */
    private Promise<Void> writeTimer;
    /** When output last made progress (clock nanos), for the write timeout. */
    private long lastWriteProgressNanos;
    /** Bytes the kernel has taken from this flow's writes, ever: less what it still holds, what the peer acknowledged. */
    private long handedToKernel;
    /**
     * The queue drained into the kernel while the peer was behind, and the kernel still holds
     * bytes for it: the write timer stays armed and watches them (see {@link #queueDrained}).
     */
    private boolean watchingDelivery;
    /** How many of {@link #handedToKernel} the peer had acknowledged when the watch last looked. */
    private long acknowledgedMark;
    /** shutdown(WRITE) was asked for: writes are refused from now on. */
    private boolean outputShut;
    /** A shutdown(WRITE) waiting for the queue to drain before sending FIN, or null. */
    private Resolver<Void> shutdownAfterWrites;

    // Connecting.
    private Resolver<SocketFlow> connecting;
    private SocketAddress connectingTo;
    private Promise<Void> connectTimer;

    /** Wraps a connected or connecting endpoint and registers it with the loop, watching nothing yet. */
    SocketFlow(Transport transport, Endpoint endpoint) {
        this.transport = transport;
        this.endpoint = endpoint;
        this.interest = new Readiness(transport, endpoint);
        transport.register(endpoint, interest, this::close);
        this.options = transport.flowOptions;
    }

    // ------------------------------------------------------------------ making flows

    /** Connects a new socket to {@code address}; see {@link Sockets#connect}. */
    static Promise<SocketFlow> connect(Transport transport, SocketAddress address, Duration timeout) {
        Endpoint endpoint;
        SocketFlow flow;
        try {
            endpoint = transport.openStream(address);
        } catch (RuntimeException e) {
            return Promise.rejected(e);
        }
        try {
            flow = new SocketFlow(transport, endpoint);
        } catch (RuntimeException e) {
            endpoint.close();
            return Promise.rejected(e);
        }
        flow.options = transport.flowOptions.withoutReadPause(); // see FlowOptions: a client never pauses by default
        return flow.startConnect(address, timeout);
    }

    /** Wraps an accepted endpoint, closing it if it cannot be registered. */
    static SocketFlow accepted(Transport transport, Endpoint endpoint) {
        try {
            return new SocketFlow(transport, endpoint);
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    private Promise<SocketFlow> startConnect(SocketAddress address, Duration timeout) {
        try {
            if (endpoint.connect(address)) {
                return Promise.of(this);
            }
        } catch (RuntimeException e) {
            closeAfter(e);
            return Promise.rejected(e);
        }
        Resolver<SocketFlow> resolver = Promise.task();
        if (Transport.DEBUG) {
            LoopHooks.describePending(resolver.promise(), () -> "a connection to " + address + " on " + this
                    + ", waiting to be writable (timeout " + timeout + ")");
        }
        connecting = resolver;
        connectingTo = address;
        interest.add(WRITABLE);
        connectTimer = transport.loop.sleep(timeout);
        connectTimer.onSuccess(ignored -> connectTimedOut(timeout));
        resolver.promise().onCancel(this::close);
        return resolver.promise();
    }

    private void finishConnect() {
        try {
            if (!endpoint.finishConnect()) {
                return; // NIO: not yet; the engine reports again
            }
        } catch (RuntimeException e) {
            failConnect(e);
            return;
        }
        Resolver<SocketFlow> resolver = takeConnecting();
        interest.remove(WRITABLE);
        resolver.resolve(this);
    }

    private void connectTimedOut(Duration timeout) {
        if (connecting != null) {
            failConnect(new ConnectionException("connect", this + " to " + connectingTo
                    + ": no answer within " + timeout.toMillis() + " ms", Errno.ETIMEDOUT.number()));
        }
    }

    private void failConnect(RuntimeException failure) {
        Resolver<SocketFlow> resolver = takeConnecting();
        closeAfter(failure);
        resolver.reject(failure);
    }

    private Resolver<SocketFlow> takeConnecting() {
        Resolver<SocketFlow> resolver = connecting;
        connecting = null;
        connectingTo = null;
        if (connectTimer != null) {
            connectTimer.cancel();
            connectTimer = null;
        }
        return resolver;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Waits for data: fulfilled with {@link Flow.Data} (a slice of the flow's read buffer, lent
     * until the next read or close) as soon as some bytes arrived, or with
     * {@link #END_OF_STREAM} once the peer shut its writing side. Rejected with a
     * {@link ConnectionException} (ECONNRESET) if the peer reset the connection, a
     * {@link SocketClosedException} if the flow is or gets closed, and
     * {@link IllegalStateException} if a read is already pending or {@link #readChunks} is
     * reading. Cancelable.
     */
    @Override
    public Promise<Read> read() {
        transport.requireLoopThread("read", this);
        if (closed) {
            return Promise.rejected(new SocketClosedException("read", this, "the flow is closed"));
        }
        if (pendingReader() != null) {
            return Promise.rejected(new IllegalStateException("a read is already pending on " + this
                    + "; wait for its promise before reading again"));
        }
        if (chunkHandler != null) {
            return Promise.rejected(new IllegalStateException("readChunks is reading " + this
                    + "; cancel its promise (or answer STOP) before calling read()"));
        }
        if (inputEnded) {
            return Promise.of(END_OF_STREAM);
        }
        if (readable && !overHighMark && readsAnsweredAtOnce < READS_PER_READINESS) {
            readsAnsweredAtOnce++;
            try {
                Read now = readNow();
                if (now != null) {
                    return now == lent ? lentNow() : Promise.of(now);
                }
            } catch (RuntimeException e) {
                return Promise.rejected(e);
            }
        }
        // The last read's data is no longer lent (a new read ends the loan): give its buffer back
        // while waiting, so an idle keep-alive connection holds no buffer.
        releaseBuffer();
        Resolver<Read> resolver = Promise.task();
        if (Transport.DEBUG) {
            LoopHooks.describePending(resolver.promise(), () -> "bytes to read from " + this
                    + (overHighMark ? " (reads paused: its write queue is over the high-water mark)" : ""));
        }
        reader = resolver;
        if (!overHighMark) {
            interest.add(READABLE);
        }
        return resolver.promise();
    }

    /** One read system call: the data, end of stream, or {@code null} if nothing is there yet. */
    private Read readNow() {
        if (buffer == null) {
            buffer = transport.acquireBuffer();
        }
        int n = endpoint.read(buffer);
        if (n > 0) {
            // A short read probably drained the socket: wait for readiness rather than pay for an EAGAIN.
            readable = n == buffer.byteSize();
            return lend(n);
        }
        releaseBuffer();
        if (n < 0) {
            inputEnded = true;
            return END_OF_STREAM;
        }
        readable = false;
        return null;
    }

    private void readReady() {
        readable = true;
        readsAnsweredAtOnce = 0;
        if (chunkHandler != null && chunksPausedOn == null && !overHighMark) {
            handOverChunks();
            return;
        }
        if (pendingReader() == null || overHighMark) {
            // Level-triggered: stop watching until someone reads, or the engine reports this again and again.
            interest.remove(READABLE);
            return;
        }
        Read now;
        try {
            now = readNow();
        } catch (RuntimeException e) {
            takeReader().reject(e);
            return;
        }
        if (now != null) {
            takeReader().resolve(now);
        }
    }

    // ------------------------------------------------------------------ reading in callback mode

    /**
     * Hands every chunk the socket has to {@code handler} until the reading ends (see {@link
     * Flow#readChunks} for the contract): fulfilled at end of stream, after {@code
     * shutdown(READ)} or when the handler answers {@link ChunkHandler#STOP}; rejected with the
     * handler's failure, a {@link ConnectionException} (ECONNRESET) if the peer reset the
     * connection, a {@link SocketClosedException} if the flow is or gets closed, and {@link
     * IllegalStateException} if a read is pending or another {@code readChunks} is active.
     * Cancelable: cancelling stops the reading and cancels the answer it is paused on, if any.
     * Allocates nothing per chunk (see the class comment).
     */
    @Override
    public Promise<Void> readChunks(ChunkHandler handler) {
        transport.requireLoopThread("readChunks", this);
        Objects.requireNonNull(handler, "handler");
        if (closed) {
            return Promise.rejected(new SocketClosedException("readChunks", this, "the flow is closed"));
        }
        if (pendingReader() != null || chunkHandler != null) {
            return Promise.rejected(new IllegalStateException((chunkHandler != null ? "readChunks is" : "a read is")
                    + " already reading " + this + "; one reader at a time"));
        }
        if (inputEnded) {
            return Promise.unit();
        }
        Resolver<Void> done = Promise.task();
        if (Transport.DEBUG) {
            LoopHooks.describePending(done.promise(), () -> "chunks to read from " + this
                    + (chunksPausedOn != null ? " (paused by its handler)" : "")
                    + (overHighMark ? " (paused: its write queue is over the high-water mark)" : ""));
        }
        chunkHandler = handler;
        chunksDone = done;
        done.promise().onCancel(() -> chunksCancelled(done));
        Promise<Void> result = done.promise(); // the handler may end the reading before this returns
        handOverChunks();
        return result;
    }

    /**
     * The reading loop: reads and calls the handler while the socket has data, the handler reads
     * on and the bound per readiness allows; then waits for readiness (or for the handler's
     * pending answer, or for the write queue to drain below the low-water mark).
     */
    private void handOverChunks() {
        Resolver<Void> done = chunksDone;
        while (chunksDone == done && chunksPausedOn == null && !overHighMark) {
            if (!readable || readsAnsweredAtOnce >= READS_PER_READINESS) {
                releaseBuffer(); // the last chunk's loan has ended: a flow waiting for bytes holds no buffer
                interest.add(READABLE);
                return;
            }
            readsAnsweredAtOnce++;
            Promise<Boolean> answer = handOverOneChunk(done);
            if (answer == null || chunksDone != done) {
                return; // no data (waiting for readiness), or the reading ended during the call
            }
            if (answer.isPending()) {
                pauseChunks(done, answer);
                return;
            }
            if (answer.isRejected()) {
                endChunks(answer.failure());
            } else if (answer.value() == null) {
                endChunks(answeredNull("a promise fulfilled with null"));
            } else if (!answer.value()) {
                endChunks(null);
            }
        }
        if (chunksDone == done && chunksPausedOn == null) {
            releaseBuffer(); // paused by the write queue's high-water mark: the last loan has ended
        }
    }

    /**
     * One read system call and, if it brought bytes, the handler's answer to them. Null when
     * there was nothing to hand over: the socket was empty (readiness is watched), or the
     * reading ended (end of stream, a failure, a handler that threw or answered null).
     */
    private Promise<Boolean> handOverOneChunk(Resolver<Void> done) {
        int n;
        try {
            if (buffer == null) {
                buffer = transport.acquireBuffer();
            }
            n = endpoint.read(buffer);
        } catch (RuntimeException e) {
            endChunks(e);
            return null;
        }
        if (n <= 0) {
            releaseBuffer();
            if (n < 0) {
                inputEnded = true;
                endChunks(null);
            } else {
                readable = false;
                interest.add(READABLE);
            }
            return null;
        }
        readable = n == buffer.byteSize();
        MemorySegment chunkBuffer = buffer;
        Promise<Boolean> answer;
        handingOver = true;
        try {
            answer = chunkHandler.onChunk(transport.chunk(chunkBuffer, n));
        } catch (Throwable failure) {
            handingOver = false;
            if (chunksDone == done) {
                endChunks(failure);
            } else {
                giveBackWhenSettled(chunkBuffer, null);
            }
            return null;
        }
        handingOver = false;
        if (chunksDone != done) {
            // the reading ended during the call, which detached the chunk's buffer from the flow
            giveBackWhenSettled(chunkBuffer, answer);
            return null;
        }
        if (answer == null) {
            endChunks(answeredNull("null"));
        }
        return answer;
    }

    /** What a reading whose handler answered null, or a promise of null, ends with. */
    private NullPointerException answeredNull(String answer) {
        return new NullPointerException("the chunk handler of " + this + " answered " + answer
                + "; answer ChunkHandler.READ_ON or STOP, or a promise of true or false");
    }

    /**
     * Gives a buffer that holds a lent chunk, no longer the flow's, back to the pool once {@code
     * answer} settles, or now if it has settled (or there is none: the handler threw).
     */
    private void giveBackWhenSettled(MemorySegment lentBuffer, Promise<Boolean> answer) {
        if (answer != null && answer.isPending()) {
            answer.onAny(settled -> transport.releaseBuffer(lentBuffer),
                    failure -> transport.releaseBuffer(lentBuffer));
        } else {
            transport.releaseBuffer(lentBuffer);
        }
    }

    /**
     * The reading ended (cancelled, shut down, closed) while its handler is being called: the
     * chunk's buffer leaves the flow, so that a read or a new reading the handler starts before
     * it returns takes another buffer instead of overwriting (or pooling) the chunk it may still
     * be sending; {@link #handOverOneChunk} gives it back once the handler's answer settles.
     */
    private void detachHandedOverBuffer() {
        handingOver = false; // no chunk of the flow's own buffer is being handed over any more
        if (buffer != null && lentFrom == buffer) {
            forgetLent();
        }
        buffer = null;
    }

    /**
     * Detaches the read buffer, which holds a chunk lent until {@code answer} settles, and gives it
     * back to the pool only then: the flow's next read (after a cancelled or shut-down reading)
     * takes a fresh buffer instead of overwriting bytes the handler may still be sending. An
     * answer that is never settled keeps its buffer from the pool until the flow is closed
     * (closing rejects the flow's pending writes, which settles an answer made of them).
     */
    private void lendBufferUntil(Promise<Boolean> answer) {
        MemorySegment lentBuffer = buffer;
        if (lentBuffer == null) {
            return;
        }
        buffer = null;
        if (lentFrom == lentBuffer) {
            forgetLent();
        }
        giveBackWhenSettled(lentBuffer, answer);
    }

    /** The handler answered a pending promise: nothing is read until it resolves. */
    private void pauseChunks(Resolver<Void> done, Promise<Boolean> answer) {
        chunksPausedOn = answer;
        answer.onAny(readOn -> pauseEnded(done, readOn, null), failure -> pauseEnded(done, null, failure));
    }

    private void pauseEnded(Resolver<Void> done, Boolean readOn, Throwable failure) {
        if (chunksDone != done) {
            return; // the reading ended meanwhile (cancelled, closed, shut down)
        }
        chunksPausedOn = null;
        if (failure != null) {
            endChunks(failure);
        } else if (readOn == null) {
            endChunks(answeredNull("a promise fulfilled with null"));
        } else if (!readOn) {
            endChunks(null);
        } else {
            handOverChunks();
        }
    }

    private void chunksCancelled(Resolver<Void> done) {
        if (chunksDone != done) {
            return;
        }
        Promise<Boolean> pausedOn = chunksPausedOn;
        forgetChunks();
        if (pausedOn != null) {
            pausedOn.cancel();
        }
    }

    /** Ends the reading: fulfils its promise ({@code failure == null}) or rejects it. */
    private void endChunks(Throwable failure) {
        Resolver<Void> done = chunksDone;
        forgetChunks();
        if (!done.promise().isPending()) {
            return;
        }
        if (failure == null) {
            done.resolve(null);
        } else {
            done.reject(failure);
        }
    }

    /**
     * Leaves callback mode. The buffer goes back to the pool unless the last chunk is still lent:
     * while the handler is being called, it leaves the flow ({@link #detachHandedOverBuffer}); a
     * reading paused on the handler's answer (ended by a cancel or {@code shutdown(READ)}, which
     * do not end that loan) lends its buffer until the answer settles ({@link #lendBufferUntil}).
     */
    private void forgetChunks() {
        Promise<Boolean> pausedOn = chunksPausedOn;
        chunkHandler = null;
        chunksDone = null;
        chunksPausedOn = null;
        if (handingOver) {
            detachHandedOverBuffer();
            return;
        }
        if (closed) {
            return;
        }
        if (pausedOn != null) {
            lendBufferUntil(pausedOn);
        } else if (pendingReader() == null) {
            releaseBuffer();
        }
    }

    private Resolver<Read> takeReader() {
        Resolver<Read> resolver = reader;
        reader = null;
        return resolver;
    }

    /**
     * The pending read's resolver, or null. A read its caller cancelled is dropped here, when the
     * flow next looks, rather than by a cancel callback: registering one would cost an object
     * per read, and until the flow looks nothing depends on it.
     */
    private Resolver<Read> pendingReader() {
        if (reader != null && reader.promise().isCancelled()) {
            reader = null;
        }
        return reader;
    }

    /**
     * The {@link Data} for the first {@code n} bytes of the read buffer: the one lent last time if
     * it is the same slice of the same buffer (see the class comment), else a new one.
     */
    private Data lend(int n) {
        if (lentFrom != buffer || lent.bytes().byteSize() != n) {
            lent = new Data(buffer.asSlice(0, n));
            lentFrom = buffer;
            lentNow = null;
        }
        return lent;
    }

    /** A promise fulfilled with {@link #lent}: made once per {@code Data}, as both are immutable. */
    private Promise<Read> lentNow() {
        if (lentNow == null) {
            lentNow = Promise.of(lent);
        }
        return lentNow;
    }

    /** Drops the last {@link Data}, so that it pins no buffer. */
    private void forgetLent() {
        lent = null;
        lentFrom = null;
        lentNow = null;
    }

    private void releaseBuffer() {
        if (buffer != null) {
            if (!transport.releaseBuffer(buffer) && buffer == lentFrom) {
                forgetLent(); // an unpooled buffer is the GC's once dropped: keep no slice of it
            }
            buffer = null;
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Sends all of {@code bytes}: fulfilled once the kernel took every byte. The caller must not
     * change {@code bytes} until then. Rejected with a {@link ConnectionException} (EPIPE,
     * ECONNRESET) if the peer is gone, and a {@link SocketClosedException} after
     * {@code shutdown(WRITE)} or {@code close()}, or if the flow is closed while it waits. Not
     * cancelable.
     */
    @Override
    public Promise<Void> write(MemorySegment bytes) {
        transport.requireLoopThread("write", this);
        Promise<Void> refused = refuseWrite("write");
        if (refused != null) {
            return refused;
        }
        long size = bytes.byteSize();
        long sent = 0;
        if (size == 0) {
            return Promise.unit();
        }
        if (head == null) {
            MemorySegment[] gather = transport.gather;
            gather[0] = bytes;
            try {
                sent = endpoint.write(gather, 0, 1);
            } catch (RuntimeException e) {
                return Promise.rejected(e);
            } finally {
                gather[0] = null;
            }
            handedToKernel += sent;
        }
        if (sent == size) {
            return Promise.unit();
        }
        return enqueue(new MemorySegment[] {sent == 0 ? bytes : bytes.asSlice(sent)});
    }

    /**
     * Sends the segments in order with one gathering {@code writev} where the kernel has room:
     * {@link #write}'s contract for the whole, fulfilled once the kernel took the last byte.
     */
    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        transport.requireLoopThread("writev", this);
        Promise<Void> refused = refuseWrite("writev");
        if (refused != null) {
            return refused;
        }
        int count = segments.size();
        if (head != null || count > transport.gather.length) {
            return enqueue(segments.toArray(MemorySegment[]::new));
        }
        MemorySegment[] gather = transport.gather;
        long total = 0;
        long sent;
        try {
            for (int i = 0; i < count; i++) {
                gather[i] = segments.get(i);
                total += gather[i].byteSize();
            }
            sent = total == 0 ? 0 : endpoint.write(gather, 0, count);
        } catch (RuntimeException e) {
            return Promise.rejected(e);
        } finally {
            Arrays.fill(gather, 0, count, null);
        }
        handedToKernel += sent;
        if (sent == total) {
            return Promise.unit();
        }
        PendingWrite rest = new PendingWrite(segments.toArray(MemorySegment[]::new), Promise.pending());
        rest.consume(sent);
        return enqueue(rest);
    }

    private Promise<Void> refuseWrite(String operation) {
        if (closed) {
            return Promise.rejected(new SocketClosedException(operation, this, "the flow is closed"));
        }
        if (outputShut) {
            return Promise.rejected(new SocketClosedException(operation, this, "its writing side was shut down"));
        }
        return null;
    }

    private Promise<Void> enqueue(MemorySegment[] segments) {
        return enqueue(new PendingWrite(segments, Promise.pending()));
    }

    private Promise<Void> enqueue(PendingWrite write) {
        if (tail == null) {
            head = write;
        } else {
            tail.next = write;
        }
        tail = write;
        queuedWrites++;
        queuedBytes(write.remaining());
        interest.add(WRITABLE);
        if (Transport.DEBUG) {
            LoopHooks.describePending(write.resolver.promise(), this::describeQueuedWrites);
        }
        if (writeTimer == null) {
            armWriteTimer(transport.loop.clock().nanoTime());
        } else if (watchingDelivery) {
            // The queue is what the timer watches again. The peer's acknowledgements since the
            // watch last looked are progress (else a steady reader would find its last progress up
            // to a timeout old); writing more is not, so a peer that reads nothing gets no more time.
            lookAtDelivery(transport.loop.clock().nanoTime());
            watchingDelivery = false;
        }
        return write.resolver.promise();
    }

    /** Writes what the queue holds until the kernel's buffer is full or the queue is empty. */
    private void flush() {
        while (head != null) {
            MemorySegment[] gather = transport.gather;
            int count = 0;
            long offered = 0;
            for (PendingWrite w = head; w != null && count < gather.length; w = w.next) {
                for (int i = w.index; i < w.segments.length && count < gather.length; i++) {
                    gather[count++] = w.segments[i];
                    offered += w.segments[i].byteSize();
                }
            }
            long sent;
            try {
                sent = endpoint.write(gather, 0, count);
            } catch (RuntimeException e) {
                failWrites(e);
                return;
            } finally {
                Arrays.fill(gather, 0, count, null);
            }
            completeWrites(sent);
            if (closed) {
                return;
            }
            if (sent < offered) {
                return; // the kernel's buffer is full: wait for writability (still watched)
            }
        }
        interest.remove(WRITABLE);
        if (shutdownAfterWrites != null) {
            Resolver<Void> resolver = shutdownAfterWrites;
            shutdownAfterWrites = null;
            settle(resolver, this::shutdownOutputNow);
        }
    }

    /** Takes {@code sent} bytes off the queue's front, fulfilling the writes they finish. */
    private void completeWrites(long sent) {
        if (sent > 0) {
            lastWriteProgressNanos = transport.loop.clock().nanoTime();
            handedToKernel += sent;
            queuedBytes(-sent);
        }
        while (head != null) {
            PendingWrite w = head;
            sent = w.consume(sent);
            if (!w.done()) {
                return;
            }
            head = w.next;
            if (head == null) {
                tail = null;
                queueDrained();
            }
            queuedWrites--;
            w.resolver.resolve(null); // may write again (queued behind) or close
        }
    }

    private void failWrites(RuntimeException failure) {
        PendingWrite w = takeQueue();
        interest.remove(WRITABLE);
        for (; w != null; w = w.next) {
            w.resolver.reject(failure);
        }
        if (shutdownAfterWrites != null) {
            Resolver<Void> resolver = shutdownAfterWrites;
            shutdownAfterWrites = null;
            resolver.reject(failure);
        }
    }

    /** Empties the write queue, returning its old head; the queued bytes drop to 0. */
    private PendingWrite takeQueue() {
        PendingWrite w = head;
        head = null;
        tail = null;
        queuedWrites = 0;
        queuedBytes(-queuedBytes);
        stopWriteTimer();
        return w;
    }

    /**
     * Adds {@code delta} to the queued bytes (and the transport's total), and crosses the water
     * marks: above the high mark reads pause, at or below the low mark they resume.
     */
    private void queuedBytes(long delta) {
        queuedBytes += delta;
        transport.queuedBytes(delta);
        if (!overHighMark && queuedBytes > options.highWaterMark()) {
            overHighMark = true;
            transport.readPauses++;
        } else if (overHighMark && queuedBytes <= options.lowWaterMark()) {
            overHighMark = false;
            if ((pendingReader() != null || (chunkHandler != null && chunksPausedOn == null)) && !closed) {
                interest.add(READABLE); // level-triggered: reports at once if data waits
            }
        }
    }

    private void armWriteTimer(long now) {
        lastWriteProgressNanos = now;
        scheduleWriteTimer(now + options.writeTimeout().toNanos(), now);
    }

    private void scheduleWriteTimer(long deadline, long now) {
        writeTimer = transport.loop.sleep(Duration.ofNanos(Math.max(0, deadline - now)));
        writeTimer.onSuccess(v -> writeTimerFired());
    }

    /**
     * The queue drained into the kernel. The flow queued because the peer fell behind, and a peer
     * that stopped reading leaves what the kernel took unacknowledged for ever: while the flow
     * waits to read (a server waiting for the next request) nothing else would close it. So the
     * write timer stays armed while the kernel holds bytes for the peer, and the timeout counts
     * them as it counts queued ones. One SIOCOUTQ here, and one per timeout period while the
     * watch lasts: nothing on the path of a write the kernel takes at once.
     */
    private void queueDrained() {
        long unacknowledged = endpoint.unacknowledgedBytes();
        if (unacknowledged <= 0) {
            stopWriteTimer(); // the peer has it all, or the backend cannot tell (NIO)
            return;
        }
        watchingDelivery = true;
        acknowledgedMark = handedToKernel - unacknowledged;
    }

    /**
     * While watching delivery: the bytes the kernel still holds for the peer, after noting an
     * acknowledgement since the last look as progress; {@code 0} ends the watch (all acknowledged).
     */
    private long lookAtDelivery(long now) {
        long unacknowledged = endpoint.unacknowledgedBytes();
        if (unacknowledged <= 0) {
            watchingDelivery = false;
            return 0;
        }
        long acknowledged = handedToKernel - unacknowledged;
        if (acknowledged > acknowledgedMark) {
            acknowledgedMark = acknowledged;
            lastWriteProgressNanos = now;
        }
        return unacknowledged;
    }

    private void stopWriteTimer() {
        watchingDelivery = false;
        if (writeTimer != null) {
            Promise<Void> timer = writeTimer;
            writeTimer = null;
            timer.cancel();
        }
    }

    /**
     * One timer per flow, not one per write: it fires a write timeout after the last progress,
     * and if progress was made meanwhile it re-arms for the new deadline instead. Progress is the
     * kernel taking queued bytes (offered once more when the deadline comes, as writability is
     * reported late) or, once the queue drained, the peer acknowledging what the kernel holds
     * (and what it acknowledged before more output queued). The timeout resets the connection:
     * a FIN would wait behind the bytes the peer does not read, so it would never learn of the
     * close, and the kernel would hold them on.
     */
    private void writeTimerFired() {
        writeTimer = null;
        if (closed || (head == null && !watchingDelivery)) {
            return;
        }
        long now = transport.loop.clock().nanoTime();
        if (head != null && now - lastWriteProgressNanos >= options.writeTimeout().toNanos()) {
            // The engine reports writability only once a third of the kernel's buffer is free,
            // which a slow peer's acknowledgements may take longer than the timeout to free:
            // offer the queue once, and any byte the kernel takes (the peer made room) is progress.
            flush();
            if (closed || writeTimer != null || (head == null && !watchingDelivery)) {
                return; // failed, closed, re-armed by a write the flush led to, or done
            }
        }
        long waiting = head != null ? queuedBytes : lookAtDelivery(now);
        if (waiting == 0) {
            return;
        }
        long deadline = lastWriteProgressNanos + options.writeTimeout().toNanos();
        if (now < deadline) {
            scheduleWriteTimer(deadline, now);
            return;
        }
        transport.writeTimeouts++;
        WriteTimeoutException timeout = new WriteTimeoutException(this, waiting, options.writeTimeout());
        try {
            endpoint.resetOnClose();
        } catch (RuntimeException e) {
            timeout.addSuppressed(e); // closed in order instead
        }
        failAndClose(timeout);
    }

    /** Closes the flow and rejects everything pending with {@code failure}. */
    private void failAndClose(RuntimeException failure) {
        RuntimeException closeFailure = release();
        if (closeFailure != null) {
            failure.addSuppressed(closeFailure);
        }
        if (pendingReader() != null) {
            takeReader().reject(failure);
        }
        if (chunkHandler != null) {
            endChunks(failure);
        }
        failWrites(failure);
        rejectPending();
    }

    /** How many writes wait for the kernel to take their bytes (0 when the socket keeps up). */
    public int queuedWrites() {
        return queuedWrites;
    }

    /** How many bytes of queued writes the kernel has not taken yet. */
    public long queuedBytes() {
        return queuedBytes;
    }

    /** Whether reading is paused because more than the high-water mark of output is queued. */
    public boolean readsPaused() {
        return overHighMark;
    }

    /** The flow's water marks and write timeout. */
    public FlowOptions flowOptions() {
        return options;
    }

    /**
     * Replaces the flow's water marks and write timeout; they apply from the next change of the
     * queue (a running write timer keeps its deadline until it fires).
     */
    public void setFlowOptions(FlowOptions options) {
        transport.requireLoopThread("setFlowOptions", this);
        this.options = Objects.requireNonNull(options, "options");
    }

    // ------------------------------------------------------------------ shutdown and close

    /**
     * Half-closes the flow. {@code WRITE} sends FIN after every queued write has gone (the
     * promise resolves then); later writes are refused, reads go on. {@code READ} ends reading:
     * a pending read and later reads see end of stream. Doing it twice does nothing.
     */
    @Override
    public Promise<Void> shutdown(Direction direction) {
        transport.requireLoopThread("shutdown", this);
        if (closed) {
            return Promise.rejected(new SocketClosedException("shutdown(" + direction + ")", this, "the flow is closed"));
        }
        if (direction != Direction.WRITE) {
            Promise<Void> input = shutdownInput();
            if (direction == Direction.READ || input.isRejected()) {
                return input;
            }
        }
        return shutdownOutput();
    }

    private Promise<Void> shutdownInput() {
        if (inputEnded) {
            return Promise.unit();
        }
        inputEnded = true;
        Promise<Void> result = settle(endpoint::shutdownInput);
        if (pendingReader() != null) {
            takeReader().resolve(END_OF_STREAM);
        }
        if (chunkHandler != null) {
            endChunks(null);
        }
        return result;
    }

    private Promise<Void> shutdownOutput() {
        if (outputShut) {
            return shutdownAfterWrites != null ? Promise.noCancel(shutdownAfterWrites.promise()) : Promise.unit();
        }
        outputShut = true;
        if (head == null) {
            return settle(this::shutdownOutputNow);
        }
        shutdownAfterWrites = Promise.pending();
        if (Transport.DEBUG) {
            LoopHooks.describePending(shutdownAfterWrites.promise(), () -> "the end of writes to " + this
                    + ", after the queued writes: " + describeQueuedWrites());
        }
        return shutdownAfterWrites.promise();
    }

    /** What a pending write waits on, as a dump shows it: the socket, its readiness, its queue. */
    private String describeQueuedWrites() {
        return "room to write to " + this + ", waiting to be writable: " + queuedBytes + " bytes queued in "
                + queuedWrites + " writes" + (overHighMark ? " (over the high-water mark)" : "");
    }

    private void shutdownOutputNow() {
        endpoint.shutdownOutput();
    }

    /**
     * Closes the socket: unregisters it, closes the fd or channel, returns the read buffer to the
     * pool (so data a read lent is invalid from now on; a chunk lent to a {@code readChunks}
     * handler whose answer is pending stays valid until that answer settles, so that a proxy's
     * write of it to another flow still sends its bytes), and rejects the pending read, writes and
     * connect with {@link SocketClosedException}. Bytes still queued are not sent. Idempotent.
     * Fulfilled at once; rejected only if the kernel's close reported an error (the socket is
     * released anyway).
     */
    @Override
    public Promise<Void> close() {
        transport.requireLoopThread("close", this);
        if (closed) {
            return Promise.unit();
        }
        RuntimeException failure = release();
        rejectPending();
        return failure == null ? Promise.unit() : Promise.rejected(failure);
    }

    /** Marks the flow closed and frees its socket and buffer; the pending promises are untouched. */
    private RuntimeException release() {
        closed = true;
        interest.stop();
        RuntimeException failure = null;
        try {
            transport.close(endpoint);
        } catch (RuntimeException e) {
            failure = e;
        }
        releaseLentOrIdleBuffer();
        forgetLent();
        return failure;
    }

    /**
     * At close, gives the read buffer back unless a chunk of it is still lent to a handler, being
     * called ({@link #detachHandedOverBuffer}) or paused on its answer: the buffer then stays out
     * of the pool until that answer settles. The answer may be another flow's write of the chunk
     * (a proxy): giving the buffer to the pool now would let that write send bytes some other
     * connection reads into it.
     */
    private void releaseLentOrIdleBuffer() {
        if (handingOver) {
            return;
        }
        if (chunksPausedOn != null) {
            lendBufferUntil(chunksPausedOn);
        } else {
            releaseBuffer();
        }
    }

    private void rejectPending() {
        if (connecting != null) {
            takeConnecting().reject(new SocketClosedException("connect", this, "the flow was closed while connecting"));
        }
        if (pendingReader() != null) {
            takeReader().reject(new SocketClosedException("pending read", this, "the flow was closed"));
        }
        if (chunkHandler != null) {
            endChunks(new SocketClosedException("readChunks", this, "the flow was closed"));
        }
        PendingWrite w = takeQueue();
        for (; w != null; w = w.next) {
            w.resolver.reject(new SocketClosedException("pending write", this, "the flow was closed"));
        }
        if (shutdownAfterWrites != null) {
            Resolver<Void> resolver = shutdownAfterWrites;
            shutdownAfterWrites = null;
            resolver.reject(new SocketClosedException("shutdown(WRITE)", this, "the flow was closed"));
        }
    }

    /** Closes after a failure that is being reported; a second failure from close is attached to it. */
    private void closeAfter(RuntimeException failure) {
        if (!closed) {
            RuntimeException closeFailure = release();
            if (closeFailure != null) {
                failure.addSuppressed(closeFailure);
            }
            rejectPending();
        }
    }

    /** Whether {@link #close()} was called (or a failed connect closed the flow). */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ options and addresses

    /**
     * Sets a socket option: {@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_SNDBUF},
     * {@code SO_RCVBUF}, {@code SO_LINGER} (seconds; {@code 0} makes close send RST). Takes
     * effect at once.
     *
     * @throws ErrnoException if the kernel refuses it (e.g. TCP_NODELAY on a Unix socket)
     * @throws UnsupportedOperationException for other options on the epoll engine
     */
    public <T> void setOption(SocketOption<T> option, T value) {
        transport.requireLoopThread("setOption", this);
        requireOpen("setsockopt(" + option.name() + ")");
        endpoint.setOption(option, value);
    }

    /**
     * Reads a socket option back (the options {@link #setOption} supports).
     *
     * @throws ErrnoException if the kernel refuses
     */
    public <T> T getOption(SocketOption<T> option) {
        requireOpen("getsockopt(" + option.name() + ")");
        return endpoint.getOption(option);
    }

    /** The local address. @throws ErrnoException if the socket is closed */
    public SocketAddress localAddress() {
        requireOpen("getsockname");
        return endpoint.localAddress();
    }

    /** The peer's address. @throws ErrnoException if the socket is closed or not connected */
    public SocketAddress remoteAddress() {
        requireOpen("getpeername");
        return endpoint.remoteAddress();
    }

    /** Refuses a call on the socket once the flow is closed (see {@link Endpoint#closedSocket}). */
    private void requireOpen(String call) {
        if (closed) {
            throw Endpoint.closedSocket(call, this);
        }
    }

    @Override
    public String toString() {
        return "SocketFlow[source=" + endpoint.source() + (closed ? ", closed]" : "]");
    }

    // ------------------------------------------------------------------ readiness

    /**
     * Called by the loop with the socket's readiness. Interest is kept while it is useful and
     * dropped lazily: READABLE stays on after a read (the next read will likely want it), and
     * is removed only when readiness arrives with no read pending; WRITABLE is on only while
     * writes are queued. So a request/response exchange makes no epoll_ctl call at all.
     */
    private void onReady(int events) {
        if (connecting != null) {
            finishConnect();
            return;
        }
        if ((events & (WRITABLE | ERROR)) != 0 && head != null) {
            flush();
        }
        if ((events & (READABLE | ERROR)) != 0 && !closed) {
            readReady();
        }
    }


    private static Promise<Void> settle(Runnable action) {
        try {
            action.run();
            return Promise.unit();
        } catch (RuntimeException e) {
            return Promise.rejected(e);
        }
    }

    private static void settle(Resolver<Void> resolver, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            resolver.reject(e);
            return;
        }
        resolver.resolve(null);
    }

    /**
     * The socket's interest set and its readiness handler in one object. Why one: on a loop with
     * many connections, each object on the way from a ready fd to the flow is cold in the cache by
     * that socket's next event (the kernel's work for the other sockets runs in between), and the
     * interest set is looked at on every read anyway; a separate handler (a method reference)
     * would be one more cache miss per event.
     */
    private final class Readiness extends Interest implements Engine.ReadyHandler {
        Readiness(Transport transport, Endpoint endpoint) {
            super(transport.loop, endpoint);
        }

        @Override
        public void onReady(int events) {
            SocketFlow.this.onReady(events);
        }
    }
}
