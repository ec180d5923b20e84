package dev.weft.xen.sim;

/**
 * What one bound port of a domain is connected to, and which device handle owns it. Immutable: a
 * change (the remote end closing turns an interdomain port back into an unbound one) publishes a
 * new binding, so a thread that read one sees it whole.
 *
 * @param owner the device handle that bound the port and receives its reports
 * @param endpoint the port's state, Xen's ECS_UNBOUND, ECS_INTERDOMAIN or ECS_VIRQ
 */
record Binding(SimEventChannelDevice owner, Endpoint endpoint) {

    /** A port's state, as Xen's {@code struct evtchn} records it. */
    sealed interface Endpoint permits Unbound, Interdomain, Virq {}

    /**
     * Allocated, waiting for {@code remoteDomain} to bind to it (ECS_UNBOUND); notifications on it
     * are dropped.
     */
    record Unbound(int remoteDomain) implements Endpoint {}

    /** Connected to {@code remotePort} of {@code remoteDomain} (ECS_INTERDOMAIN). */
    record Interdomain(int remoteDomain, int remotePort) implements Endpoint {}

    /** Bound to a virtual IRQ of its own domain (ECS_VIRQ); cannot be notified. */
    record Virq(int virq) implements Endpoint {}
}
