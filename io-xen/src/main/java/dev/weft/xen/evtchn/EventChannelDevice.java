package dev.weft.xen.evtchn;

/**
 * A handle on the hypervisor's event channels, as Linux's {@code /dev/xen/evtchn} gives one: it
 * binds local ports, notifies the remote ends, and reports which of its ports are pending.
 *
 * <p>Reporting follows the kernel device: a pending port is handed out once by {@link
 * #takePending} and then stays masked (no further reports) until {@link #unmask} is called for
 * it, so a consumer acknowledges a port only after servicing it. {@link #fd()} is readable while
 * some port is pending, so any fd-based engine can wait on the device.
 *
 * <p>Port numbers are the hypervisor's: small non-negative ints, reused after {@link #unbind}.
 * Failures are typed unchecked exceptions naming the operation and the port or domain.
 *
 * <p><b>Threading: all operations MUST be called on the thread of the loop that owns the
 * handle.</b>
 */
public interface EventChannelDevice extends AutoCloseable {

    /** A file descriptor that polls readable while a port is pending; owned by the device. */
    int fd();

    /** Binds a local port to {@code remotePort} of {@code remoteDomain}; returns the local port. */
    int bindInterdomain(int remoteDomain, int remotePort);

    /** Allocates a local port that {@code remoteDomain} may bind to; returns the local port. */
    int bindUnboundPort(int remoteDomain);

    /** Binds a virtual IRQ of this domain (VIRQ_*) to a new local port; returns the port. */
    int bindVirq(int virq);

    /** Closes a local port bound by this handle; pending reports for it are dropped. */
    void unbind(int port);

    /** Sends an event on a bound local port to its remote end. */
    void notify(int port);

    /**
     * Moves pending ports into {@code ports} without blocking and returns how many were
     * written (0 if none). Each reported port stays masked until {@link #unmask}.
     */
    int takePending(int[] ports);

    /** Re-enables reports for a port taken by {@link #takePending}. */
    void unmask(int port);

    /**
     * Unbinds every port of this handle and drops their pending reports. (Linux's
     * IOCTL_EVTCHN_RESET only empties the report ring; the Linux handle unbinds each port first.)
     */
    void reset();

    /** Unbinds every port and releases the handle. Idempotent. */
    @Override
    void close();
}
