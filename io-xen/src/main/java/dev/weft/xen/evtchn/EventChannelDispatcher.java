package dev.weft.xen.evtchn;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.IntHashSet;

/**
 * Turns one event-channel device's pending ports into calls of per-port handlers: the port
 * demultiplexer that both ways of serving event channels share. {@link XenEngine} uses it to make
 * ports a loop's readiness sources; {@link #attach} puts it behind the device's fd on a loop whose
 * engine polls file descriptors (io-unix's epoll), so that one loop serves sockets and event
 * channels at once.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (the thread of the loop whose engine polls the device).
 *
 * <p><b>Servicing and backpressure.</b> The device hands out a pending port once and keeps it
 * masked until it is unmasked. One {@link #dispatch()} takes at most {@code batch} ports from the
 * device, calls each one's handler with {@link Engine#READABLE}, and unmasks each port only after
 * its handler has returned. So a peer notifying in a tight loop costs at most one handler call per
 * port per dispatch, and the notifications in between merge into the pending bit: a storm is
 * bounded by how fast the consumer services the port, never by how fast the peer notifies.
 *
 * <p><b>Ports without a handler.</b> A port reported while it has no registration, or while its
 * interest is 0 (paused), is kept masked and remembered, not dropped: registering it or resuming it
 * reports it in the next dispatch. A paused port therefore costs nothing during a storm.
 *
 * <p><b>Failures.</b> If a handler throws, its port is unmasked (it was serviced, however badly),
 * the exception propagates out of {@code dispatch}, and the ports taken but not yet dispatched are
 * dispatched first by the next call (on an attached loop, a task queued on the loop makes that
 * call, since the device's fd may not become readable again), so nothing is lost.
 */
public final class EventChannelDispatcher implements Engine.ReadyHandler {

    /** Default for the most ports one dispatch takes from the device. */
    public static final int DEFAULT_BATCH = 64;

    private final EventChannelDevice device;
    /**
     * Where a backlog is dispatched from when the device's fd will not report it: the loop of
     * {@link #attach}; null inside a {@link XenEngine}, whose poll looks at the backlog itself.
     */
    private final Executor later;
    /** The loop this dispatcher was {@linkplain #attach attached} to, or null inside a {@link XenEngine}. */
    private Loop loop;
    private final Int2ObjectHashMap<Registration> registrations = new Int2ObjectHashMap<>();
    /** Ports taken from the device; [next, count) are still to dispatch after a handler threw. */
    private final int[] taken;
    private int next;
    private int count;
    /** Delivered while nobody could take them: masked, waiting for a readable registration. */
    private final IntHashSet held = new IntHashSet();
    /** Held ports that got a readable registration: reported by the next dispatch. */
    private final IntArrayList backlog = new IntArrayList();
    private boolean backlogAnnounced;

    EventChannelDispatcher(EventChannelDevice device, int batch, Executor later) {
        this.device = Objects.requireNonNull(device, "device");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, was " + batch);
        }
        this.taken = new int[batch];
        this.later = later;
    }

    /**
     * Makes {@code loop} serve the event channels of {@code device} beside its other sources: the
     * device's fd is registered with the loop (whose engine must poll file descriptors, such as
     * io-unix's epoll engine), and each time it is readable, one {@link #dispatch()} runs. LOOP
     * THREAD ONLY; undo with {@link #detach}.
     *
     * @param batch the most ports one dispatch takes from the device
     */
    public static EventChannelDispatcher attach(Loop loop, EventChannelDevice device, int batch) {
        // A backlog is invisible to the fd: it is dispatched from the loop's inbox instead.
        EventChannelDispatcher dispatcher = new EventChannelDispatcher(device, batch, Objects.requireNonNull(loop, "loop"));
        loop.register(device.fd(), Engine.READABLE, dispatcher);
        dispatcher.loop = loop;
        return dispatcher;
    }

    /**
     * Undoes {@link #attach}: unregisters the device's fd from the loop. Handlers are forgotten;
     * the device stays open. LOOP THREAD ONLY.
     *
     * @throws IllegalStateException if this dispatcher belongs to a {@link XenEngine}
     */
    public void detach() {
        if (loop == null) {
            throw new IllegalStateException("this dispatcher belongs to a XenEngine; close the engine instead");
        }
        loop.unregister(device.fd());
        registrations.clear();
        loop = null;
    }

    /** The device whose ports this dispatcher serves. */
    public EventChannelDevice device() {
        return device;
    }

    /**
     * Calls {@code handler} with {@link Engine#READABLE} each time {@code port} is reported.
     *
     * @param interest {@link Engine#READABLE}, or 0 to register the port paused
     * @throws IllegalStateException if the port already has a handler
     * @throws IllegalArgumentException if {@code interest} asks for anything but readability
     */
    public void register(int port, int interest, Engine.ReadyHandler handler) {
        checkInterest(port, interest);
        Objects.requireNonNull(handler, "handler");
        if (registrations.containsKey(port)) {
            throw new IllegalStateException("event-channel port " + port + " is already registered");
        }
        registrations.put(port, new Registration(handler, interest));
        if (interest != 0) {
            release(port);
        }
    }

    /**
     * Changes a port's interest: {@code 0} pauses it (its reports wait, masked), {@link
     * Engine#READABLE} resumes it.
     */
    public void modify(int port, int interest) {
        checkInterest(port, interest);
        Registration registration = registered(port);
        registration.interest = interest;
        if (interest != 0) {
            release(port);
        }
    }

    /** Forgets a port's handler; it is never called again, even for a report already taken. */
    public void unregister(int port) {
        registered(port);
        registrations.remove(port);
        held.remove(port);
        backlog.removeInt(port);
        for (int i = next; i < count; i++) {
            if (taken[i] == port) {
                taken[i] = -1;
            }
        }
    }

    /** Whether some ports are ready to report without the device's fd being readable. */
    public boolean hasBacklog() {
        return next < count || !backlog.isEmpty();
    }

    /** Called by the loop when the device's fd is readable: one {@link #dispatch()}. */
    @Override
    public void onReady(int readyEvents) {
        dispatch();
    }

    /**
     * Reports, in this order, ports left over from a dispatch whose handler threw, held ports that
     * got a handler since, and up to {@code batch} pending ports taken from the device; unmasks
     * each reported port after its handler returns.
     *
     * @return how many handlers were called
     */
    public int dispatch() {
        boolean completed = false;
        try {
            int called = drainTaken();
            called += drainBacklog();
            count = device.takePending(taken);
            next = 0;
            called += drainTaken();
            completed = true;
            return called;
        } finally {
            if (!completed) {
                announceBacklog(); // the device's fd may not be readable again for the ports left over
            }
        }
    }

    /** Whether {@code port} has a registration (paused or not). */
    public boolean isRegistered(int port) {
        return registrations.containsKey(port);
    }

    private void dispatchBacklog() {
        backlogAnnounced = false;
        boolean completed = false;
        try {
            drainTaken();
            drainBacklog();
            completed = true;
        } finally {
            if (!completed) {
                announceBacklog();
            }
        }
    }

    private void announceBacklog() {
        if (later != null && !backlogAnnounced && hasBacklog()) {
            backlogAnnounced = true;
            later.execute(this::dispatchBacklog);
        }
    }

    private int drainTaken() {
        int called = 0;
        while (next < count) {
            int port = taken[next++];
            if (port >= 0 && service(port)) {
                called++;
            }
        }
        return called;
    }

    private int drainBacklog() {
        int called = 0;
        while (!backlog.isEmpty()) {
            int port = backlog.removeAt(backlog.size() - 1);
            if (service(port)) {
                called++;
            }
        }
        return called;
    }

    /** Calls the port's handler and then unmasks it; or, with nobody to call, holds it masked. */
    private boolean service(int port) {
        Registration registration = registrations.get(port);
        if (registration == null || registration.interest == 0) {
            held.add(port);
            return false;
        }
        try {
            registration.handler.onReady(Engine.READABLE);
        } finally {
            device.unmask(port);
        }
        return true;
    }

    private void release(int port) {
        if (held.remove(port)) {
            backlog.addInt(port);
            announceBacklog();
        }
    }

    private Registration registered(int port) {
        Registration registration = registrations.get(port);
        if (registration == null) {
            throw new IllegalStateException("event-channel port " + port + " is not registered");
        }
        return registration;
    }

    private static void checkInterest(int port, int interest) {
        if (interest != 0 && interest != Engine.READABLE) {
            throw new IllegalArgumentException("event-channel port " + port
                    + ": an event channel is only ever readable; interest must be READABLE or 0, was " + interest);
        }
    }

    /** A port's handler and interest. */
    private static final class Registration {
        final Engine.ReadyHandler handler;
        int interest;

        Registration(Engine.ReadyHandler handler, int interest) {
            this.handler = handler;
            this.interest = interest;
        }
    }
}
