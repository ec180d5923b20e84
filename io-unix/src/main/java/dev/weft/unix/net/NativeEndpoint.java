package dev.weft.unix.net;

import dev.weft.unix.ErrnoException;
import dev.weft.unix.socket.Datagram;
import dev.weft.unix.socket.NativeSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/**
 * An {@link Endpoint} on a {@link NativeSocket}, for the epoll engine: the source is the fd.
 * Loop thread only. Single-buffer writes use {@code send} rather than {@code writev}, the
 * common case for small responses.
 *
 * <p>A single buffer goes to {@code send}, a critical call that takes a heap segment
 * ({@code MemorySegment.ofArray}) as it is, when it holds at most {@value #BOUNCE_BYTES} bytes.
 * {@code writev} takes native memory only, so a gather holding a heap segment, and a larger heap
 * segment, is copied through a per-thread native bounce buffer first, up to {@value
 * #BOUNCE_BYTES} bytes per call, as before heap segments were sent directly: a large heap write
 * then goes to the kernel in parts and queues, which arms the flow's write timeout (a write the
 * kernel takes whole arms none; see {@link SocketFlow}). Native segments go to the kernel as
 * they are.
 */
record NativeEndpoint(NativeSocket socket) implements Endpoint {

    static final int BOUNCE_BYTES = 64 * 1024;
    private static final ThreadLocal<MemorySegment> BOUNCE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(BOUNCE_BYTES, 64));

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
        if (count == 1 && (buffers[offset].isNative() || buffers[offset].byteSize() <= BOUNCE_BYTES)) {
            return socket.write(buffers[offset]); // send is a critical call: it takes heap segments as they are
        }
        if (!allNative(buffers, offset, count)) {
            return socket.write(bounce(buffers, offset, count));
        }
        return socket.writev(buffers, offset, count);
    }

    /** Whether every buffer of the gather is native memory, which the kernel can be handed as it is. */
    static boolean allNative(MemorySegment[] buffers, int offset, int count) {
        for (int i = offset; i < offset + count; i++) {
            if (!buffers[i].isNative()) {
                return false;
            }
        }
        return true;
    }

    /** Copies the start of the gathered data into this thread's bounce buffer (the kernel takes native memory only). */
    static MemorySegment bounce(MemorySegment[] buffers, int offset, int count) {
        MemorySegment bounce = BOUNCE.get();
        long filled = 0;
        for (int i = offset; i < offset + count && filled < BOUNCE_BYTES; i++) {
            long n = Math.min(buffers[i].byteSize(), BOUNCE_BYTES - filled);
            MemorySegment.copy(buffers[i], 0, bounce, filled, n);
            filled += n;
        }
        return bounce.asSlice(0, filled);
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
        if (!buffer.isNative()) {
            if (buffer.byteSize() > BOUNCE_BYTES) {
                throw new IllegalArgumentException("a datagram from heap memory is limited to " + BOUNCE_BYTES
                        + " bytes, was " + buffer.byteSize());
            }
            MemorySegment bounce = BOUNCE.get();
            MemorySegment.copy(buffer, 0, bounce, 0, buffer.byteSize());
            return socket.sendTo(bounce.asSlice(0, buffer.byteSize()), target);
        }
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
    public long unacknowledgedBytes() {
        try {
            return socket.unacknowledgedBytes();
        } catch (ErrnoException broken) {
            return -1; // the next read or write reports it
        }
    }

    @Override
    public void resetOnClose() {
        socket.setOption(StandardSocketOptions.SO_LINGER, 0);
    }

    @Override
    public void close() {
        socket.close();
    }
}
