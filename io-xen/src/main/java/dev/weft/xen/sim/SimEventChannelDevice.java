package dev.weft.xen.sim;

import dev.weft.xen.evtchn.EventChannelDevice;
import org.agrona.collections.IntHashSet;

/**
 * The model's {@code /dev/xen/evtchn} handle: binds ports of its domain, notifies their remote
 * ends, and reports its delivered ports through a ring read by {@link #takePending}, as the
 * kernel device's read does. An eventfd is readable while the ring holds a port.
 *
 * <p>Threading: the SPI methods on the owning loop's thread; {@link #enqueue} from any thread
 * (a notifying domain's, or this one's on unmask).
 *
 * <p>The ring, the owned and queued sets and the eventfd's state are guarded by {@link
 * #ringLock}, as the kernel guards its ring with a spinlock: deliveries from other domains'
 * threads push, the loop thread takes. The eventfd is written when the ring turns non-empty and
 * drained when it turns empty, both under the lock, so its readability always matches the ring.
 */
final class SimEventChannelDevice implements EventChannelDevice {
    private final SimDomain domain;
    private final SimEventFd eventFd;
    private final Object ringLock = new Object();
    /** Ports bound through this handle; written under both locks (hypervisor, then ring). */
    private final IntHashSet owned = new IntHashSet();
    /** Ports in the ring (each at most once: delivery masks the port). Guarded by ringLock. */
    private final IntHashSet queued = new IntHashSet();
    /** Circular ring of delivered ports. Guarded by ringLock. */
    private int[] ring = new int[16];
    private int head;
    private int count;
    /** Whether the eventfd is readable. Guarded by ringLock. */
    private boolean signalled;
    /** Guarded by ringLock; read unlocked on the loop thread, which is the only writer. */
    private boolean closed;

    SimEventChannelDevice(SimDomain domain) {
        this.domain = domain;
        this.eventFd = new SimEventFd();
    }

    @Override
    public int fd() {
        return eventFd.fd;
    }

    @Override
    public int bindInterdomain(int remoteDomain, int remotePort) {
        ensureOpen();
        return domain.bindInterdomain(this, remoteDomain, remotePort);
    }

    @Override
    public int bindUnboundPort(int remoteDomain) {
        ensureOpen();
        return domain.allocUnbound(this, remoteDomain);
    }

    @Override
    public int bindVirq(int virq) {
        ensureOpen();
        return domain.bindVirq(this, virq);
    }

    @Override
    public void unbind(int port) {
        ensureOpen();
        domain.close(this, port);
    }

    @Override
    public void notify(int port) {
        ensureOpen();
        domain.send(this, port);
    }

    @Override
    public int takePending(int[] ports) {
        ensureOpen();
        synchronized (ringLock) {
            int n = Math.min(count, ports.length);
            for (int i = 0; i < n; i++) {
                int port = ring[head];
                head = (head + 1) % ring.length;
                queued.remove(port);
                ports[i] = port;
            }
            count -= n;
            quietIfEmpty();
            return n;
        }
    }

    /**
     * Like the kernel device's write: ports not bound by this handle, or not yet taken, are
     * ignored; an unmasked port that became pending meanwhile is delivered again at once.
     */
    @Override
    public void unmask(int port) {
        ensureOpen();
        synchronized (ringLock) {
            if (!owned.contains(port) || queued.contains(port)) {
                return;
            }
        }
        domain.unmask(port);
    }

    @Override
    public void reset() {
        ensureOpen();
        int[] ports;
        synchronized (ringLock) {
            ports = owned.stream().mapToInt(Integer::intValue).toArray();
        }
        for (int port : ports) {
            domain.close(this, port);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        reset();
        synchronized (ringLock) {
            closed = true;
            eventFd.close();
        }
    }

    @Override
    public String toString() {
        return "SimEventChannelDevice[domain " + domain.domainId() + ", fd " + eventFd.fd + "]";
    }

    // ------------------------------------------------------------------ called by the model

    /**
     * Queues a delivered port. Any thread. Returns false if this handle does not own the port
     * (unbound meanwhile, or closed): the caller then undoes the delivery's mask.
     */
    boolean enqueue(int port) {
        synchronized (ringLock) {
            if (closed || !owned.contains(port)) {
                return false;
            }
            if (!queued.add(port)) {
                return true; // already queued: one report covers both
            }
            if (count == ring.length) {
                grow();
            }
            ring[(head + count) % ring.length] = port;
            count++;
            if (!signalled) {
                eventFd.signal();
                signalled = true;
            }
            return true;
        }
    }

    /** The port is now bound by this handle. Hypervisor lock held. */
    void adopt(int port) {
        synchronized (ringLock) {
            owned.add(port);
        }
    }

    /** The port was unbound: forget it and drop its report, if queued. Hypervisor lock held. */
    void forget(int port) {
        synchronized (ringLock) {
            owned.remove(port);
            if (queued.remove(port)) {
                removeFromRing(port);
                quietIfEmpty();
            }
        }
    }

    private void removeFromRing(int port) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            int p = ring[(head + i) % ring.length];
            if (p != port) {
                ring[(head + kept) % ring.length] = p;
                kept++;
            }
        }
        count = kept;
    }

    private void quietIfEmpty() {
        if (count == 0 && signalled) {
            eventFd.drain();
            signalled = false;
        }
    }

    private void grow() {
        int[] bigger = new int[ring.length * 2];
        for (int i = 0; i < count; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }
}
