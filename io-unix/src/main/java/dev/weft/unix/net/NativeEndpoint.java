package dev.weft.unix.net;

import dev.weft.unix.socket.Datagram;
import dev.weft.unix.socket.NativeSocket;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * An {@link Endpoint} on a {@link NativeSocket}, for the epoll engine: the source is the fd.
 * Loop thread only. Single-buffer writes use {@code send} rather than {@code writev}, the
 * common case for small responses.
 */
record NativeEndpoint(NativeSocket socket) implements Endpoint {

    @Override
    public int source() {
        return socket.fd();
    }

    @Override
    public void bind(SocketAddress address, int backlog) {
        socket.bind(address);
        if (backlog >= 0) {
            socket.listen(backlog);
        }
    }

    @Override
    public int read(MemorySegment buffer) {
        return socket.read(buffer);
    }

    @Override
    public long write(MemorySegment[] buffers, int offset, int count) {
        return count == 1 ? socket.write(buffers[offset]) : socket.writev(buffers, offset, count);
    }

    @Override
    public Endpoint accept() {
        NativeSocket accepted = socket.accept();
        return accepted == null ? null : new NativeEndpoint(accepted);
    }

    @Override
    public boolean connect(SocketAddress address) {
        return socket.connect(address);
    }

    @Override
    public boolean finishConnect() {
        socket.finishConnect();
        return true;
    }

    @Override
    public int sendTo(MemorySegment buffer, SocketAddress target) {
        return socket.sendTo(buffer, target);
    }

    @Override
    public SocketAddress receiveFrom(MemorySegment buffer, int[] length) {
        Datagram datagram = socket.receiveFrom(buffer);
        if (datagram == null) {
            return null;
        }
        length[0] = datagram.length();
        return datagram.sender();
    }

    @Override
    public void shutdownOutput() {
        socket.shutdownOutput();
    }

    @Override
    public void shutdownInput() {
        socket.shutdownInput();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {
        socket.setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) {
        return socket.getOption(option);
    }

    @Override
    public SocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
