package dev.weft.unix.net;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A connection accepted by {@link TcpListener#acceptUnregistered()} and registered with no loop
 * yet: what an acceptor loop hands to another loop. Exactly one of {@link Sockets#adopt} (on the
 * receiving loop's thread, which registers it with that loop's engine) or {@link #close()} takes
 * it; the other then does nothing (close) or refuses (adopt).
 *
 * <p><b>Threading: ANY THREAD.</b> The socket is touched by no engine until it is adopted, so it
 * may cross threads; the hand-over is one atomic exchange. Whoever passes it on is responsible
 * for closing it if the receiver never adopts it (the receiving loop closed first), or its fd
 * leaks.
 */
public final class AcceptedSocket implements AutoCloseable {

    /** The socket until adopted or closed, then null: the one-shot claim (any thread). */
    private final AtomicReference<Endpoint> endpoint;
    private final String description;

    AcceptedSocket(Endpoint endpoint) {
        this.endpoint = new AtomicReference<>(endpoint);
        this.description = "AcceptedSocket[source=" + endpoint.source() + "]";
    }

    /** Takes the socket for adoption: the endpoint, or null if already adopted or closed. */
    Endpoint claim() {
        return endpoint.getAndSet(null);
    }

    /** Whether it was neither adopted nor closed yet. ANY THREAD. */
    public boolean isPending() {
        return endpoint.get() != null;
    }

    /** Closes the connection unless it was adopted (then the flow owns it). Idempotent. ANY THREAD. */
    @Override
    public void close() {
        Endpoint unadopted = claim();
        if (unadopted != null) {
            unadopted.close();
        }
    }

    @Override
    public String toString() {
        return description + (isPending() ? "" : " (taken)");
    }
}
