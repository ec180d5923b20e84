package dev.weft.unix.net;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.unix.buffer.BufferPool;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.unix.libc.Scratch;
import dev.weft.unix.nio.NioEngine;
import dev.weft.unix.socket.NativeSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the socket classes share on one loop: the loop they register with, the backend that opens
 * sockets for the loop's engine (native fds for epoll, channels for NIO), and the read-buffer
 * pool. Loop thread only.
 */
final class Transport {

    /**
     * Debug mode ({@code -Dweft.debug=true}): the sockets describe what each promise they leave
     * pending waits on (the socket and the readiness it needs), for the loop's {@code dumpPending()}.
     */
    static final boolean DEBUG = Boolean.getBoolean("weft.debug");

    final Loop loop;
    /**
     * Scratch for gathering writes: filled, written and cleared within one call, so one array
     * serves every socket of the loop.
     */
    final MemorySegment[] gather = new MemorySegment[Scratch.IOVEC_COUNT];
    /** The NIO engine channels are attached to, or {@code null} on epoll (sources are fds). */
    private final NioEngine nio;
    private final BufferPool pool;
    /** The water marks and write timeout of the flows made from now on. */
    final FlowOptions flowOptions;
    /** Bytes queued in every flow's write queue, and the most there ever were. */
    private long queuedBytes;
    private long peakQueuedBytes;
    /** Times a flow went over its high-water mark, and flows closed by their write timeout. */
    long readPauses;
    long writeTimeouts;
    /** The last slice {@link #chunk} made, and the buffer it is a slice of. */
    private MemorySegment chunk;
    private MemorySegment chunkFrom;
    /** Every registered socket and how to close it, so that the loop's exit closes what is left. */
    private final Map<Endpoint, Runnable> open = new HashMap<>();
    /** The loop's exit has closed every socket: one registered after that would never be closed. */
    private boolean closedAtExit;

    /**
     * The loop's thread: the only one this transport's sockets may be used on. A Transport is made
     * on it ({@link Sockets#on} binds the loop to its caller, or refuses a caller that is not the
     * loop's thread), and a loop's thread never changes once bound, so a plain final field serves.
     */
    private final Thread owner;

    Transport(Loop loop, BufferPool pool, FlowOptions flowOptions) {
        this.owner = Thread.currentThread();
        this.loop = loop;
        this.pool = pool;
        this.flowOptions = flowOptions;
        this.nio = nioEngineOf(loop);
    }

    /**
     * The loop's engine if it is NIO, {@code null} if it is epoll (sockets are then native fds).
     *
     * @throws UnsupportedEngineException if it is neither: it cannot watch sockets
     */
    static NioEngine nioEngineOf(Loop loop) {
        Engine engine = loop.engine();
        return switch (engine) {
            case NioEngine nioEngine -> nioEngine;
            case EpollEngine _ -> null;
            default -> throw new UnsupportedEngineException(loop, engine);
        };
    }

    /**
     * Refuses a call that changes a socket's state (read, write, shutdown, close, accept) from a
     * thread other than the loop's, before it touches anything. Always on, not only in debug
     * mode: such a call would race the loop thread on the socket's queues and buffers without a
     * trace, and a close could let the kernel give the fd's number to another file under a read
     * in progress. The cost is one compare of the current thread with a final field, the throw
     * kept out of line so that the check inlines (docs/performance.md, "Wrong-thread checks").
     *
     * @throws WrongThreadException naming the call, the socket, the loop's thread and the caller's
     */
    void requireLoopThread(String operation, Object socket) {
        if (Thread.currentThread() != owner) {
            throw wrongThread(operation, socket);
        }
    }

    private WrongThreadException wrongThread(String operation, Object socket) {
        return new WrongThreadException(operation + " on " + socket + " called from thread \""
                + Thread.currentThread().getName() + "\", but the socket belongs to loop " + loop.name()
                + " on thread \"" + owner.getName() + "\"; nothing was done. From another thread, hand the call"
                + " to the loop (Loop.execute or Loop.submit)");
    }

    /** An unconnected stream socket of {@code remote}'s family, not yet registered. */
    Endpoint openStream(SocketAddress remote) {
        ProtocolFamily family = familyOf(remote);
        if (nio == null) {
            return new NativeEndpoint(NativeSocket.stream(family));
        }
        try {
            return new NioEndpoint(SocketChannel.open(family));
        } catch (IOException e) {
            throw NioErrors.translate("socket", family, e);
        }
    }

    /** A listening stream socket bound to {@code address}, not yet registered. */
    Endpoint openListener(SocketAddress address, ListenOptions options) {
        ProtocolFamily family = familyOf(address);
        Endpoint endpoint;
        if (nio == null) {
            endpoint = new NativeEndpoint(NativeSocket.stream(family));
        } else {
            try {
                endpoint = new NioEndpoint(ServerSocketChannel.open(family));
            } catch (IOException e) {
                throw NioErrors.translate("socket", family, e);
            }
        }
        try {
            if (family != StandardProtocolFamily.UNIX) {
                endpoint.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                if (options.reusePort()) {
                    endpoint.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
            }
            endpoint.bind(address, options.backlog());
            return endpoint;
        } catch (RuntimeException e) {
            closeAfterFailure(endpoint, e);
            throw e;
        }
    }

    /** A flow's queued bytes changed by {@code delta}. */
    void queuedBytes(long delta) {
        queuedBytes += delta;
        if (queuedBytes > peakQueuedBytes) {
            peakQueuedBytes = queuedBytes;
        }
    }

    long queuedBytes() {
        return queuedBytes;
    }

    long peakQueuedBytes() {
        return peakQueuedBytes;
    }

    /**
     * A spare fd for a listener, in the process's {@link FdReserve}, to give back when the process
     * runs out (see {@link TcpListener}); the listener removes it when it closes.
     */
    SpareDescriptor spareDescriptor() {
        return FdReserve.PROCESS.add(nio != null);
    }

    /**
     * A pollable non-socket fd behind the endpoint calls, not yet registered.
     *
     * @throws IllegalStateException on the NIO engine, which can only watch java.nio channels
     */
    Endpoint adoptDevice(int fd, String name) {
        if (nio != null) {
            throw new IllegalStateException(name + " (fd=" + fd + ") needs the epoll engine: the NIO engine"
                    + " can only watch java.nio channels, not a raw fd");
        }
        return new DeviceEndpoint(fd, name);
    }

    /**
     * {@code endpoint}, accepted unregistered on another loop, if this loop's engine can watch
     * it; closed otherwise.
     *
     * @throws IllegalArgumentException if it comes from the other kind of engine
     */
    Endpoint checkAdoptable(Endpoint endpoint) {
        if (endpoint instanceof NativeEndpoint == (nio == null)) {
            return endpoint;
        }
        endpoint.close();
        throw new IllegalArgumentException("a connection accepted on a " + (nio == null ? "NIO" : "epoll")
                + " loop cannot be adopted by a " + (nio == null ? "epoll" : "NIO")
                + " loop; give every loop of the group the same engine kind (it was closed)");
    }

    /** A datagram socket bound to {@code address}, not yet registered. */
    Endpoint openDatagram(SocketAddress address) {
        ProtocolFamily family = familyOf(address);
        Endpoint endpoint;
        if (nio == null) {
            endpoint = new NativeEndpoint(NativeSocket.datagram(family));
        } else {
            try {
                endpoint = new NioEndpoint(DatagramChannel.open(family));
            } catch (IOException e) {
                throw NioErrors.translate("socket", family, e);
            }
        }
        try {
            endpoint.bind(address, -1);
            return endpoint;
        } catch (RuntimeException e) {
            closeAfterFailure(endpoint, e);
            throw e;
        }
    }

    /**
     * Registers {@code endpoint} with the loop, interested in nothing yet; {@code closer} is how
     * {@link #closeAll()} closes its owner.
     *
     * @throws LoopClosed once {@link #closeAll()} ran (the caller closes the endpoint)
     */
    void register(Endpoint endpoint, Engine.ReadyHandler handler, Runnable closer) {
        if (closedAtExit) {
            // a callback of a socket closeAll closed (a client that reconnects, say), or a later exit hook
            throw new LoopClosed(loop.name(), "opening a socket after the loop's exit closed every socket");
        }
        if (endpoint instanceof NioEndpoint channel) {
            channel.attach(nio);
        }
        loop.register(endpoint.source(), 0, handler);
        open.put(endpoint, closer);
    }

    /**
     * Unregisters and closes a registered endpoint (in that order, as the engine requires). On NIO
     * the channel is closed at the loop's next poll, once the Selector has let go of it, so that
     * its fd is free by the time its peer sees the close, as on epoll.
     */
    void close(Endpoint endpoint) {
        open.remove(endpoint);
        try {
            loop.unregister(endpoint.source());
        } finally {
            if (endpoint instanceof NioEndpoint channel) {
                channel.closeOnceDeregistered(nio);
            } else {
                endpoint.close();
            }
        }
    }

    /**
     * Closes every socket still open, as their owners' {@code close()} would, and refuses to
     * register any more: the callbacks those closes run may open sockets, which nothing would close.
     */
    void closeAll() {
        closedAtExit = true;
        for (Runnable closer : List.copyOf(open.values())) {
            closer.run();
        }
    }

    /** A read buffer: a pooled slab, or, when the pool is exhausted, a fresh one the GC frees. */
    MemorySegment acquireBuffer() {
        MemorySegment buffer = pool.tryAcquire();
        return buffer != null ? buffer : Arena.ofAuto().allocate(pool.bufferSize(), 64);
    }

    /**
     * Gives back a buffer {@link #acquireBuffer()} returned; a fresh one is left to the GC (and
     * {@link #chunk} keeps no slice of it).
     *
     * @return whether it went back to the pool
     */
    boolean releaseBuffer(MemorySegment buffer) {
        if (pool.owns(buffer)) {
            pool.release(buffer);
            return true;
        }
        if (chunkFrom == buffer) {
            chunk = null;
            chunkFrom = null;
        }
        return false;
    }

    /**
     * The first {@code n} bytes of {@code buffer}, a read buffer, as a callback read hands them to
     * its handler: the slice made last time if it was of the same buffer and length, else a new
     * one. One slice serves every flow of the loop: the pool hands its most recently released slab
     * to the next reader, so a loop echoing equal messages on many connections lends the same
     * slice over and over, and it stays in the cache where one slice per flow would be cold by
     * that flow's next chunk. A slice is an immutable view, so sharing it changes nothing anyone
     * can see ({@link dev.weft.loop.device.Flow.Data} allows it).
     */
    MemorySegment chunk(MemorySegment buffer, int n) {
        MemorySegment last = chunk;
        if (chunkFrom != buffer || last.byteSize() != n) {
            last = buffer.asSlice(0, n);
            chunk = last;
            chunkFrom = buffer;
        }
        return last;
    }

    private static void closeAfterFailure(Endpoint endpoint, RuntimeException failure) {
        try {
            endpoint.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    static ProtocolFamily familyOf(SocketAddress address) {
        return switch (address) {
            case UnixDomainSocketAddress unix -> StandardProtocolFamily.UNIX;
            case InetSocketAddress inet when inet.getAddress() instanceof Inet6Address -> StandardProtocolFamily.INET6;
            case InetSocketAddress inet -> StandardProtocolFamily.INET;
            default -> throw new IllegalArgumentException("unsupported address type: " + address.getClass().getName());
        };
    }
}
