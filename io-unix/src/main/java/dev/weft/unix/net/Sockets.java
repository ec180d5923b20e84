package dev.weft.unix.net;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.buffer.BufferPool;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The entry point to sockets on one loop: TCP and Unix stream listeners and connections as
 * {@link dev.weft.loop.device.Flow}s, and UDP sockets, on the loop's epoll or NIO engine.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, like everything it makes: create it on the loop's thread
 * (before {@link Loop#run}, or from a task given to {@link Loop#execute} for a started loop), and
 * use it and its sockets there. When the loop closes, the sockets still open are closed (their
 * pending operations rejected with {@link SocketClosedException}) before the engine goes.
 *
 * <pre>{@code
 * Loop loop = Loop.builder().engine(Engines.defaultEngine()).build();
 * Sockets sockets = Sockets.on(loop);
 * TcpListener listener = sockets.listen(new InetSocketAddress("::", 8080));
 * }</pre>
 *
 * <p>The same code runs on both engines: on epoll the sockets are native fds driven through
 * java.lang.foreign; on NIO they are SocketChannels, ServerSocketChannels and DatagramChannels.
 * Addresses choose the protocol: an {@link java.net.InetSocketAddress} with an IPv4 or IPv6
 * address, or a {@link java.net.UnixDomainSocketAddress}. One difference shows: on NIO the
 * kernel socket of a closed flow or listener is released at the loop's next iteration, not at
 * once, because java.nio closes a channel registered with a Selector only when the Selector
 * next flushes its cancelled keys.
 */
public final class Sockets {

    /** Read buffer size of the default pool: 64 KiB, the most a loopback read typically returns. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;
    /** Buffers in the default pool; more are allocated (and left to the GC) when all are lent. */
    public static final int DEFAULT_BUFFER_COUNT = 64;

    private final Transport transport;

    private Sockets(Transport transport) {
        this.transport = transport;
    }

    /**
     * Sockets on {@code loop}, which must be built on an {@link dev.weft.unix.epoll.EpollEngine}
     * or a {@link dev.weft.unix.nio.NioEngine} (as {@link dev.weft.unix.Engines#defaultEngine()}
     * opens), with a pool of {@value #DEFAULT_BUFFER_COUNT} read buffers of {@value
     * #DEFAULT_BUFFER_SIZE} bytes that is freed when the loop closes. Inside a callback, {@code
     * Sockets.on(Loop.current().orElseThrow())} needs no loop passed down.
     *
     * @throws UnsupportedEngineException if the loop's engine cannot watch sockets (nothing is
     *     allocated then)
     */
    public static Sockets on(Loop loop) {
        return on(loop, FlowOptions.DEFAULT);
    }

    /**
     * Like {@link #on(Loop)}, with {@code flowOptions} (water marks, write timeout) for every
     * flow it makes instead of {@link FlowOptions#DEFAULT}.
     *
     * @throws UnsupportedEngineException if the loop's engine cannot watch sockets
     */
    public static Sockets on(Loop loop, FlowOptions flowOptions) {
        Objects.requireNonNull(flowOptions, "flowOptions");
        Transport.nioEngineOf(Objects.requireNonNull(loop, "loop")); // refuse before allocating the pool
        BufferPool pool = new BufferPool(DEFAULT_BUFFER_SIZE, DEFAULT_BUFFER_COUNT);
        try {
            // Exit hooks run last added first: added before the sockets' hook, this runs after it.
            loop.onExit(pool::close);
        } catch (RuntimeException wrongThread) {
            pool.close();
            throw wrongThread;
        }
        return on(loop, pool, flowOptions);
    }

    /**
     * Sockets on {@code loop} reading into buffers from {@code readBuffers}, which the caller
     * owns and must keep open while any socket lives. When every buffer is lent out, reads use
     * freshly allocated ones rather than fail.
     *
     * @throws UnsupportedEngineException if the loop's engine cannot watch sockets
     */
    public static Sockets on(Loop loop, BufferPool readBuffers) {
        return on(loop, readBuffers, FlowOptions.DEFAULT);
    }

    /**
     * Sockets reading into buffers from {@code readBuffers} (see {@link #on(Loop, BufferPool)}),
     * whose flows use {@code flowOptions}.
     *
     * @throws UnsupportedEngineException if the loop's engine cannot watch sockets
     */
    public static Sockets on(Loop loop, BufferPool readBuffers, FlowOptions flowOptions) {
        Transport transport = new Transport(Objects.requireNonNull(loop, "loop"),
                Objects.requireNonNull(readBuffers, "readBuffers"), Objects.requireNonNull(flowOptions, "flowOptions"));
        loop.onExit(transport::closeAll);
        return new Sockets(transport);
    }

    // The forms below name the engine a second time. They are kept so that code written before
    // Loop.engine() existed goes on compiling; new code calls the forms above.

    /**
     * {@link #on(Loop)} for code written when the engine had to be passed as well.
     *
     * @param engine the engine {@code loop} was built with
     * @throws IllegalArgumentException if {@code engine} is not {@code loop}'s engine
     * @throws UnsupportedEngineException if the loop's engine cannot watch sockets
     */
    public static Sockets on(Loop loop, Engine engine) {
        requireLoopsEngine(loop, engine);
        return on(loop);
    }

    /**
     * {@link #on(Loop, FlowOptions)} for code written when the engine had to be passed as well.
     *
     * @param engine the engine {@code loop} was built with
     * @throws IllegalArgumentException if {@code engine} is not {@code loop}'s engine
     * @throws UnsupportedEngineException if the loop's engine cannot watch sockets
     */
    public static Sockets on(Loop loop, Engine engine, FlowOptions flowOptions) {
        requireLoopsEngine(loop, engine);
        return on(loop, flowOptions);
    }

    /**
     * {@link #on(Loop, BufferPool)} for code written when the engine had to be passed as well.
     *
     * @param engine the engine {@code loop} was built with
     * @throws IllegalArgumentException if {@code engine} is not {@code loop}'s engine
     * @throws UnsupportedEngineException if the loop's engine cannot watch sockets
     */
    public static Sockets on(Loop loop, Engine engine, BufferPool readBuffers) {
        requireLoopsEngine(loop, engine);
        return on(loop, readBuffers);
    }

    /**
     * {@link #on(Loop, BufferPool, FlowOptions)} for code written when the engine had to be
     * passed as well.
     *
     * @param engine the engine {@code loop} was built with
     * @throws IllegalArgumentException if {@code engine} is not {@code loop}'s engine
     * @throws UnsupportedEngineException if the loop's engine cannot watch sockets
     */
    public static Sockets on(Loop loop, Engine engine, BufferPool readBuffers, FlowOptions flowOptions) {
        requireLoopsEngine(loop, engine);
        return on(loop, readBuffers, flowOptions);
    }

    private static void requireLoopsEngine(Loop loop, Engine engine) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(engine, "engine");
        if (engine != loop.engine()) {
            throw new IllegalArgumentException("Sockets.on(" + loop.name() + ", " + engine + "): that engine is not"
                    + " the loop's (" + loop.engine() + "); call Sockets.on(loop), which uses the loop's own");
        }
    }

    /** Bytes queued in the write queues of all this Sockets' flows now. Loop thread. */
    public long queuedBytes() {
        return transport.queuedBytes();
    }

    /** The most bytes ever queued at once in all this Sockets' flows' write queues. Loop thread. */
    public long peakQueuedBytes() {
        return transport.peakQueuedBytes();
    }

    /** How many times a flow went over its high-water mark and paused its reads. Loop thread. */
    public long readPauses() {
        return transport.readPauses;
    }

    /** How many flows their write timeout closed. Loop thread. */
    public long writeTimeouts() {
        return transport.writeTimeouts;
    }

    /**
     * Listens on {@code address} with {@link ListenOptions#DEFAULT}. Port 0 picks a free port
     * ({@link TcpListener#localAddress()} tells which).
     *
     * @throws dev.weft.unix.ErrnoException if the socket cannot be made or bound (EADDRINUSE)
     */
    public TcpListener listen(SocketAddress address) {
        return listen(address, ListenOptions.DEFAULT);
    }

    /**
     * Listens on {@code address} with the given backlog and reuse options.
     *
     * @throws dev.weft.unix.ErrnoException if the socket cannot be made or bound (EADDRINUSE)
     */
    public TcpListener listen(SocketAddress address, ListenOptions options) {
        Endpoint endpoint = transport.openListener(address, options);
        try {
            return new TcpListener(transport, endpoint);
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    /**
     * Connects to {@code address}. Fulfilled with the connected flow; rejected with a
     * {@link dev.weft.unix.ConnectionException} naming ECONNREFUSED (nobody listens), ETIMEDOUT
     * (no answer within {@code timeout}), or ENETUNREACH/EHOSTUNREACH. Cancelling the promise
     * abandons the attempt and closes the socket.
     */
    public Promise<SocketFlow> connect(SocketAddress address, Duration timeout) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        return SocketFlow.connect(transport, address, timeout);
    }

    /**
     * Registers a connection another loop accepted ({@link TcpListener#acceptUnregistered()})
     * with this loop, as a flow of this loop from now on. LOOP THREAD (this Sockets' loop): the
     * engine is touched only there.
     *
     * @throws IllegalStateException if {@code socket} was already adopted or closed
     * @throws IllegalArgumentException if it was accepted on the other kind of engine (epoll
     *     versus NIO); it is closed
     */
    public SocketFlow adopt(AcceptedSocket socket) {
        Endpoint endpoint = socket.claim();
        if (endpoint == null) {
            throw new IllegalStateException(socket + " was already adopted or closed; adopt it once");
        }
        return SocketFlow.accepted(transport, transport.checkAdoptable(endpoint));
    }

    /**
     * Takes over a pollable file descriptor that is not a socket (a character device such as
     * {@code /dev/xen/xenbus}, or a pipe) as a {@link Flow}: reads are {@code read(2)}, writes
     * {@code write(2)}/{@code writev(2)}, with {@link SocketFlow}'s contract for buffers, write
     * queueing and backpressure. A read of {@code 0} bytes is end of stream. {@code shutdown}
     * only refuses further writes or ends reads (a device has no half-close). The flow owns the
     * fd from now on: closing the flow, or the loop, closes it.
     *
     * @param fd an open, non-blocking ({@code O_NONBLOCK}) fd that epoll can watch; a blocking
     *     one would stall the loop on a read with nothing to return
     * @param name what errors call it, e.g. {@code "/dev/xen/xenbus"}
     * @throws IllegalStateException on the NIO engine, which cannot watch a raw fd (the fd is
     *     left open: it still belongs to the caller)
     */
    public Flow adoptDevice(int fd, String name) {
        Objects.requireNonNull(name, "name");
        SocketFlow flow = SocketFlow.accepted(transport, transport.adoptDevice(fd, name));
        // a device's flow is a client of its driver: it keeps reading (see FlowOptions)
        flow.setFlowOptions(flow.flowOptions().withoutReadPause());
        return flow;
    }

    /**
     * Opens a UDP socket bound to {@code address} (port 0 picks a free port).
     *
     * @throws dev.weft.unix.ErrnoException if the socket cannot be made or bound
     */
    public UdpSocket bindUdp(SocketAddress address) {
        Endpoint endpoint = transport.openDatagram(address);
        try {
            return new UdpSocket(transport, endpoint);
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }
}
