package dev.weft.unix.net;

import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import dev.weft.unix.libc.NonBlocking;
import dev.weft.unix.libc.Scratch;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * An {@link Endpoint} on a pollable file descriptor that is not a socket: a character device
 * ({@code /dev/xen/xenbus}, a tty) or a pipe. Reads and writes are plain {@code read(2)},
 * {@code write(2)} and {@code writev(2)}; everything that only a socket has (addresses, options,
 * connecting) is refused with {@link UnsupportedOperationException}. Loop thread only.
 *
 * <p>The fd must be non-blocking, or a read with nothing to return would stall the loop.
 */
final class DeviceEndpoint implements Endpoint {

    private final int fd;
    private final String name;
    private boolean closed;

    DeviceEndpoint(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    @Override
    public int source() {
        return fd;
    }

    @Override
    public int read(MemorySegment buffer) {
        long r = Libc.read(fd, buffer, buffer.byteSize());
        return (int) NonBlocking.read(r, buffer.byteSize() == 0, "read", name, fd);
    }

    @Override
    public long write(MemorySegment[] buffers, int offset, int count) {
        long r;
        if (!NativeEndpoint.allNative(buffers, offset, count)) {
            MemorySegment bounce = NativeEndpoint.bounce(buffers, offset, count);
            r = Libc.write(fd, bounce, bounce.byteSize());
        } else if (count == 1) {
            r = Libc.write(fd, buffers[offset], buffers[offset].byteSize());
        } else {
            Scratch scratch = Scratch.current();
            r = Libc.writev(fd, scratch.iovecs, scratch.fillIovecs(buffers, offset, count));
        }
        return NonBlocking.write(r, "write", name, fd);
    }

    /** A device has no half-close: the flow refuses further writes by itself. */
    @Override
    public void shutdownOutput() {}

    /** A device has no half-close: the flow ends its reads by itself. */
    @Override
    public void shutdownInput() {}

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            int r = Libc.close(fd);
            if (r < 0) {
                throw ErrnoException.of("close", name + ", fd=" + fd, -r);
            }
        }
    }

    @Override
    public void bind(SocketAddress address, int backlog) {
        throw notASocket("bind");
    }

    @Override
    public Endpoint accept() {
        throw notASocket("accept");
    }

    @Override
    public boolean connect(SocketAddress address) {
        throw notASocket("connect");
    }

    @Override
    public boolean finishConnect() {
        throw notASocket("connect");
    }

    @Override
    public int sendTo(MemorySegment buffer, SocketAddress target) {
        throw notASocket("sendto");
    }

    @Override
    public SocketAddress receiveFrom(MemorySegment buffer, int[] length) {
        throw notASocket("recvfrom");
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {
        throw notASocket("setsockopt");
    }

    @Override
    public <T> T getOption(SocketOption<T> option) {
        throw notASocket("getsockopt");
    }

    @Override
    public SocketAddress localAddress() {
        throw notASocket("getsockname");
    }

    @Override
    public SocketAddress remoteAddress() {
        throw notASocket("getpeername");
    }

    @Override
    public long unacknowledgedBytes() {
        return -1;
    }

    /** Nothing to reset: a device or pipe has no connection, its close is all there is. */
    @Override
    public void resetOnClose() {
    }

    private UnsupportedOperationException notASocket(String call) {
        return new UnsupportedOperationException(call + " on " + name + " (fd=" + fd + "): a device, not a socket");
    }

    @Override
    public String toString() {
        return name + "[fd=" + fd + (closed ? ", closed]" : "]");
    }
}
