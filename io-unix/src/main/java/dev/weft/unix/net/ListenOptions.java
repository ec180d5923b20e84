package dev.weft.unix.net;

/**
 * How a {@link TcpListener} is set up. Immutable.
 *
 * @param backlog the most connections the kernel queues before {@code accept} takes them
 *     (capped by {@code net.core.somaxconn})
 * @param reuseAddress SO_REUSEADDR: bind a port whose old connections are still in TIME_WAIT,
 *     which a restarted server needs (ignored for Unix sockets)
 * @param reusePort SO_REUSEPORT: let several listeners (one per loop) bind the same port, the
 *     kernel spreading connections between them (ignored for Unix sockets)
 */
public record ListenOptions(int backlog, boolean reuseAddress, boolean reusePort) {

    /** A backlog of 1024, SO_REUSEADDR on, SO_REUSEPORT off. */
    public static final ListenOptions DEFAULT = new ListenOptions(1024, true, false);

    /** Checks the backlog. */
    public ListenOptions {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must be >= 0, was " + backlog);
        }
    }

    /** These options with another backlog. */
    public ListenOptions withBacklog(int backlog) {
        return new ListenOptions(backlog, reuseAddress, reusePort);
    }

    /** These options with SO_REUSEPORT on or off. */
    public ListenOptions withReusePort(boolean reusePort) {
        return new ListenOptions(backlog, reuseAddress, reusePort);
    }
}
