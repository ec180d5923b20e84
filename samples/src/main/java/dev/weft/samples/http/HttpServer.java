package dev.weft.samples.http;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.unix.net.SocketClosedException;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.TcpListener;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * An HTTP/1.1 server as a promise pipeline: an accept loop hands each connection to an
 * {@link HttpConnection}, which serves it until it closes.
 *
 * <p>Loop thread only: create, run and shut it down on the loop's thread.
 */
public final class HttpServer {
    /** How long accepting pauses after an accept failure other than running out of fds. */
    static final Duration ACCEPT_RETRY = Duration.ofMillis(100);

    private final Loop loop;
    private final TcpListener listener;
    private final HttpHandler handler;
    private final HttpLimits limits;
    private final Responses responses = new Responses();
    /** 4 KiB arrays: a pipelined batch of small requests or responses fits in one. */
    private final ByteArrayPool buffers = new ByteArrayPool(4096, 1024);
    private final Set<HttpConnection> connections = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Whether the listener takes TCP connections, on which TCP_NODELAY is set; a Unix-domain socket has none. */
    private final boolean tcp;
    private boolean accepting = true;

    private HttpServer(Loop loop, TcpListener listener, HttpHandler handler, HttpLimits limits) {
        this.loop = loop;
        this.listener = listener;
        this.handler = handler;
        this.limits = limits;
        this.tcp = listener.localAddress() instanceof InetSocketAddress;
    }

    /**
     * Starts serving on {@code listener}: the accept loop runs until {@link #shutdown}.
     *
     * @param loop the loop the listener belongs to, for its timers and clock
     * @param listener a listening socket: TCP (its connections get TCP_NODELAY) or Unix-domain
     * @param handler answers the requests
     * @param limits the server's limits
     */
    public static HttpServer start(Loop loop, TcpListener listener, HttpHandler handler, HttpLimits limits) {
        HttpServer server = new HttpServer(loop, listener, handler, limits);
        Promise.async(server::acceptLoop);
        return server;
    }

    /**
     * Serves one connection that no listener accepted: any {@link Flow}, such as a vchan on Xen,
     * a flow over a pipe, or an in-memory flow in a test or benchmark. Its requests are answered
     * exactly as a listener's connections are (same limits, timeouts and errors), with response
     * and buffer caches of its own. LOOP THREAD ONLY: call it on {@code loop}'s thread.
     *
     * @param loop the loop the flow belongs to, for its timers and clock
     * @param flow the connection; closed when serving ends
     * @param handler answers the requests
     * @param limits the server's limits
     * @return fulfilled once the connection is closed; never rejected; cancelling it abandons
     *     the connection and closes it
     */
    public static Promise<Void> serve(Loop loop, Flow flow, HttpHandler handler, HttpLimits limits) {
        return new HttpConnection(flow, loop, loop.clock(), handler, limits, new Responses(),
                new ByteArrayPool(4096, 4)).serve();
    }

    /** The address the server listens on. */
    public SocketAddress address() {
        return listener.localAddress();
    }

    /** How many connections are open. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Accepts until {@link #shutdown}. Nothing a client does ends it: out of fds, the listener
     * itself backs off and sheds (see {@link TcpListener}); any other accept failure is reported
     * to the async-exception hook and accepting resumes after {@link #ACCEPT_RETRY}. A closed
     * listener (shutdown, or the loop closing) ends it quietly. The failure
     * branch sits on the accept alone ({@code tryBind}), not around the recursion, so the loop
     * stays in constant memory however many connections it takes.
     */
    private Promise<Void> acceptLoop() {
        if (!accepting) {
            return Promise.unit();
        }
        return listener.accept().tryBind(flow -> {
            serve(flow);
            return acceptLoop();
        }, this::acceptFailed);
    }

    private Promise<Void> acceptFailed(Throwable failure) {
        if (!accepting || failure instanceof SocketClosedException) { // shut down, or the loop closed it
            return Promise.unit();
        }
        LoopHooks.reportAsyncException(failure);
        return loop.sleep(ACCEPT_RETRY).flatMap(v -> acceptLoop());
    }

    private void serve(SocketFlow flow) {
        HttpConnection connection;
        try {
            if (tcp) {
                flow.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            connection = new HttpConnection(flow, loop, loop.clock(), handler, limits, responses, buffers);
        } catch (RuntimeException e) { // the client already reset it, say: drop this one, not the accept loop
            flow.close();
            return;
        }
        connections.add(connection);
        connection.serve().onTermination(() -> connections.remove(connection));
    }

    /**
     * Stops accepting, lets requests in progress finish (their responses close the connection),
     * closes idle connections at once, and resolves when every connection is closed. Connections
     * still open after {@code grace} are cancelled, which closes them.
     */
    public Promise<Void> shutdown(Duration grace) {
        accepting = false;
        listener.close();
        List<Promise<Void>> closing = new ArrayList<>();
        for (HttpConnection connection : List.copyOf(connections)) {
            closing.add(connection.drain());
        }
        return Promise.pick(List.of(Promise.join(closing), loop.sleep(grace)));
    }
}
