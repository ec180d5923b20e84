package dev.weft.unix.net;

import dev.weft.unix.nio.NioEngine;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * An {@link Endpoint} on a java.nio channel for the {@link NioEngine}: the source is the id the
 * engine gives the channel when it is {@linkplain #attach attached}. Loop thread only.
 *
 * <p>NIO speaks {@link ByteBuffer}, so a read or write needs a buffer view of the segment (and
 * a gathering write an array of them): small allocations the native backend does not make, the
 * price of portability. The endpoint keeps the view of the last segment read into and of the last
 * segment written from, and reuses it when the next call passes the same segment (a flow reads
 * into the same pooled buffer again and again, an echo writes back the same view of it, and the
 * HTTP sample writes the same segment of the same pooled array), so a steady exchange makes none; a kept view pins its segment until the next read or
 * write replaces it or the endpoint closes. IOExceptions become {@link dev.weft.unix.ErrnoException}s through
 * {@link NioErrors}, so both backends fail alike.
 */
final class NioEndpoint implements Endpoint {

    private final SelectableChannel channel;
    /** The attachment id, or {@code -1} before {@link #attach}. */
    private int source = -1;
    /** The last segment read into or written from, and its view; see the class comment. */
    private MemorySegment readSegment;
    private ByteBuffer readView;
    private MemorySegment writeSegment;
    private ByteBuffer writeView;

    NioEndpoint(SelectableChannel channel) {
        this.channel = channel;
    }

    /**
     * Attaches the channel to {@code engine} (making it non-blocking) so it can be registered.
     * Done only when the endpoint is registered: the engine forgets an attachment only on
     * unregister, so attaching a socket that then fails to bind would leak the attachment.
     */
    void attach(NioEngine engine) {
        source = engine.attach(channel);
    }

    @Override
    public int source() {
        return source;
    }

    @Override
    public void bind(SocketAddress address, int backlog) {
        try {
            if (channel instanceof ServerSocketChannel server) {
                server.bind(address, backlog);
            } else {
                ((DatagramChannel) channel).bind(address);
            }
        } catch (IOException e) {
            throw NioErrors.translate("bind", address, e);
        }
    }

    @Override
    public int read(MemorySegment buffer) {
        try {
            if (buffer != readSegment) {
                readView = buffer.asByteBuffer();
                readSegment = buffer;
            }
            return ((SocketChannel) channel).read(readView.clear());
        } catch (IOException e) {
            throw NioErrors.translate("read", this, e);
        }
    }

    @Override
    public long write(MemorySegment[] buffers, int offset, int count) {
        try {
            SocketChannel socket = (SocketChannel) channel;
            if (count == 1) {
                return socket.write(writeView(buffers[offset]));
            }
            ByteBuffer[] views = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                views[i] = buffers[offset + i].asByteBuffer();
            }
            return socket.write(views);
        } catch (IOException e) {
            throw NioErrors.translate("writev", this, e);
        }
    }

    /** A view of {@code segment} from its start to its end: the kept one if it is the same segment. */
    private ByteBuffer writeView(MemorySegment segment) {
        if (segment != writeSegment) {
            writeView = segment.asByteBuffer();
            writeSegment = segment;
        }
        return writeView.clear();
    }

    @Override
    public Endpoint accept() {
        try {
            SocketChannel accepted = ((ServerSocketChannel) channel).accept();
            return accepted == null ? null : new NioEndpoint(accepted);
        } catch (IOException e) {
            throw NioErrors.translate("accept", this, e);
        }
    }

    @Override
    public boolean connect(SocketAddress address) {
        try {
            return ((SocketChannel) channel).connect(address);
        } catch (IOException e) {
            throw NioErrors.translate("connect", address, e);
        }
    }

    @Override
    public boolean finishConnect() {
        try {
            return ((SocketChannel) channel).finishConnect();
        } catch (IOException e) {
            throw NioErrors.translate("connect", this, e);
        }
    }

    @Override
    public int sendTo(MemorySegment buffer, SocketAddress target) {
        try {
            return ((DatagramChannel) channel).send(buffer.asByteBuffer(), target);
        } catch (IOException e) {
            throw NioErrors.translate("sendto", target, e);
        }
    }

    @Override
    public SocketAddress receiveFrom(MemorySegment buffer, int[] length) {
        try {
            ByteBuffer view = buffer.asByteBuffer();
            SocketAddress sender = ((DatagramChannel) channel).receive(view);
            length[0] = view.position();
            return sender;
        } catch (IOException e) {
            throw NioErrors.translate("recvfrom", this, e);
        }
    }

    @Override
    public void shutdownOutput() {
        try {
            ((SocketChannel) channel).shutdownOutput();
        } catch (IOException e) {
            throw NioErrors.translate("shutdown(SHUT_WR)", this, e);
        }
    }

    @Override
    public void shutdownInput() {
        try {
            ((SocketChannel) channel).shutdownInput();
        } catch (IOException e) {
            throw NioErrors.translate("shutdown(SHUT_RD)", this, e);
        }
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {
        try {
            ((NetworkChannel) channel).setOption(option, value);
        } catch (IOException e) {
            throw NioErrors.translate("setsockopt(" + option.name() + ")", this, e);
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> option) {
        try {
            return ((NetworkChannel) channel).getOption(option);
        } catch (IOException e) {
            throw NioErrors.translate("getsockopt(" + option.name() + ")", this, e);
        }
    }

    @Override
    public SocketAddress localAddress() {
        try {
            return ((NetworkChannel) channel).getLocalAddress();
        } catch (IOException e) {
            throw NioErrors.translate("getsockname", this, e);
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        try {
            return channel instanceof SocketChannel socket
                    ? socket.getRemoteAddress() : ((DatagramChannel) channel).getRemoteAddress();
        } catch (IOException e) {
            throw NioErrors.translate("getpeername", this, e);
        }
    }

    /** Unknown: Java's channels expose neither SIOCOUTQ nor the fd to ask it with. */
    @Override
    public long unacknowledgedBytes() {
        return -1;
    }

    @Override
    public void resetOnClose() {
        setOption(StandardSocketOptions.SO_LINGER, 0);
    }

    @Override
    public void close() {
        forgetViews();
        try {
            channel.close();
        } catch (IOException e) {
            throw NioErrors.translate("close", this, e);
        }
    }

    /**
     * Closes the channel, just unregistered from {@code engine}, once the engine's Selector has
     * dropped its key: closed at once, it would keep its fd until then while its peer already saw
     * the close (see {@link NioEngine#closeOnceDeregistered}).
     */
    void closeOnceDeregistered(NioEngine engine) {
        forgetViews();
        engine.closeOnceDeregistered(channel);
    }

    private void forgetViews() {
        readSegment = null;
        readView = null;
        writeSegment = null;
        writeView = null;
    }

    @Override
    public String toString() {
        return "source=" + source + " " + channel;
    }
}
