package dev.weft.unix.nio;

import dev.weft.loop.Engine;
import dev.weft.unix.Engines;
import dev.weft.unix.PollTimeout;
import dev.weft.unix.readiness.QuietPolls;
import dev.weft.unix.readiness.ReadinessProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * An {@link Engine} on a {@link Selector}, for hosts without epoll. Sources are ids this engine
 * hands out for {@link SelectableChannel}s, because a Selector watches channels, not fds.
 *
 * <p><b>Threading: all operations except {@link #wakeup()} MUST be called on the loop thread.</b>
 * {@code wakeup()} is safe from any thread at any time, also after {@link #close()}.
 *
 * <p><b>Sources.</b> The engine SPI speaks of {@code int} sources, and the JDK offers no portable
 * fd for a channel. So a channel is first {@link #attach attached}: the engine makes it
 * non-blocking, remembers it, and returns an id; that id is the source for {@code register},
 * {@code modify} and {@code unregister}, and {@link #channel(int)} gives the channel back to the
 * code that reads and writes it. {@code unregister} detaches too: an id serves one registration,
 * and ids count up, skipping any still in use. Channels are never closed by the engine; their owner closes
 * them after unregistering, or hands them to {@link #closeOnceDeregistered} to have them closed at
 * the next poll.
 *
 * <p><b>Closing.</b> A Selector drops a cancelled key only at its next select, and the JDK keeps
 * the fd of a channel closed before that (it only shuts the output down, so the peer already sees
 * the close). The fd is then held by nothing the application knows of, for as long as the loop runs
 * callbacks before it polls again: a whole burst of accepts, say. A process short of fds counts on
 * the fd of each connection it has closed; {@link #closeOnceDeregistered} closes the channel after
 * its key is dropped, so that the fd goes and the peer sees the close together, as with close(2)
 * on epoll.
 *
 * <p><b>Events.</b> {@link #READABLE} is OP_READ, or OP_ACCEPT on a server channel.
 * {@link #WRITABLE} is OP_WRITE, or OP_CONNECT while a {@link SocketChannel} connect is pending
 * (the engine switches the key to OP_WRITE once the connect has been finished, since a connected
 * channel left with OP_CONNECT makes the Selector spin). A Selector has no error readiness: errors
 * surface as readability or writability and then in the read or write, so {@link #ERROR} is never
 * reported. Like epoll in its level-triggered mode, a Selector reports a ready channel on every
 * select until it is no longer ready.
 *
 * <p><b>Timeout-0 polls without a select.</b> On Linux a Selector is an epoll set, and this
 * engine finds that set's fd (which the JDK keeps to itself) when it opens, by the Selector's own
 * wake-ups ({@code SelectorEpollFd}); it then answers a run of empty timeout-0 polls as the epoll
 * engine does, from an io_uring readiness probe on that fd, with no select and no system call,
 * under the same rules ({@code QuietPolls}, {@code ReadinessProbe}). Any register, modify or
 * unregister, any select that found something, and any channel waiting to be closed make the
 * next poll a real select. Where the fd cannot be told apart, io_uring is missing, or with {@code
 * -Dweft.epoll.probe=false}, every poll selects as before.
 *
 * <p><b>Timeouts</b> round up to whole milliseconds as in {@link PollTimeout}. An interrupt of the
 * loop thread makes a poll return early (the Selector's rule), as does a spurious wakeup.
 */
public final class NioEngine implements Engine {

    private final Selector selector;
    /**
     * Answers timeout-0 polls while nothing can be ready, through the epoll set behind the
     * Selector (Linux); null where that set cannot be found, or the probe is off or unavailable.
     */
    private final QuietPolls quietPolls;
    /** The bit position of each ready operation {@link #readiness} reads. */
    private static final int READ_BIT = Integer.numberOfTrailingZeros(SelectionKey.OP_READ);
    private static final int WRITE_BIT = Integer.numberOfTrailingZeros(SelectionKey.OP_WRITE);
    private static final int CONNECT_BIT = Integer.numberOfTrailingZeros(SelectionKey.OP_CONNECT);
    private static final int ACCEPT_BIT = Integer.numberOfTrailingZeros(SelectionKey.OP_ACCEPT);

    private final Int2ObjectHashMap<Source> sources = new Int2ObjectHashMap<>();
    /** Called by the Selector for each selected key; a field so a poll allocates no lambda. */
    private final Consumer<SelectionKey> dispatcher = this::dispatch;
    /** Unregistered channels to close once the Selector has dropped their keys (at the next poll). */
    private final ArrayList<SelectableChannel> closing = new ArrayList<>();
    private int nextId;
    private int calledThisPoll;
    /** Selects made (tests, benchmarks). */
    private long selects;
    private boolean closed;

    /**
     * Opens an engine with a new Selector.
     *
     * @throws UncheckedIOException if the Selector cannot be opened (typically fd exhaustion)
     */
    public NioEngine() {
        this(ReadinessProbe.enabledByProperty());
    }

    /** Opens an engine, with the readiness probe if {@code probe} and the platform offers one. */
    NioEngine(boolean probe) {
        // Only where the epoll engine's native bindings are known to fit the ABI: elsewhere the
        // NIO engine stays what it was, pure Java, needing no native access.
        boolean probing = probe && Engines.epollAvailable();
        List<Integer> epollFdsBefore = probing ? SelectorEpollFd.epollFds() : List.of();
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("Selector.open() failed", e);
        }
        this.quietPolls = probing ? quietPolls(selector, epollFdsBefore) : null;
    }

    /**
     * The quiet-poll policy on the epoll set behind {@code selector}, found among the epoll fds
     * opened since {@code before} was listed; null if it cannot be told apart, has no probe, or
     * native access is refused (the engine then selects every time, as without a probe).
     */
    private static QuietPolls quietPolls(Selector selector, List<Integer> before) {
        try {
            List<Integer> opened = new ArrayList<>(SelectorEpollFd.epollFds());
            opened.removeAll(before);
            OptionalInt epfd = SelectorEpollFd.find(selector, opened);
            return epfd.isPresent() ? QuietPolls.open(epfd.getAsInt(), true) : null;
        } catch (RuntimeException | LinkageError e) {
            return null; // e.g. --illegal-native-access=deny: Libc cannot bind
        }
    }

    /**
     * Makes {@code channel} a source of this engine: sets it non-blocking and returns the id to
     * {@link #register} it under.
     *
     * @throws UncheckedIOException if the channel cannot be made non-blocking (it is closed)
     */
    public int attach(SelectableChannel channel) {
        ensureOpen();
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("configureBlocking(false) failed on " + channel, e);
        }
        int id = newId();
        sources.put(id, new Source(id, channel));
        return id;
    }

    /**
     * The channel attached under {@code source}.
     *
     * @throws IllegalStateException if no channel is attached under that id
     */
    public SelectableChannel channel(int source) {
        return attached(source).channel;
    }

    @Override
    public void register(int source, int interest, ReadyHandler handler) {
        ensureOpen();
        Source s = attached(source);
        if (s.handler != null) {
            throw new IllegalStateException("source " + source + " is already registered with this engine");
        }
        s.handler = handler;
        s.interest = interest;
        interestChanged();
        s.key = registerChannel(s, operations(s.channel, interest));
    }

    @Override
    public void modify(int source, int interest) {
        ensureOpen();
        Source s = registered(source);
        s.interest = interest;
        interestChanged();
        s.key.interestOps(operations(s.channel, interest));
    }

    @Override
    public void unregister(int source) {
        ensureOpen();
        Source s = registered(source);
        sources.remove(source);
        interestChanged();
        s.key.cancel();
    }

    /**
     * Closes {@code channel}, which was attached here and has just been {@linkplain #unregister
     * unregistered}, as soon as the Selector has dropped its key: at the start of the next {@link
     * #poll}, or at once if it is no longer registered or the engine is closed. Until then the
     * channel stays open and its peer sees nothing; then the fd is released and the peer sees the
     * close at the same moment (see the class notes). Errors in closing are ignored: the fd is
     * released whatever close reports.
     */
    public void closeOnceDeregistered(SelectableChannel channel) {
        if (closed || !channel.isRegistered()) {
            closeQuietly(channel);
        } else {
            closing.add(channel);
        }
    }

    /**
     * Dispatches readiness for at most {@code timeoutNanos} (0: without waiting; negative: until
     * something is ready or a wakeup). If channels wait to be {@linkplain #closeOnceDeregistered
     * closed}, this poll does not wait: its select drops their keys and they are closed right
     * after it, and the loop comes straight back (as after a wakeup) so that channels closed by
     * the callbacks of this poll are closed by the next one.
     */
    @Override
    public int poll(long timeoutNanos) {
        ensureOpen();
        calledThisPoll = 0;
        int deregistering = closing.size();
        boolean now = timeoutNanos == 0 || deregistering > 0;
        if (quietPolls != null && now && deregistering == 0 && quietPolls.answerWithoutWaiting(0)) {
            return 0;
        }
        try {
            // Untrusted until the select returns: a handler that throws out of it leaves the rest
            // of its batch for the next select, which must then be a real one.
            interestChanged();
            int waitMillis = now ? 0 : timeoutNanos < 0 ? -1 : PollTimeout.toMillis(timeoutNanos);
            int selected;
            selects++;
            if (now) {
                selected = selector.selectNow(dispatcher);
            } else if (waitMillis < 0) {
                selected = selector.select(dispatcher);
            } else {
                selected = selector.select(dispatcher, waitMillis);
            }
            if (quietPolls != null) {
                quietPolls.afterWait(waitMillis, selected);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Selector.select failed", e);
        } finally {
            closeDeregistered(deregistering);
        }
        return calledThisPoll;
    }

    /**
     * Closes the first {@code count} channels waiting to be closed: their keys were cancelled
     * before the select that just ran, which dropped them. Channels closed by that select's
     * callbacks wait for the next one.
     */
    private void closeDeregistered(int count) {
        if (count == 0) {
            return;
        }
        List<SelectableChannel> deregistered = closing.subList(0, count);
        for (SelectableChannel channel : deregistered) {
            closeQuietly(channel);
        }
        deregistered.clear();
    }

    private static void closeQuietly(SelectableChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the fd is released whatever close reports
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    /**
     * True when the readiness probe has seen a channel of the Selector become ready since the
     * last empty poll (see {@link Engine#readinessWaiting()}); false when it has not, or the engine
     * cannot tell without a system call.
     */
    @Override
    public boolean readinessWaiting() {
        return quietPolls != null && quietPolls.readinessWaiting();
    }

    private void interestChanged() {
        if (quietPolls != null) {
            quietPolls.interestChanged();
        }
    }

    /** How many selects the polls have made. */
    long selects() {
        return selects;
    }

    /** How many times the probe was armed. */
    long probeArms() {
        return quietPolls == null ? 0 : quietPolls.arms();
    }

    /** How many timeout-0 polls the probe answered without a select (tests, benchmarks). */
    long probeAnswers() {
        return quietPolls == null ? 0 : quietPolls.answers();
    }

    /** Whether this engine found its Selector's epoll set and has a readiness probe on it. */
    boolean probing() {
        return quietPolls != null && quietPolls.probing();
    }

    /**
     * Closes the Selector, which cancels every key; attached channels stay open, except those
     * waiting to be {@linkplain #closeOnceDeregistered closed}, which are closed now. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sources.clear();
        if (quietPolls != null) {
            quietPolls.close();
        }
        try {
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Selector.close() failed", e);
        } finally {
            closeDeregistered(closing.size());
        }
    }

    private void dispatch(SelectionKey key) {
        Source s = (Source) key.attachment();
        // Unregistered by a handler earlier in this batch: unregister cancels the key, which
        // makes it invalid at once (and readyOps() would throw), so no lookup of the source is
        // needed to tell; a source attached since under the same id has a key of its own.
        if (!key.isValid()) {
            return;
        }
        int readyOps = key.readyOps();
        int ready = readiness(readyOps) & s.interest;
        if (ready == 0) {
            return;
        }
        s.handler.onReady(ready);
        calledThisPoll++;
        if ((readyOps & SelectionKey.OP_CONNECT) != 0 && key.isValid()) {
            key.interestOps(operations(s.channel, s.interest));
        }
    }

    /**
     * Maps ready operations to engine readiness bits: OP_READ or OP_ACCEPT is {@link #READABLE},
     * OP_WRITE or OP_CONNECT {@link #WRITABLE}. Shifts and masks, no branch: inlined into the
     * loop's compiled dispatch, a branch never taken during warm-up (no write had yet had to wait
     * for OP_WRITE) would be compiled as a trap, and the first such event would throw that code
     * away for a recompilation.
     */
    static int readiness(int readyOps) {
        int readable = ((readyOps >>> READ_BIT) | (readyOps >>> ACCEPT_BIT)) & 1;
        int writable = ((readyOps >>> WRITE_BIT) | (readyOps >>> CONNECT_BIT)) & 1;
        return readable * READABLE | writable * WRITABLE;
    }

    private static int operations(SelectableChannel channel, int interest) {
        int valid = channel.validOps();
        int ops = 0;
        if ((interest & READABLE) != 0) {
            ops |= valid & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
        }
        if ((interest & WRITABLE) != 0) {
            boolean connecting = channel instanceof SocketChannel socket && socket.isConnectionPending();
            ops |= valid & (connecting ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE);
        }
        return ops;
    }

    private SelectionKey registerChannel(Source s, int ops) {
        try {
            try {
                return s.channel.register(selector, ops, s);
            } catch (CancelledKeyException e) {
                // The channel was registered before and its cancelled key is only dropped by the
                // next select; a select that dispatches nothing drops it (readiness is
                // re-checked by every select, so nothing is lost).
                selector.selectNow(key -> { });
                return s.channel.register(selector, ops, s);
            }
        } catch (ClosedChannelException e) {
            throw new IllegalStateException("source " + s.id + " is a closed channel: " + s.channel, e);
        } catch (IOException e) {
            throw new UncheckedIOException("register failed for " + s.channel, e);
        }
    }

    private int newId() {
        do {
            nextId = nextId == Integer.MAX_VALUE ? 1 : nextId + 1;
        } while (sources.containsKey(nextId));
        return nextId;
    }

    private Source attached(int source) {
        Source s = sources.get(source);
        if (s == null) {
            throw new IllegalStateException("no channel is attached to this engine as source " + source);
        }
        return s;
    }

    private Source registered(int source) {
        Source s = attached(source);
        if (s.handler == null) {
            throw new IllegalStateException("source " + source + " is attached but not registered");
        }
        return s;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("NioEngine is closed");
        }
    }

    /** An attached channel and, once registered, its handler, interest and key. */
    private static final class Source {
        final int id;
        final SelectableChannel channel;
        ReadyHandler handler;
        int interest;
        SelectionKey key;

        Source(int id, SelectableChannel channel) {
            this.id = id;
            this.channel = channel;
        }
    }
}
