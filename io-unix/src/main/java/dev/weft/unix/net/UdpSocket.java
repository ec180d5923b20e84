package dev.weft.unix.net;

import static dev.weft.loop.Engine.ERROR;
import static dev.weft.loop.Engine.READABLE;
import static dev.weft.loop.Engine.WRITABLE;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.ErrnoException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * A bound UDP socket (IPv4 or IPv6) that sends and receives datagrams as promises. Made by
 * {@link Sockets#bindUdp}.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> {@code send}, {@code receive} and {@code close} check it always: from another
 * thread they throw {@link WrongThreadException} naming both threads, and change nothing.
 *
 * <p>At most one {@link #receive()} may be pending; its bytes are a slice of a pooled read
 * buffer, lent until the next {@code receive()} or {@code close()}. {@link #send} does not copy:
 * the segment must stay unchanged until the promise resolves, which is at once unless the
 * kernel's send buffer is full; sends then wait, in order. Failures reject the promise with an
 * {@link ErrnoException}, or a {@link SocketClosedException} after or during {@link #close()}.
 */
public final class UdpSocket implements AutoCloseable {

    private final Transport transport;
    private final Endpoint endpoint;
    private final int[] length = new int[1];
    private final ArrayDeque<Send> sends = new ArrayDeque<>();
    private MemorySegment buffer;
    private Resolver<Received> receiver;
    private final Interest interest;
    private boolean closed;

    /** A datagram waiting for room in the send buffer. */
    private record Send(MemorySegment bytes, SocketAddress target, Resolver<Void> resolver) {}

    UdpSocket(Transport transport, Endpoint endpoint) {
        this.transport = transport;
        this.endpoint = endpoint;
        transport.register(endpoint, this::onReady, this::close);
        this.interest = new Interest(transport.loop, endpoint);
    }

    /**
     * Sends {@code bytes} as one datagram to {@code target}; fulfilled once the kernel took it
     * (UDP: not a promise that it arrives).
     */
    public Promise<Void> send(MemorySegment bytes, SocketAddress target) {
        transport.requireLoopThread("send", this);
        if (closed) {
            return Promise.rejected(new SocketClosedException("send", this, "the socket is closed"));
        }
        if (sends.isEmpty()) {
            try {
                if (endpoint.sendTo(bytes, target) > 0 || bytes.byteSize() == 0) {
                    return Promise.unit();
                }
            } catch (RuntimeException e) {
                return Promise.rejected(e);
            }
        }
        Resolver<Void> resolver = Promise.pending();
        sends.add(new Send(bytes, target, resolver));
        interest.add(WRITABLE);
        return resolver.promise();
    }

    /**
     * The next datagram, with its sender; its bytes are lent until the next receive or close.
     * Rejected with {@link IllegalStateException} if a receive is already pending. Cancelable.
     */
    public Promise<Received> receive() {
        transport.requireLoopThread("receive", this);
        if (closed) {
            return Promise.rejected(new SocketClosedException("receive", this, "the socket is closed"));
        }
        if (receiver != null) {
            return Promise.rejected(new IllegalStateException("a receive is already pending on " + this));
        }
        try {
            Received now = receiveNow();
            if (now != null) {
                return Promise.of(now);
            }
        } catch (RuntimeException e) {
            return Promise.rejected(e);
        }
        Resolver<Received> resolver = Promise.task();
        if (Transport.DEBUG) {
            LoopHooks.describePending(resolver.promise(), () -> "a datagram to receive on " + this
                    + ", waiting to be readable");
        }
        receiver = resolver;
        resolver.promise().onCancel(() -> receiver = null);
        interest.add(READABLE);
        return resolver.promise();
    }

    private Received receiveNow() {
        if (buffer == null) {
            buffer = transport.acquireBuffer();
        }
        SocketAddress sender = endpoint.receiveFrom(buffer, length);
        if (sender == null) {
            transport.releaseBuffer(buffer);
            buffer = null;
            return null;
        }
        return new Received(buffer.asSlice(0, length[0]), sender);
    }

    private void onReady(int events) {
        if ((events & (WRITABLE | ERROR)) != 0) {
            flushSends();
        }
        if ((events & (READABLE | ERROR)) != 0 && !closed) {
            if (receiver == null) {
                interest.remove(READABLE);
                return;
            }
            Resolver<Received> resolver = receiver;
            Received now;
            try {
                now = receiveNow();
            } catch (RuntimeException e) {
                receiver = null;
                resolver.reject(e);
                return;
            }
            if (now != null) {
                receiver = null;
                resolver.resolve(now);
            }
        }
    }

    private void flushSends() {
        Send send;
        while (!closed && (send = sends.peek()) != null) {
            try {
                if (endpoint.sendTo(send.bytes, send.target) == 0 && send.bytes.byteSize() > 0) {
                    return;
                }
            } catch (RuntimeException e) {
                sends.poll();
                send.resolver.reject(e);
                continue;
            }
            sends.poll();
            send.resolver.resolve(null);
        }
        if (sends.isEmpty()) {
            interest.remove(WRITABLE);
        }
    }

    /**
     * The address the socket is bound to (the chosen port after binding port 0).
     *
     * @throws ErrnoException EBADF once closed
     */
    public SocketAddress localAddress() {
        if (closed) {
            throw Endpoint.closedSocket("getsockname", this);
        }
        return endpoint.localAddress();
    }

    /** Closes the socket; a pending receive and waiting sends are rejected with {@link SocketClosedException}. Idempotent. */
    @Override
    public void close() {
        transport.requireLoopThread("close", this);
        if (closed) {
            return;
        }
        closed = true;
        interest.stop();
        try {
            transport.close(endpoint);
        } finally {
            if (buffer != null) {
                transport.releaseBuffer(buffer);
                buffer = null;
            }
            if (receiver != null) {
                Resolver<Received> resolver = receiver;
                receiver = null;
                resolver.reject(new SocketClosedException("pending receive", this, "the socket was closed"));
            }
            Send send;
            while ((send = sends.poll()) != null) {
                send.resolver.reject(new SocketClosedException("pending send", this, "the socket was closed"));
            }
        }
    }

    @Override
    public String toString() {
        return "UdpSocket[source=" + endpoint.source() + (closed ? ", closed]" : "]");
    }

}
