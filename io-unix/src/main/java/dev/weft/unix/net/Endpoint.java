package dev.weft.unix.net;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * One socket as the flows see it: the non-blocking system calls of one backend (native fds for
 * epoll, java.nio channels for the NIO engine), so that {@link SocketFlow}, {@link TcpListener}
 * and {@link UdpSocket} are written once for both. {@link DeviceEndpoint} puts a pollable
 * non-socket fd (a character device, a pipe) behind the same calls, so a {@link SocketFlow}
 * serves it too.
 *
 * <p>Threading: loop thread only. Every call returns at once; "would block" is a result
 * ({@code 0}, {@code null}), never an exception, and every failure is an
 * {@link dev.weft.unix.ErrnoException} (a {@link dev.weft.unix.ConnectionException} when the peer
 * or the network is the cause), whichever backend made it.
 */
sealed interface Endpoint permits NativeEndpoint, NioEndpoint, DeviceEndpoint {

    /**
     * The failure of {@code call} on a socket its owner has closed: EBADF, as the kernel answers
     * for a closed fd. Owners refuse such calls themselves rather than make them: on epoll the fd
     * number is free after close and the kernel hands it to the next socket or file opened, so
     * the call would reach another connection.
     */
    static ErrnoException closedSocket(String call, Object owner) {
        return ErrnoException.of(call, owner + ": it is closed", Errno.EBADF.number());
    }

    /** The engine source this socket is registered under: its fd, or its NIO attachment id. */
    int source();

    /** Binds to {@code address} and, for a stream socket ({@code backlog >= 0}), starts listening. */
    void bind(SocketAddress address, int backlog);

    /** Reads into {@code buffer}: bytes read, {@code 0} if none now, {@code -1} at end of stream. */
    int read(MemorySegment buffer);

    /** Writes {@code count} buffers from {@code offset} on, gathered: bytes taken, {@code 0} if none. */
    long write(MemorySegment[] buffers, int offset, int count);

    /** Takes a pending connection (non-blocking, not yet registered), or {@code null} if none. */
    Endpoint accept();

    /** Starts connecting: {@code true} if connected already, {@code false} if in progress. */
    boolean connect(SocketAddress address);

    /** After writability, ends a connect in progress: {@code true} if connected, throws if it failed. */
    boolean finishConnect();

    /** Sends one datagram: bytes sent, or {@code 0} if the send buffer is full. */
    int sendTo(MemorySegment buffer, SocketAddress target);

    /**
     * Receives one datagram into {@code buffer}; its length goes to {@code length[0]}.
     *
     * @return the sender, or {@code null} if nothing is waiting
     */
    SocketAddress receiveFrom(MemorySegment buffer, int[] length);

    /** Sends FIN after the data already written. */
    void shutdownOutput();

    /** Stops reading. */
    void shutdownInput();

    /** Sets a socket option. */
    <T> void setOption(SocketOption<T> option, T value);

    /** Reads a socket option. */
    <T> T getOption(SocketOption<T> option);

    /** The bound address. */
    SocketAddress localAddress();

    /** The connected peer's address. */
    SocketAddress remoteAddress();

    /**
     * Bytes written that the peer has not acknowledged yet (SIOCOUTQ), or {@code -1} where this
     * backend cannot tell (NIO, devices, Unix sockets, an architecture whose SIOCOUTQ is not
     * known) or the socket is already broken.
     */
    long unacknowledgedBytes();

    /** Makes {@link #close()} reset the connection (SO_LINGER 0) instead of sending FIN behind the unsent data. */
    void resetOnClose();

    /** Closes the socket; unregister it from the engine first. Idempotent. */
    void close();
}
