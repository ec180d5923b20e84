package dev.weft.unix.net;

import static dev.weft.loop.Engine.READABLE;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * A listening TCP or Unix stream socket that hands out connections as {@link SocketFlow}s.
 * Made by {@link Sockets#listen}.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> {@code accept}, {@code acceptUnregistered} and {@code close} check it always: from another
 * thread they throw {@link WrongThreadException} naming both threads, and change nothing.
 *
 * <p>{@link #accept()} is a promise, so a server is a loop of promises that runs in constant
 * memory:
 * <pre>{@code
 * Promise<Void> serve() {
 *     return listener.accept().flatMap(connection -> {
 *         Promise.async(() -> handle(connection));
 *         return serve();
 *     });
 * }
 * }</pre>
 * On each readiness the listener accepts until the kernel's queue is empty (EAGAIN) or nobody
 * waits: a server that calls {@code accept()} again from the callback, as above, takes a whole
 * burst of connections in one loop iteration. Connections nobody accepts stay in the kernel's
 * backlog. Several {@code accept()}s may wait at once; they are served in order.
 *
 * <p><b>Out of file descriptors</b> (or kernel memory: {@code accept} failing with EMFILE, ENFILE,
 * ENOBUFS or ENOMEM), the listener neither fails its {@code accept()}s nor spins: those errors
 * are transient, and what a client does must not end a server. Instead it
 * <ol>
 *   <li><b>sheds the backlog</b>: it closes a spare fd held for this moment, accepts every
 *       connection queued in the kernel and closes each at once, then takes the spare fd back.
 *       Clients see their connection closed (a reset) at once and can retry, instead of hanging
 *       in a full backlog until their own timeout (the idea of libuv's EMFILE trick; nginx only
 *       stops accepting). {@link #shedConnections()} counts them. The spares (one per listener)
 *       are the process's, shared by every listener on every loop, because the fd table is: a
 *       spare that another thread grabbed in the moment it was free is taken back from the next
 *       connection any listener accepts, which is then reset as if shed, so that listeners on
 *       several loops (SO_REUSEPORT) each go on shedding;
 *   <li><b>backs off</b>: it stops watching the listening socket and tries again after {@value
 *       #FIRST_RETRY_MILLIS} ms, doubling up to {@value #MAX_RETRY_MILLIS} ms while the
 *       shortage lasts (Netty and nginx pause accepting the same way);
 *   <li><b>resumes by itself</b> at the first retry that accepts, with the back-off reset.
 * </ol>
 * The {@code accept()}s waiting meanwhile stay pending and are served once fds are free. Other
 * errors still reject the waiting {@code accept()}.
 *
 * <p><b>Handing connections to other loops.</b> {@link #acceptUnregistered()} accepts like
 * {@link #accept()} but registers the connection with no loop: the {@link AcceptedSocket} may go
 * to another loop's thread, whose {@link Sockets#adopt} registers it there (one acceptor loop
 * feeding a {@link dev.weft.loop.LoopGroup}; see {@link GroupSockets}). Both kinds of accept may
 * wait at once; they are served in the order they were made.
 */
public final class TcpListener implements AutoCloseable {

    /** The first wait before accepting again after the process ran out of fds. */
    public static final long FIRST_RETRY_MILLIS = 10;
    /** The longest wait between attempts while the process stays out of fds. */
    public static final long MAX_RETRY_MILLIS = 1000;

    /** The most connections one shedding takes and closes (Linux's largest default backlog). */
    private static final int SHED_LIMIT = 4096;

    private final Transport transport;
    private final Endpoint endpoint;
    private final ArrayDeque<Waiter<?>> waiting = new ArrayDeque<>();
    /** Made once: accept() registers each connection with this listener's loop. */
    private final Function<Endpoint, SocketFlow> registerHere;
    private final SpareDescriptor spare;
    private boolean watching;
    private boolean closed;

    // Out of fds: the retry timer while backing off (null otherwise), the next wait, the counters.
    private Promise<Void> retry;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private long exhaustedAccepts;
    private long shedConnections;

    TcpListener(Transport transport, Endpoint endpoint) {
        this.transport = transport;
        this.endpoint = endpoint;
        this.registerHere = accepted -> SocketFlow.accepted(transport, accepted); // closes it if it cannot register
        this.spare = transport.spareDescriptor();
        try {
            transport.register(endpoint, this::onReady, this::close);
        } catch (RuntimeException e) {
            FdReserve.PROCESS.remove(spare);
            throw e;
        }
    }

    /**
     * The next connection. Fulfilled at once if one is queued in the kernel, otherwise when one
     * arrives. While the process is out of fds it stays pending (see the class notes). Rejected
     * with an {@link ErrnoException} if accepting fails otherwise, and with {@link
     * SocketClosedException} if the listener is or gets closed. Cancelable.
     */
    public Promise<SocketFlow> accept() {
        return accept(registerHere);
    }

    /**
     * The next connection, registered with no loop, to hand to another loop's thread (see the
     * class notes and {@link AcceptedSocket}); otherwise as {@link #accept()}. Whoever receives it
     * must {@linkplain Sockets#adopt adopt} it or {@linkplain AcceptedSocket#close close} it.
     */
    public Promise<AcceptedSocket> acceptUnregistered() {
        return accept(AcceptedSocket::new);
    }

    private <T> Promise<T> accept(Function<Endpoint, T> wrap) {
        transport.requireLoopThread("accept", this);
        if (closed) {
            return Promise.rejected(new SocketClosedException("accept", this, "the listener is closed"));
        }
        if (waiting.isEmpty() && retry == null) {
            try {
                T connection = acceptOne(wrap);
                if (connection != null) {
                    return Promise.of(connection);
                }
            } catch (RuntimeException e) {
                return Promise.rejected(e);
            }
        }
        Resolver<T> resolver = Promise.task();
        if (Transport.DEBUG) {
            LoopHooks.describePending(resolver.promise(), () -> "a connection to accept on " + this
                    + (retry == null ? ", waiting to be readable" : ", backing off after running out of fds"));
        }
        Waiter<T> waiter = new Waiter<>(resolver, wrap);
        waiting.add(waiter);
        resolver.promise().onCancel(() -> waiting.remove(waiter));
        watch(retry == null);
        return resolver.promise();
    }

    private void onReady(int events) {
        while (!waiting.isEmpty() && !closed && retry == null) {
            try {
                if (!serveFirstWaiter(waiting.peek())) {
                    break; // EAGAIN (keep watching), or out of fds (backing off)
                }
            } catch (RuntimeException e) {
                waiting.poll().reject(e);
            }
        }
        if (waiting.isEmpty() || retry != null) {
            watch(false);
        }
    }

    /** Accepts one connection for {@code waiter}: false if none was queued (or fds ran out). */
    private <T> boolean serveFirstWaiter(Waiter<T> waiter) {
        T connection = acceptOne(waiter.wrap());
        if (connection == null) {
            return false;
        }
        waiting.poll();
        waiter.resolver().resolve(connection); // usually calls accept() again, refilling the queue
        return true;
    }

    /**
     * Accepts one connection and wraps it: the flow (or unregistered socket), or {@code null} if
     * none is queued or the process is out of fds (then the backlog was shed and a retry is
     * scheduled). Wrapping inside the try, so that a registration refused for want of epoll
     * watches (ENOSPC) counts as exhaustion too.
     */
    private <T> T acceptOne(Function<Endpoint, T> wrap) {
        try {
            Endpoint accepted;
            do {
                accepted = endpoint.accept();
                if (accepted == null) {
                    return null;
                }
            } while (paidASpareWith(accepted));
            T connection = wrap.apply(accepted);
            retryMillis = FIRST_RETRY_MILLIS;
            return connection;
        } catch (ErrnoException e) {
            if (!isExhaustion(e.errno())) {
                throw e;
            }
            exhausted();
            return null;
        }
    }

    /**
     * Whether {@code accepted} was reset to take back a spare fd lost to another thread (see
     * {@link FdReserve}): it then counts as shed.
     */
    private boolean paidASpareWith(Endpoint accepted) {
        if (FdReserve.PROCESS.repayWith(accepted)) {
            shedConnections++;
            return true;
        }
        return false;
    }

    /** Errors that say the process or the kernel is short of fds or memory right now. */
    private static boolean isExhaustion(Errno errno) {
        return SpareDescriptor.isShortage(errno) || errno == Errno.ENOSPC; // epoll_ctl: max_user_watches reached
    }

    private void exhausted() {
        exhaustedAccepts++;
        shedBacklog();
        watch(false);
        retry = transport.loop.sleep(Duration.ofMillis(retryMillis));
        retry.onSuccess(v -> retryAccepting());
        retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
    }

    /**
     * With a spare fd of the process's given back, takes every queued connection and resets it at
     * once (bounded: a flood of new connections must not hold the loop here).
     */
    private void shedBacklog() {
        shedConnections += FdReserve.PROCESS.shed(endpoint, SHED_LIMIT);
    }

    private void retryAccepting() {
        retry = null;
        if (closed) {
            return;
        }
        if (waiting.isEmpty()) {
            return; // nobody waits: the next accept() tries at once
        }
        watch(true);
        onReady(0);
    }

    /**
     * How many times accepting failed because the process or the kernel was out of fds or memory
     * (each one shed the backlog and started or lengthened a back-off). Loop thread.
     */
    public long exhaustedAccepts() {
        return exhaustedAccepts;
    }

    /**
     * How many connections were accepted and closed at once to shed the backlog, or to take back
     * a spare fd another thread grabbed (see the class notes). Loop thread.
     */
    public long shedConnections() {
        return shedConnections;
    }

    private void watch(boolean on) {
        if (on != watching && !closed) {
            watching = on;
            transport.loop.modify(endpoint.source(), on ? READABLE : 0);
        }
    }

    /**
     * The address the listener is bound to (the chosen port after binding port 0).
     *
     * @throws ErrnoException EBADF once closed
     */
    public SocketAddress localAddress() {
        if (closed) {
            throw Endpoint.closedSocket("getsockname", this);
        }
        return endpoint.localAddress();
    }

    /**
     * Stops listening and closes the socket; waiting accepts are rejected with
     * {@link SocketClosedException}. Connections already accepted are not affected. Idempotent.
     */
    @Override
    public void close() {
        transport.requireLoopThread("close", this);
        if (closed) {
            return;
        }
        closed = true;
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
        FdReserve.PROCESS.remove(spare);
        try {
            transport.close(endpoint);
        } finally {
            Waiter<?> waiter;
            while ((waiter = waiting.poll()) != null) {
                waiter.reject(new SocketClosedException("pending accept", this, "the listener was closed"));
            }
        }
    }

    /** A pending accept: its promise's resolver and how to wrap the connection it gets. */
    private record Waiter<T>(Resolver<T> resolver, Function<Endpoint, T> wrap) {
        void reject(Throwable failure) {
            resolver.reject(failure);
        }
    }

    @Override
    public String toString() {
        return "TcpListener[source=" + endpoint.source() + (closed ? ", closed]" : "]");
    }
}
