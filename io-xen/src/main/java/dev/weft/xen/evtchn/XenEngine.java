package dev.weft.xen.evtchn;

import dev.weft.loop.Engine;
import dev.weft.unix.epoll.EpollEngine;
import java.util.Objects;

/**
 * An {@link Engine} whose readiness sources are the event-channel ports of one {@link
 * EventChannelDevice}: {@code Loop.builder().engine(new XenEngine(device))} runs a loop that
 * blocks on event channels alone, as MirageOS's main loop does on Xen. A port's handler is called
 * with {@link #READABLE} when the port is pending; interest is {@link #READABLE} or 0 (paused).
 *
 * <p><b>Threading: all operations except {@link #wakeup()} MUST be called on the loop thread.</b>
 * {@code wakeup()} is safe from any thread at any time, also after {@link #close()}.
 *
 * <p><b>How it blocks.</b> The device is a file descriptor that polls readable while a port is
 * pending (Linux's {@code /dev/xen/evtchn}, or the model's eventfd), so the engine blocks in an
 * epoll set of two fds: the device's and the wakeup eventfd of io-unix's {@link EpollEngine},
 * whose waker, timeout rounding and EINTR handling it reuses. Ports are demultiplexed by an
 * {@link EventChannelDispatcher}, the same class that serves event channels on a plain epoll loop:
 * each poll takes at most {@code batch} pending ports and unmasks each only after its handler has
 * run, which bounds the work an event storm can cause per iteration.
 *
 * <p>The device belongs to the caller: {@link #close()} releases the engine's fds and forgets the
 * handlers, and the caller closes the device after the loop (which closes the engine).
 */
public final class XenEngine implements Engine {

    private final EventChannelDevice device;
    private final EpollEngine epoll;
    private final EventChannelDispatcher dispatcher;
    /** Set by the epoll handler of the device fd, consumed by the same poll. Loop thread only. */
    private boolean deviceReadable;
    private boolean closed;

    /** An engine on {@code device} taking at most {@link EventChannelDispatcher#DEFAULT_BATCH} ports per poll. */
    public XenEngine(EventChannelDevice device) {
        this(device, EventChannelDispatcher.DEFAULT_BATCH);
    }

    /**
     * An engine on {@code device}.
     *
     * @param batch the most ports one poll takes from the device; more are taken by the next poll
     * @throws dev.weft.unix.epoll.EpollException if the epoll set cannot be made (EMFILE)
     */
    public XenEngine(EventChannelDevice device, int batch) {
        this.device = Objects.requireNonNull(device, "device");
        this.dispatcher = new EventChannelDispatcher(device, batch, null);
        this.epoll = new EpollEngine(2);
        try {
            epoll.register(device.fd(), READABLE, events -> deviceReadable = true);
        } catch (RuntimeException e) {
            epoll.close();
            throw e;
        }
    }

    /** The device whose ports are this engine's sources. */
    public EventChannelDevice device() {
        return device;
    }

    /**
     * Watches event-channel port {@code port}.
     *
     * @param interest {@link #READABLE}, or 0 to register it paused
     * @throws IllegalArgumentException if the interest holds {@link #WRITABLE}: a port is never writable
     */
    @Override
    public void register(int port, int interest, ReadyHandler handler) {
        ensureOpen();
        dispatcher.register(port, interest, handler);
    }

    @Override
    public void modify(int port, int interest) {
        ensureOpen();
        dispatcher.modify(port, interest);
    }

    @Override
    public void unregister(int port) {
        ensureOpen();
        dispatcher.unregister(port);
    }

    /**
     * Blocks until a port is pending, a wakeup, or the timeout (not at all if ports are waiting to
     * be reported), then reports up to {@code batch} pending ports.
     */
    @Override
    public int poll(long timeoutNanos) {
        ensureOpen();
        deviceReadable = false;
        epoll.poll(dispatcher.hasBacklog() ? 0 : timeoutNanos);
        if (!deviceReadable && !dispatcher.hasBacklog()) {
            return 0;
        }
        deviceReadable = false;
        return dispatcher.dispatch();
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    /**
     * Closes the epoll set, the wakeup eventfd and the epoll engine's readiness probe (its io_uring,
     * where the kernel offers one); the device stays open. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        epoll.close();
    }

    /** The dispatcher behind the engine; for {@link EventChannels}. */
    EventChannelDispatcher dispatcher() {
        return dispatcher;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("XenEngine is closed");
        }
    }

    @Override
    public String toString() {
        return "XenEngine[" + device + "]";
    }
}
