package dev.weft.xen.sim;

import dev.weft.xen.XenPlatform;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannelException;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;

/**
 * One domain of a {@link SimHypervisor}: the platform its drivers open devices on, plus the
 * hypervisor's side of it for tests (raising a virtual IRQ, looking at a port's bits).
 *
 * <p><b>Threading: thread-safe.</b> The devices it opens are confined to their loop's thread.
 */
public final class SimDomain implements XenPlatform {
    private final SimHypervisor hypervisor;
    private final int domainId;
    final PortTable ports;
    /** This domain's grant table. Guarded by the hypervisor lock. */
    final GrantTable grants = new GrantTable();
    /** The memory this domain shares pages from. Thread-safe. */
    final PagePool pages = new PagePool();
    /** The port each VIRQ is bound to, 0 if none. Guarded by the hypervisor lock. */
    private final int[] virqPorts = new int[SimHypervisor.NR_VIRQS];
    /** Bound ports, for leak checks. Guarded by the hypervisor lock. */
    private int bound;

    SimDomain(SimHypervisor hypervisor, int domainId) {
        this.hypervisor = hypervisor;
        this.domainId = domainId;
        this.ports = new PortTable(domainId);
    }

    @Override
    public int domainId() {
        return domainId;
    }

    @Override
    public EventChannelDevice openEventChannels() {
        return new SimEventChannelDevice(this);
    }

    @Override
    public GrantAllocator openGrantAllocator() {
        return new SimGrantAllocator(this);
    }

    @Override
    public GrantMapper openGrantMapper() {
        return new SimGrantMapper(this);
    }

    /** The model this domain belongs to. */
    public SimHypervisor hypervisor() {
        return hypervisor;
    }

    /**
     * Raises virtual IRQ {@code virq} in this domain, as Xen does for a timer or a console: the
     * port bound to it becomes pending. Does nothing if no port is bound to it. Any thread.
     *
     * @throws IllegalArgumentException if {@code virq} is not below {@link SimHypervisor#NR_VIRQS}
     */
    public void raiseVirq(int virq) {
        checkVirq(virq, "raiseVirq");
        int port;
        synchronized (hypervisor.lock) {
            port = virqPorts[virq];
        }
        if (port != 0) {
            ports.setPending(port);
        }
    }

    /** Whether {@code port}'s pending bit is set. Any thread; for tests. */
    public boolean isPending(int port) {
        return validPort(port) && ports.isPending(port);
    }

    /** Whether {@code port}'s mask bit is set. Any thread; for tests. */
    public boolean isMasked(int port) {
        return validPort(port) && ports.isMasked(port);
    }

    /** How many ports of this domain are bound, by any handle. Any thread; for leak checks. */
    public int boundPorts() {
        synchronized (hypervisor.lock) {
            return bound;
        }
    }

    /** How many of this domain's grants are live (shared and not ended). Any thread; for leak checks. */
    public int liveGrants() {
        synchronized (hypervisor.lock) {
            return grants.size();
        }
    }

    @Override
    public String toString() {
        return "SimDomain[" + domainId + "]";
    }

    // ------------------------------------------------------------------ event-channel operations

    /** EVTCHNOP_alloc_unbound. */
    int allocUnbound(SimEventChannelDevice owner, int remoteDomain) {
        int remote = remoteDomain == SimHypervisor.DOMID_SELF ? domainId : remoteDomain;
        synchronized (hypervisor.lock) {
            return allocate(owner, new Binding.Unbound(remote), "bind_unbound_port(domain=" + remoteDomain + ")");
        }
    }

    /**
     * EVTCHNOP_bind_interdomain: connects a new local port to {@code remotePort}, which must be
     * unbound and offered to this domain; then, as Xen does, marks the local port pending, since
     * notifications sent to the remote port while it was unbound were dropped.
     */
    int bindInterdomain(SimEventChannelDevice owner, int remoteDomain, int remotePort) {
        String operation = "bind_interdomain(domain=" + remoteDomain + ", port=" + remotePort + ")";
        int local;
        synchronized (hypervisor.lock) {
            SimDomain remote = hypervisor.find(remoteDomain == SimHypervisor.DOMID_SELF ? domainId : remoteDomain);
            if (remote == null) {
                throw new EventChannelException(operation, "ESRCH", "no such domain");
            }
            Binding remoteBinding = remote.ports.binding(remotePort);
            if (remoteBinding == null || !(remoteBinding.endpoint() instanceof Binding.Unbound(int offeredTo))
                    || offeredTo != domainId) {
                throw new EventChannelException(operation, "EINVAL",
                        "the remote port is not an unbound port offered to domain " + domainId);
            }
            local = allocate(owner, new Binding.Interdomain(remote.domainId, remotePort), operation);
            remote.ports.bind(remotePort, new Binding(remoteBinding.owner(),
                    new Binding.Interdomain(domainId, local)));
        }
        ports.setPending(local);
        return local;
    }

    /** EVTCHNOP_bind_virq. */
    int bindVirq(SimEventChannelDevice owner, int virq) {
        String operation = "bind_virq(virq=" + virq + ")";
        if (virq < 0 || virq >= SimHypervisor.NR_VIRQS) {
            throw new EventChannelException(operation, "EINVAL", "VIRQs are numbered 0 to "
                    + (SimHypervisor.NR_VIRQS - 1));
        }
        synchronized (hypervisor.lock) {
            if (virqPorts[virq] != 0) {
                throw new EventChannelException(operation, "EEXIST", "the VIRQ is already bound to port "
                        + virqPorts[virq]);
            }
            int port = allocate(owner, new Binding.Virq(virq), operation);
            virqPorts[virq] = port;
            return port;
        }
    }

    /**
     * EVTCHNOP_close of a port {@code owner} bound: frees it; an interdomain peer's port goes back
     * to unbound (offered to this domain), as in Xen.
     */
    void close(SimEventChannelDevice owner, int port) {
        synchronized (hypervisor.lock) {
            Binding binding = owned(owner, port, "unbind(port=" + port + ")");
            switch (binding.endpoint()) {
                case Binding.Interdomain(int remoteDomain, int remotePort) -> {
                    PortTable remote = hypervisor.find(remoteDomain).ports;
                    Binding peer = remote.binding(remotePort);
                    remote.bind(remotePort, new Binding(peer.owner(), new Binding.Unbound(domainId)));
                }
                case Binding.Virq(int virq) -> virqPorts[virq] = 0;
                case Binding.Unbound unbound -> { }
            }
            ports.free(port);
            bound--;
            owner.forget(port);
        }
    }

    /** EVTCHNOP_send on a port {@code owner} bound. */
    void send(SimEventChannelDevice owner, int port) {
        Binding binding = ports.binding(port);
        if (binding == null || binding.owner() != owner) {
            throw notOwned("notify(port=" + port + ")");
        }
        switch (binding.endpoint()) {
            case Binding.Interdomain(int remoteDomain, int remotePort) ->
                    hypervisor.find(remoteDomain).ports.setPending(remotePort);
            case Binding.Unbound unbound -> { } // Xen drops it silently: nobody is connected yet
            case Binding.Virq virq -> throw new EventChannelException("notify(port=" + port + ")", "EINVAL",
                    "a VIRQ port cannot be notified");
        }
    }

    /**
     * A notification the kernel sends on this domain's behalf (an unmap notify): like a send, but
     * whoever owns the port, and failures ignored, as Linux ignores them.
     */
    void kernelNotify(int port) {
        Binding binding = ports.binding(port);
        if (binding != null && binding.endpoint() instanceof Binding.Interdomain(int remoteDomain, int remotePort)) {
            hypervisor.find(remoteDomain).ports.setPending(remotePort);
        }
    }

    /** Re-enables delivery of a port {@code owner} took. */
    void unmask(int port) {
        ports.unmask(port);
    }

    private int allocate(SimEventChannelDevice owner, Binding.Endpoint endpoint, String operation) {
        int port = ports.allocate();
        if (port < 0) {
            throw new EventChannelException(operation, "ENOSPC", "all " + (PortTable.PORTS - 1)
                    + " ports of domain " + domainId + " are bound");
        }
        owner.adopt(port); // before publishing, so that a delivery racing the bind finds its owner
        ports.bind(port, new Binding(owner, endpoint));
        bound++;
        return port;
    }

    private Binding owned(SimEventChannelDevice owner, int port, String operation) {
        Binding binding = ports.binding(port);
        if (binding == null || binding.owner() != owner) {
            throw notOwned(operation);
        }
        return binding;
    }

    private static EventChannelException notOwned(String operation) {
        return new EventChannelException(operation, "ENOTCONN", "the port is not bound by this handle");
    }

    private static boolean validPort(int port) {
        return port > 0 && port < PortTable.PORTS;
    }

    private static void checkVirq(int virq, String operation) {
        if (virq < 0 || virq >= SimHypervisor.NR_VIRQS) {
            throw new IllegalArgumentException(operation + ": VIRQ " + virq + " out of range 0.."
                    + (SimHypervisor.NR_VIRQS - 1));
        }
    }
}
