package dev.weft.unix.socket;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import dev.weft.unix.libc.NonBlocking;
import dev.weft.unix.libc.Scratch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;

/**
 * A non-blocking socket file descriptor (TCP, UDP or Unix domain; IPv4 or IPv6) with the calls a
 * loop makes on it, none of which ever blocks.
 *
 * <p><b>Threading: not thread-safe; use a socket from its loop's thread only.</b> In particular,
 * closing it while another thread reads would let the kernel reuse the fd number under that read.
 * It does not check the thread itself: it belongs to no loop (a connection accepted on one loop's
 * thread is handed to another's, see {@code TcpListener.acceptUnregistered}), so it has no owner to
 * compare with. The socket types that wrap it for a loop ({@code SocketFlow}, {@code TcpListener},
 * {@code UdpSocket}) check every state-changing call against their loop's thread, always.
 *
 * <p>Calls that would block say so in their result rather than by exception, following
 * {@link java.nio.channels.SocketChannel}: {@link #read} returns {@code 0} (and {@code -1} at end
 * of stream), {@link #write} returns {@code 0}, {@link #accept} returns {@code null}. Wait for the
 * fd's readiness in an {@link dev.weft.loop.Engine} and call again. Every other failure throws an
 * {@link ErrnoException} naming the call, the fd and the errno; failures caused by the peer or the
 * network are {@link dev.weft.unix.ConnectionException}s.
 *
 * <p>Writes never raise SIGPIPE: {@link #write} passes MSG_NOSIGNAL, and for {@link #writev} the
 * JVM already ignores SIGPIPE, so a write to a closed peer fails with EPIPE.
 *
 * <p><b>After {@link #close()}</b> every call but {@code close()} (idempotent), {@link #fd()} and
 * {@code toString()} throws an {@link ErrnoException} with {@link Errno#EBADF} whose message says
 * the socket is closed, without making the system call: the kernel hands a closed fd's number to
 * the next file opened, and a call on the stale number would act on that file instead.
 */
public final class NativeSocket implements AutoCloseable {

    private static final int NONBLOCKING = Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC;

    private final int fd;
    private final int family;
    private boolean closed;

    private NativeSocket(int fd, int family) {
        this.fd = fd;
        this.family = family;
    }

    /**
     * Opens a non-blocking stream socket: TCP for {@code INET}/{@code INET6}, a Unix stream
     * socket for {@code UNIX}.
     *
     * @throws ErrnoException if the kernel refuses (EMFILE, or EAFNOSUPPORT without IPv6)
     */
    public static NativeSocket stream(ProtocolFamily family) {
        return open(family, Libc.SOCK_STREAM);
    }

    /**
     * Opens a non-blocking datagram socket: UDP for {@code INET}/{@code INET6}, a Unix datagram
     * socket for {@code UNIX}.
     *
     * @throws ErrnoException if the kernel refuses
     */
    public static NativeSocket datagram(ProtocolFamily family) {
        return open(family, Libc.SOCK_DGRAM);
    }

    /**
     * The file descriptor, to register with an engine. Valid until {@link #close()}; after it, the
     * number the socket had (for messages only: the kernel may have given it to another file).
     */
    public int fd() {
        return fd;
    }

    /**
     * Binds the socket to a local address (port 0 picks a free port; see {@link #localAddress()}).
     *
     * @throws ErrnoException for example EADDRINUSE
     */
    public void bind(SocketAddress address) {
        ensureOpen("bind");
        Scratch scratch = Scratch.current();
        int length = SocketAddresses.encode(address, family, scratch.sockaddr);
        check(Libc.bind(fd, scratch.sockaddr, length), "bind", address);
    }

    /** Starts accepting connections, with at most {@code backlog} waiting to be accepted. */
    public void listen(int backlog) {
        ensureOpen("listen");
        check(Libc.listen(fd, backlog), "listen", "backlog=" + backlog);
    }

    /**
     * Takes one pending connection, already non-blocking. To drain the queue on one readiness
     * event, call until it returns {@code null}.
     *
     * @return the connection, or {@code null} if none is pending (EAGAIN)
     * @throws ErrnoException for example EMFILE when the process is out of fds
     */
    public NativeSocket accept() {
        ensureOpen("accept4");
        while (true) {
            int accepted = Libc.accept4(fd, MemorySegment.NULL, MemorySegment.NULL, NONBLOCKING);
            if (accepted >= 0) {
                return new NativeSocket(accepted, family);
            }
            if (accepted == -Errno.EAGAIN.number()) {
                return null;
            }
            // A connection reset while still queued: skip it, the next one may be fine.
            if (accepted != -Errno.ECONNABORTED.number() && accepted != -Errno.EINTR.number()) {
                throw ErrnoException.of("accept4", "fd=" + fd, -accepted);
            }
        }
    }

    /**
     * Starts connecting. If it returns {@code false}, wait for the fd to be writable, then call
     * {@link #finishConnect()}.
     *
     * @return {@code true} if already connected (usual for Unix sockets), {@code false} if in progress
     * @throws ErrnoException if the connect failed at once, e.g. ECONNREFUSED
     */
    public boolean connect(SocketAddress address) {
        ensureOpen("connect");
        Scratch scratch = Scratch.current();
        int length = SocketAddresses.encode(address, family, scratch.sockaddr);
        int r = Libc.connect(fd, scratch.sockaddr, length);
        if (r == 0) {
            return true;
        }
        if (r == -Errno.EINPROGRESS.number()) {
            return false;
        }
        throw ErrnoException.of("connect", "fd=" + fd + ", " + address, -r);
    }

    /**
     * Reports how a connect that {@link #connect} left in progress ended, once the fd is writable.
     *
     * @throws ErrnoException (usually a {@link dev.weft.unix.ConnectionException}) if it failed
     */
    public void finishConnect() {
        ensureOpen("connect");
        int error = getInt(Libc.SOL_SOCKET, Libc.SO_ERROR, "SO_ERROR");
        if (error != 0) {
            throw ErrnoException.of("connect", "fd=" + fd + " (SO_ERROR)", error);
        }
    }

    /**
     * Reads into {@code buffer} from its start; the buffer may be native memory or a heap
     * segment (a {@code byte[]}'s), which the call fills directly.
     *
     * @return bytes read; {@code 0} if nothing is available now; {@code -1} at end of stream
     */
    public int read(MemorySegment buffer) {
        ensureOpen("recv");
        // recv with MSG_DONTWAIT: a critical call, cheaper than read(2) and unable to block.
        long r = Libc.recv_dontwait(fd, buffer, buffer.byteSize(), 0);
        return (int) NonBlocking.read(r, buffer.byteSize() == 0, "recv", null, fd);
    }

    /**
     * Writes from {@code buffer}, all of it if the kernel has room; the buffer may be native
     * memory or a heap segment.
     *
     * @return bytes written; {@code 0} if the send buffer is full
     */
    public int write(MemorySegment buffer) {
        ensureOpen("send");
        long r = Libc.send_dontwait(fd, buffer, buffer.byteSize(), Libc.MSG_NOSIGNAL);
        return (int) NonBlocking.write(r, "send", null, fd);
    }

    /**
     * Writes {@code count} buffers from {@code buffers[offset]} on, in order, in one system call
     * (at most {@value Scratch#IOVEC_COUNT} buffers per call).
     *
     * @return bytes written, possibly fewer than all; {@code 0} if the send buffer is full
     */
    public long writev(MemorySegment[] buffers, int offset, int count) {
        ensureOpen("writev");
        Scratch scratch = Scratch.current();
        int n = scratch.fillIovecs(buffers, offset, count);
        long r = Libc.writev(fd, scratch.iovecs, n);
        return NonBlocking.write(r, "writev", null, fd);
    }

    /**
     * Reads into {@code count} buffers from {@code buffers[offset]} on, filling each before the
     * next, in one system call (at most {@value Scratch#IOVEC_COUNT} buffers per call).
     *
     * @return bytes read; {@code 0} if nothing is available now; {@code -1} at end of stream
     */
    public long readv(MemorySegment[] buffers, int offset, int count) {
        ensureOpen("readv");
        Scratch scratch = Scratch.current();
        int n = scratch.fillIovecs(buffers, offset, count);
        long r = Libc.readv(fd, scratch.iovecs, n);
        return NonBlocking.read(r, n == 0, "readv", null, fd);
    }

    /**
     * Sends one datagram to {@code target}.
     *
     * @return bytes sent, or {@code 0} if the send buffer is full
     */
    public int sendTo(MemorySegment buffer, SocketAddress target) {
        ensureOpen("sendto");
        Scratch scratch = Scratch.current();
        int length = SocketAddresses.encode(target, family, scratch.sockaddr);
        long r = Libc.sendto(fd, buffer, buffer.byteSize(), Libc.MSG_NOSIGNAL, scratch.sockaddr, length);
        return (int) NonBlocking.write(r, "sendto", null, fd);
    }

    /**
     * Takes one datagram into {@code buffer} (truncating what does not fit).
     *
     * @return its length and sender, or {@code null} if none is waiting
     */
    public Datagram receiveFrom(MemorySegment buffer) {
        ensureOpen("recvfrom");
        Scratch scratch = Scratch.current();
        scratch.length.set(ValueLayout.JAVA_INT, 0, Scratch.SOCKADDR_BYTES);
        long r = Libc.recvfrom(fd, buffer, buffer.byteSize(), 0, scratch.sockaddr, scratch.length);
        if (r < 0) {
            NonBlocking.wouldBlock(r, "recvfrom", null, fd);
            return null;
        }
        return new Datagram((int) r, SocketAddresses.decode(scratch.sockaddr, scratch.length.get(ValueLayout.JAVA_INT, 0)));
    }

    /** Sends FIN: the peer reads end of stream; this side can still read. */
    public void shutdownOutput() {
        ensureOpen("shutdown");
        check(Libc.shutdown(fd, Libc.SHUT_WR), "shutdown", "SHUT_WR");
    }

    /** Stops reading; further reads see end of stream. */
    public void shutdownInput() {
        ensureOpen("shutdown");
        check(Libc.shutdown(fd, Libc.SHUT_RD), "shutdown", "SHUT_RD");
    }

    /** The address the socket is bound to (the chosen port after binding port 0). */
    public SocketAddress localAddress() {
        ensureOpen("getsockname");
        Scratch scratch = Scratch.current();
        scratch.length.set(ValueLayout.JAVA_INT, 0, Scratch.SOCKADDR_BYTES);
        check(Libc.getsockname(fd, scratch.sockaddr, scratch.length), "getsockname", "");
        return SocketAddresses.decode(scratch.sockaddr, scratch.length.get(ValueLayout.JAVA_INT, 0));
    }

    /** The address of the connected peer. */
    public SocketAddress remoteAddress() {
        ensureOpen("getpeername");
        Scratch scratch = Scratch.current();
        scratch.length.set(ValueLayout.JAVA_INT, 0, Scratch.SOCKADDR_BYTES);
        check(Libc.getpeername(fd, scratch.sockaddr, scratch.length), "getpeername", "");
        return SocketAddresses.decode(scratch.sockaddr, scratch.length.get(ValueLayout.JAVA_INT, 0));
    }

    /**
     * Sets an option. Supported: {@link StandardSocketOptions#TCP_NODELAY},
     * {@code SO_REUSEADDR}, {@code SO_REUSEPORT}, {@code SO_KEEPALIVE}, {@code SO_SNDBUF},
     * {@code SO_RCVBUF}, and {@code SO_LINGER} (seconds; negative turns lingering off).
     *
     * @throws UnsupportedOperationException for any other option
     */
    public <T> void setOption(SocketOption<T> option, T value) {
        ensureOpen("setsockopt");
        SocketOptionCodes code = SocketOptionCodes.of(option);
        MemorySegment slot = Scratch.current().option;
        int length = code.encode(value, slot);
        int r = Libc.setsockopt(fd, code.level(), code.optname(), slot, length);
        check(r, "setsockopt", code.name() + "=" + value);
    }

    /**
     * Reads an option; the same options as {@link #setOption}.
     *
     * @throws UnsupportedOperationException for any other option
     */
    public <T> T getOption(SocketOption<T> option) {
        ensureOpen("getsockopt");
        SocketOptionCodes code = SocketOptionCodes.of(option);
        Scratch scratch = Scratch.current();
        scratch.length.set(ValueLayout.JAVA_INT, 0, 8);
        check(Libc.getsockopt(fd, code.level(), code.optname(), scratch.option, scratch.length), "getsockopt", code.name());
        return option.type().cast(code.decode(scratch.option));
    }

    /**
     * Bytes written to this TCP socket that the peer has not acknowledged yet, whether the kernel
     * sent them or still holds them ({@code ioctl(SIOCOUTQ)}; one system call), or {@code -1} on a
     * Unix socket, where the kernel answers the send buffer's memory in use rather than bytes,
     * and on an architecture whose SIOCOUTQ number {@link Libc#SIOCOUTQ} does not know (no call).
     *
     * @throws ErrnoException if the kernel refuses (EINVAL on a listening socket)
     */
    public int unacknowledgedBytes() {
        ensureOpen("ioctl");
        if (family == Libc.AF_UNIX || Libc.SIOCOUTQ < 0) {
            return -1;
        }
        MemorySegment count = Scratch.current().option;
        check(Libc.ioctl(fd, Libc.SIOCOUTQ, count), "ioctl", "SIOCOUTQ");
        return count.get(ValueLayout.JAVA_INT, 0);
    }

    /**
     * Closes the fd; idempotent: a second call does nothing (it never closes the number again,
     * which may belong to another file by then). Unregister the fd from its engine first.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // On Linux the fd is gone whatever close returns (even EINTR), so there is nothing to retry.
        check(Libc.close(fd), "close", "");
    }

    @Override
    public String toString() {
        return "NativeSocket[fd=" + fd + (closed ? ", closed]" : "]");
    }

    private static NativeSocket open(ProtocolFamily family, int type) {
        int domain = domain(family);
        int fd = Libc.socket(domain, type | NONBLOCKING, 0);
        if (fd < 0) {
            throw ErrnoException.of("socket", family + ", " + (type == Libc.SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM"), -fd);
        }
        return new NativeSocket(fd, domain);
    }

    private static int domain(ProtocolFamily family) {
        if (!(family instanceof StandardProtocolFamily standard)) {
            throw new UnsupportedOperationException("unsupported protocol family " + family);
        }
        return switch (standard) {
            case INET -> Libc.AF_INET;
            case INET6 -> Libc.AF_INET6;
            case UNIX -> Libc.AF_UNIX;
        };
    }

    private int getInt(int level, int name, String cName) {
        Scratch scratch = Scratch.current();
        scratch.length.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
        check(Libc.getsockopt(fd, level, name, scratch.option, scratch.length), "getsockopt", cName);
        return scratch.option.get(ValueLayout.JAVA_INT, 0);
    }

    /**
     * Refuses {@code call} on a closed socket before it reaches the kernel: the fd number may
     * already name another file, which the call would read, write or reconfigure.
     */
    private void ensureOpen(String call) {
        if (closed) {
            throw new ErrnoException(call, "fd=" + fd + ": the socket is closed", Errno.EBADF.number());
        }
    }

    /** Returns 0 for EAGAIN, throws for anything else. */
    private void check(int result, String call, Object detail) {
        if (result < 0) {
            String shown = detail.toString();
            throw ErrnoException.of(call, shown.isEmpty() ? "fd=" + fd : "fd=" + fd + ", " + shown, -result);
        }
    }
}
