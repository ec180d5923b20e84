package dev.weft.unix.net;

import static dev.weft.loop.Engine.READABLE;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.ErrnoException;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * A listening TCP or Unix stream socket that hands out connections as {@link SocketFlow}s.
 * Made by {@link Sockets#listen}.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 *
 * <p>{@link #accept()} is a promise, so a server is a loop of promises that runs in constant
 * memory:
 * <pre>{@code
 * Promise<Void> serve() {
 *     return listener.accept().flatMap(connection -> {
 *         Promise.async(() -> handle(connection));
 *         return serve();
 *     });
 * }
 * }</pre>
 * On each readiness the listener accepts until the kernel's queue is empty (EAGAIN) or nobody
 * waits: a server that calls {@code accept()} again from the callback, as above, takes a whole
 * burst of connections in one loop iteration. Connections nobody accepts stay in the kernel's
 * backlog. Several {@code accept()}s may wait at once; they are served in order.
 */
public final class TcpListener implements AutoCloseable {

    private final Transport transport;
    private final Endpoint endpoint;
    private final ArrayDeque<Resolver<SocketFlow>> waiting = new ArrayDeque<>();
    private boolean watching;
    private boolean closed;

    TcpListener(Transport transport, Endpoint endpoint) {
        this.transport = transport;
        this.endpoint = endpoint;
        transport.register(endpoint, this::onReady, this::close);
    }

    /**
     * The next connection. Fulfilled at once if one is queued in the kernel, otherwise when one
     * arrives. Rejected with an {@link ErrnoException} if accepting fails (EMFILE: the process
     * is out of fds), and with {@link SocketClosedException} if the listener is or gets closed.
     * Cancelable.
     */
    public Promise<SocketFlow> accept() {
        if (closed) {
            return Promise.rejected(new SocketClosedException("accept", this, "the listener is closed"));
        }
        if (waiting.isEmpty()) {
            try {
                Endpoint accepted = endpoint.accept();
                if (accepted != null) {
                    return Promise.of(SocketFlow.accepted(transport, accepted));
                }
            } catch (RuntimeException e) {
                return Promise.rejected(e);
            }
        }
        Resolver<SocketFlow> resolver = Promise.task();
        waiting.add(resolver);
        resolver.promise().onCancel(() -> waiting.remove(resolver));
        watch(true);
        return resolver.promise();
    }

    private void onReady(int events) {
        while (!waiting.isEmpty() && !closed) {
            SocketFlow flow;
            try {
                Endpoint accepted = endpoint.accept();
                if (accepted == null) {
                    return; // EAGAIN: the queue is empty, keep watching
                }
                flow = SocketFlow.accepted(transport, accepted);
            } catch (RuntimeException e) {
                waiting.poll().reject(e);
                continue;
            }
            waiting.poll().resolve(flow); // usually calls accept() again, refilling the queue
        }
        if (waiting.isEmpty()) {
            watch(false);
        }
    }

    private void watch(boolean on) {
        if (on != watching && !closed) {
            watching = on;
            transport.loop.modify(endpoint.source(), on ? READABLE : 0);
        }
    }

    /** The address the listener is bound to (the chosen port after binding port 0). */
    public SocketAddress localAddress() {
        return endpoint.localAddress();
    }

    /**
     * Stops listening and closes the socket; waiting accepts are rejected with
     * {@link SocketClosedException}. Connections already accepted are not affected. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            transport.close(endpoint);
        } finally {
            Resolver<SocketFlow> resolver;
            while ((resolver = waiting.poll()) != null) {
                resolver.reject(new SocketClosedException("pending accept", this, "the listener was closed"));
            }
        }
    }

    @Override
    public String toString() {
        return "TcpListener[source=" + endpoint.source() + (closed ? ", closed]" : "]");
    }
}
