package dev.weft.xen.evtchn;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.Objects;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Event channels as promises on one loop (MirageOS's Activations): bind ports, {@link #notify}
 * peers, and wait for events with {@link #after}, which never loses an event that arrives between
 * two waits.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> Made by {@link #on(Loop, XenEngine)} for a loop whose
 * engine is a {@link XenEngine} (the ports are the loop's readiness sources), or by {@link
 * #on(Loop, EventChannelDevice)} for a loop on a file-descriptor engine such as io-unix's epoll
 * (the device's fd is one of the loop's sources, beside sockets). Either way the ports are
 * demultiplexed by an {@link EventChannelDispatcher}, which unmasks a port only after this class
 * has counted its event and resolved its waiters.
 *
 * <p><b>Activations.</b> Each bound port has a counter of the events seen on it, starting at 0
 * ({@link #PROGRAM_START}). {@code after(port, lastSeen)} resolves, with the counter, as soon as
 * the counter exceeds {@code lastSeen}: at once if it already does. A driver loops as {@code
 * after(port, seen).flatMap(now -> { service(); return loop(now); })}: an event arriving while
 * it services the ring has already moved the counter, so its next {@code after} returns at once.
 * This is level-style waiting, and the API to build drivers on.
 *
 * <p><b>Edge-style {@link #await}.</b> {@code await(port)} waits for the next event after the
 * call; events before it are forgotten. Checking shared state, then awaiting, loses any event that
 * arrives in between: use it only where that cannot matter (a one-off handshake, a test).
 *
 * <p><b>Notifications are hints.</b> Event channels carry no data; the shared memory does. An
 * event may be spurious (Xen marks a freshly bound interdomain port pending; notifications merge;
 * a peer may notify for nothing), so callers always re-read their shared state and never infer
 * anything from an event alone. {@link #spuriousEvents()} counts the events that resolved no
 * waiter: on a port nobody waited on, or that did not lift the counter above any waiter's {@code
 * lastSeen}.
 */
public final class EventChannels implements AutoCloseable {

    /** The counter before any event: the {@code lastSeen} of a driver's first {@link #after}. */
    public static final long PROGRAM_START = 0;

    private final Loop loop;
    private final EventChannelDevice device;
    /** The dispatcher attached to the loop for the device's fd, or null if the engine is a XenEngine. */
    private final EventChannelDispatcher attached;
    private final Int2ObjectHashMap<Port> ports = new Int2ObjectHashMap<>();
    private long events;
    private long spurious;
    private int waiters;
    private boolean closed;

    /** The engine whose ports are the loop's sources, or null if the device is attached to the loop. */
    private final XenEngine engine;

    private EventChannels(Loop loop, EventChannelDevice device, EventChannelDispatcher attached, XenEngine engine) {
        this.loop = loop;
        this.device = device;
        this.attached = attached;
        this.engine = engine;
    }

    /**
     * Event channels of {@code engine}'s device on {@code loop}, which must have been built with
     * {@code Loop.builder().engine(engine)}: each bound port becomes a readiness source of the
     * loop. LOOP THREAD ONLY. Binding through a loop on another engine fails with {@link
     * IllegalArgumentException}, and the port is unbound again.
     */
    public static EventChannels on(Loop loop, XenEngine engine) {
        return new EventChannels(Objects.requireNonNull(loop, "loop"), engine.device(), null, engine);
    }

    /**
     * Event channels of {@code device} on {@code loop}, whose engine polls file descriptors (such
     * as io-unix's epoll): the device's fd is registered with the loop, and the loop serves event
     * channels beside its other sources. {@link #close()} unregisters the fd. LOOP THREAD ONLY.
     */
    public static EventChannels on(Loop loop, EventChannelDevice device) {
        Objects.requireNonNull(device, "device");
        EventChannelDispatcher dispatcher =
                EventChannelDispatcher.attach(loop, device, EventChannelDispatcher.DEFAULT_BATCH);
        return new EventChannels(loop, device, dispatcher, null);
    }

    /** The device the ports are bound on; use it only for what this class does not offer. */
    public EventChannelDevice device() {
        return device;
    }

    // ------------------------------------------------------------------ binding

    /**
     * Binds a local port to {@code remotePort} of {@code remoteDomain} and watches it. Xen marks
     * the new port pending at once (notifications sent while the remote port was unbound were
     * dropped), so expect one spurious event.
     *
     * @return the local port
     * @throws EventChannelException as the device reports (EINVAL if the remote port is not
     *     unbound for this domain, ESRCH if there is no such domain)
     */
    public int bindInterdomain(int remoteDomain, int remotePort) {
        ensureOpen();
        return watch(device.bindInterdomain(remoteDomain, remotePort));
    }

    /**
     * Allocates a port that {@code remoteDomain} may bind to, and watches it.
     *
     * @return the local port, to publish to the peer (usually in xenstore)
     */
    public int bindUnbound(int remoteDomain) {
        ensureOpen();
        return watch(device.bindUnboundPort(remoteDomain));
    }

    /** Binds virtual IRQ {@code virq} of this domain to a new port, and watches it. */
    public int bindVirq(int virq) {
        ensureOpen();
        return watch(device.bindVirq(virq));
    }

    /**
     * Watches {@code port}, which was bound outside this object and which the device reports and
     * notifies: a port the kernel bound for itself, adopted by a {@code
     * dev.weft.xen.linux.KernelBoundPorts} device (a PV guest's primary console port). {@link
     * #unbind} then stops watching it and tells the device, which decides what unbinding means.
     *
     * @return the port
     * @throws IllegalArgumentException if the port is already watched here
     */
    public int watchBound(int port) {
        ensureOpen();
        if (ports.containsKey(port)) {
            throw new IllegalArgumentException("event-channel port " + port + " is already watched by " + this);
        }
        return watch(port);
    }

    /**
     * Stops watching {@code port} and unbinds it. Waiters on it are rejected with an {@link
     * EventChannelException} (ENOTCONN).
     *
     * @throws IllegalArgumentException if the port was not bound through this object
     */
    public void unbind(int port) {
        ensureOpen();
        Port state = port(port);
        ports.remove(port);
        if (attached != null) {
            attached.unregister(port);
        } else {
            loop.unregister(port);
        }
        try {
            device.unbind(port);
        } finally {
            state.rejectAll(new EventChannelException("after(port=" + port + ")", "ENOTCONN",
                    "the port was unbound while waiting for an event"));
        }
    }

    /** Sends an event to the remote end of {@code port}. */
    public void notify(int port) {
        ensureOpen();
        device.notify(port);
    }

    // ------------------------------------------------------------------ waiting

    /**
     * A promise of the port's counter once it exceeds {@code lastSeen}: fulfilled at once if it
     * already does, else at the first event that lifts it above. Level-style: an event that
     * arrived since the caller read {@code lastSeen} is never lost. Cancelling the promise removes
     * its waiter.
     *
     * @param lastSeen the counter the caller has already acted on ({@link #PROGRAM_START} at first)
     * @throws IllegalArgumentException if the port was not bound through this object
     */
    public Promise<Long> after(int port, long lastSeen) {
        ensureOpen();
        Port state = port(port);
        if (state.counter > lastSeen) {
            return Promise.of(state.counter);
        }
        Resolver<Long> resolver = Promise.task();
        Waiter waiter = new Waiter(state, lastSeen, resolver);
        state.link(waiter);
        waiters++;
        resolver.promise().onCancel(waiter);
        return resolver.promise();
    }

    /**
     * Edge-style: a promise of the port's counter at the next event after this call; events
     * before the call do not count. Checking shared memory and then awaiting loses an event that
     * arrives in between; prefer {@link #after}. Cancelling the promise removes its waiter.
     */
    public Promise<Long> await(int port) {
        return after(port, counter(port));
    }

    /**
     * Whether {@code port} is bound through these channels now: false once it is unbound or the
     * channels are closed. A driver closing after its channels (an application that closed them
     * first) asks before it notifies or unbinds.
     */
    public boolean isBound(int port) {
        return !closed && ports.containsKey(port);
    }

    /** The number of events seen on {@code port} since it was bound. */
    public long counter(int port) {
        return port(port).counter;
    }

    /** Events seen on all ports. */
    public long events() {
        return events;
    }

    /** Events that resolved no waiter: nobody waited, or nobody's {@code lastSeen} was passed. */
    public long spuriousEvents() {
        return spurious;
    }

    /** Promises waiting in {@link #after} or {@link #await} on any port. */
    public int waiters() {
        return waiters;
    }

    /** Unbinds every port bound through this object (rejecting their waiters) and, if it was attached to the loop, unregisters the device's fd. The device stays open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        int[] bound = ports.keySet().stream().mapToInt(Integer::intValue).toArray();
        for (int port : bound) {
            unbind(port);
        }
        closed = true;
        if (attached != null) {
            attached.detach();
        }
    }

    @Override
    public String toString() {
        return "EventChannels[" + device + ", " + ports.size() + " ports]";
    }

    // ------------------------------------------------------------------ internals

    private int watch(int port) {
        Port state = new Port(port);
        try {
            if (attached != null) {
                attached.register(port, Engine.READABLE, state);
            } else {
                loop.register(port, Engine.READABLE, state);
                checkLoopRunsOn(port);
            }
        } catch (RuntimeException e) {
            device.unbind(port);
            throw e;
        }
        ports.put(port, state);
        return port;
    }

    /** A loop on another engine took the port for one of its own sources: undo that, and say so. */
    private void checkLoopRunsOn(int port) {
        if (!engine.dispatcher().isRegistered(port)) {
            loop.unregister(port);
            throw new IllegalArgumentException(loop + " does not run on " + engine
                    + ": build it with Loop.builder().engine(engine), or use EventChannels.on(loop, device)");
        }
    }

    private Port port(int port) {
        Port state = ports.get(port);
        if (state == null) {
            throw new IllegalArgumentException("event-channel port " + port + " is not bound through " + this);
        }
        return state;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** One bound port: its counter and its waiters, a doubly linked list in arrival order. */
    private final class Port implements Engine.ReadyHandler {
        final int number;
        long counter;
        Waiter first;
        Waiter last;

        Port(int number) {
            this.number = number;
        }

        /** An event: count it, then resolve the waiters it satisfies (after unlinking them all). */
        @Override
        public void onReady(int readyEvents) {
            events++;
            counter++;
            Waiter ready = null;
            for (Waiter w = first; w != null; ) {
                Waiter following = w.next;
                if (w.lastSeen < counter) {
                    unlink(w);
                    w.next = ready;
                    ready = w;
                }
                w = following;
            }
            if (ready == null) {
                spurious++;
                return;
            }
            long value = counter;
            for (Waiter w = ready; w != null; w = w.next) {
                waiters--;
                w.resolver.resolve(value);
            }
        }

        void link(Waiter waiter) {
            waiter.previous = last;
            if (last == null) {
                first = waiter;
            } else {
                last.next = waiter;
            }
            last = waiter;
            waiter.linked = true;
        }

        boolean unlink(Waiter waiter) {
            if (!waiter.linked) {
                return false;
            }
            if (waiter.previous == null) {
                first = waiter.next;
            } else {
                waiter.previous.next = waiter.next;
            }
            if (waiter.next == null) {
                last = waiter.previous;
            } else {
                waiter.next.previous = waiter.previous;
            }
            waiter.previous = null;
            waiter.next = null;
            waiter.linked = false;
            return true;
        }

        void rejectAll(EventChannelException failure) {
            Waiter w = first;
            first = null;
            last = null;
            while (w != null) {
                Waiter following = w.next;
                w.linked = false;
                w.previous = null;
                w.next = null;
                waiters--;
                w.resolver.reject(failure);
                w = following;
            }
        }

        @Override
        public String toString() {
            return "port " + number;
        }
    }

    /**
     * A promise waiting for a port's counter to exceed {@code lastSeen}; also its promise's cancel
     * hook (one object per wait besides the promise), which unlinks it.
     */
    private final class Waiter implements Runnable {
        final Port port;
        final long lastSeen;
        final Resolver<Long> resolver;
        Waiter previous;
        Waiter next;
        boolean linked;

        Waiter(Port port, long lastSeen, Resolver<Long> resolver) {
            this.port = port;
            this.lastSeen = lastSeen;
            this.resolver = resolver;
        }

        /** The promise was cancelled: stop waiting. */
        @Override
        public void run() {
            if (port.unlink(this)) {
                waiters--;
            }
        }
    }
}
