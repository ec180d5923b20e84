package dev.weft.unix.net;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.loop.LoopGroup;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@link Sockets} on every loop of a {@link LoopGroup}, and the two ways to spread a server's
 * connections over the group's loops.
 *
 * <p><b>Threading: {@link #on} and {@link #listenOnEveryLoop} are called from a thread outside
 * the group (they wait for each loop to do its part); {@link #sockets(int)} and what it returns
 * belong to loop {@code i}'s thread; {@link #handOff} is LOOP THREAD (the listener's loop).</b>
 *
 * <p><b>SO_REUSEPORT: one listener per loop</b> ({@link #listenOnEveryLoop}). Every loop binds its
 * own listening socket to the same address and the kernel spreads incoming connections between
 * them (Linux hashes each connection's addresses and ports to one socket). No connection crosses
 * threads and no loop is special, so it scales furthest. The trade-offs: the spread is by hash,
 * not by load, so a loop busy with heavy connections still gets its share of new ones; each
 * socket has its own backlog, so connections queued on a listener whose loop is stuck wait there
 * (and are reset if that listener closes) even while other loops are idle; and it needs
 * SO_REUSEPORT (Linux 3.9, the BSDs with different semantics), which also lets any process of the
 * same user bind the port beside you.
 *
 * <p><b>One acceptor loop</b> ({@link #handOff}). One loop owns the only listening socket, accepts
 * each connection without registering it ({@link TcpListener#acceptUnregistered()}) and hands it
 * to the group's loops in turn; each registers it with its own engine on its own thread ({@link
 * Sockets#adopt}). It works wherever a listening socket does, one backlog serves every loop, and
 * the spread is exactly round-robin. The trade-offs: each connection costs a cross-thread hand-off
 * (an inbox task and, when the target sleeps, a wakeup), the acceptor loop caps the rate of new
 * connections, and round-robin does not see load either. Pick it where SO_REUSEPORT is missing or
 * unwanted, or for long-lived connections, where the accept rate does not matter.
 */
public final class GroupSockets {

    private final LoopGroup group;
    private final List<Sockets> sockets;
    /** The round-robin cursor of {@link #handOff}; any acceptor loop's thread increments it. */
    private final AtomicInteger cursor = new AtomicInteger();

    private GroupSockets(LoopGroup group, List<Sockets> sockets) {
        this.group = group;
        this.sockets = sockets;
    }

    /**
     * Makes {@link Sockets} with {@code flowOptions} on every loop of {@code group}, each on its
     * loop's thread; waits for them. Call from outside the group, after {@link LoopGroup#start()}.
     *
     * @throws UnsupportedEngineException if a loop's engine is not epoll or NIO
     */
    public static GroupSockets on(LoopGroup group, FlowOptions flowOptions) {
        Objects.requireNonNull(flowOptions, "flowOptions");
        List<CompletableFuture<Sockets>> made = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            int index = i;
            made.add(group.loop(i).call(() -> Sockets.on(group.loop(index), flowOptions)));
        }
        List<Sockets> sockets = new ArrayList<>();
        for (CompletableFuture<Sockets> future : made) {
            sockets.add(await(future));
        }
        return new GroupSockets(group, List.copyOf(sockets));
    }

    /** The group. ANY THREAD. */
    public LoopGroup group() {
        return group;
    }

    /** Loop {@code index}'s Sockets: use it on that loop's thread only. */
    public Sockets sockets(int index) {
        return sockets.get(index);
    }

    /**
     * A listener on {@code address} on every loop, with SO_REUSEPORT when there is more than one
     * loop (whatever {@code options} says of it), each made on its loop's thread: the kernel spreads connections over them (see
     * the class notes). Port 0 is chosen once, by loop 0, and the others bind to the same port.
     * Listener {@code i} belongs to loop {@code i}; each closes with its loop. Call from outside
     * the group.
     *
     * @throws dev.weft.unix.ErrnoException if a loop cannot bind (EADDRINUSE: another socket
     *     without SO_REUSEPORT holds the port); the listeners made so far are closed
     * @throws IllegalArgumentException for a Unix-domain address on a group of more than one loop,
     *     before anything is bound: a path takes one listener (SO_REUSEPORT does not share it), and
     *     the first bind would leave its socket file behind; listen on one loop and {@link #handOff}
     */
    public List<TcpListener> listenOnEveryLoop(SocketAddress address, ListenOptions options) {
        if (address instanceof UnixDomainSocketAddress && group.size() > 1) {
            throw new IllegalArgumentException("listenOnEveryLoop(" + address + ") on " + group.size() + " loops: a"
                    + " Unix-domain path takes one listener (SO_REUSEPORT does not share it); listen on one loop"
                    + " and spread its connections with handOff");
        }
        // one loop needs no sharing, and without SO_REUSEPORT no other socket can bind beside it
        ListenOptions shared = group.size() > 1 ? options.withReusePort(true) : options;
        List<TcpListener> listeners = new ArrayList<>();
        try {
            SocketAddress bound = address;
            for (int i = 0; i < group.size(); i++) {
                SocketAddress at = bound;
                Sockets here = sockets.get(i);
                TcpListener listener = await(group.loop(i).call(() -> here.listen(at, shared)));
                listeners.add(listener);
                bound = portChosen(bound, listener);
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < listeners.size(); i++) {
                TcpListener made = listeners.get(i);
                group.loop(i).execute(made::close);
            }
            throw e;
        }
        return List.copyOf(listeners);
    }

    /** {@code address} with the port {@code listener} got, when port 0 asked the kernel to choose. */
    private static SocketAddress portChosen(SocketAddress address, TcpListener listener) {
        if (address instanceof InetSocketAddress inet && inet.getPort() == 0) {
            return new InetSocketAddress(inet.getAddress(), ((InetSocketAddress) listener.localAddress()).getPort());
        }
        return address;
    }

    /**
     * Accepts on {@code listener} until it closes, handing each connection to the group's loops in
     * turn, skipping loops already closed: the receiving loop adopts it and calls {@code handler}
     * with the flow on its own thread. A connection whose loop closes before adopting it is closed. An
     * accept failure other than the listener closing is reported to the async-exception hook and
     * accepting goes on; so is a handler that throws, whose connection is closed. LOOP THREAD (the
     * listener's loop, one of the group's).
     *
     * @return resolved once the listener is closed
     */
    public Promise<Void> handOff(TcpListener listener, Consumer<SocketFlow> handler) {
        Objects.requireNonNull(handler, "handler");
        return listener.acceptUnregistered().tryBind(socket -> {
            handTo(nextOpenLoop(), socket, handler);
            return handOff(listener, handler);
        }, failure -> {
            if (failure instanceof SocketClosedException) {
                return Promise.unit();
            }
            LoopHooks.reportAsyncException(failure);
            return Promise.pause().flatMap(v -> handOff(listener, handler));
        });
    }

    /** The next loop in turn that is not closed; the last one tried if all are (the hand-off then closes the socket). */
    private int nextOpenLoop() {
        int index = 0;
        for (int tries = 0; tries < group.size(); tries++) {
            index = Math.floorMod(cursor.getAndIncrement(), group.size());
            if (!group.loop(index).isClosed()) {
                break;
            }
        }
        return index;
    }

    private void handTo(int index, AcceptedSocket socket, Consumer<SocketFlow> handler) {
        Loop target = group.loop(index);
        Sockets there = sockets.get(index);
        if (target.inLoopThread()) {
            adoptAndHandle(there, socket, handler);
            return;
        }
        target.submit(() -> {
            adoptAndHandle(there, socket, handler);
            return Promise.unit();
        }).whenComplete((v, failure) -> {
            if (failure != null) {
                socket.close(); // never adopted (its loop closed first): nobody else will close it
                if (!(failure instanceof LoopClosed)) {
                    LoopHooks.reportAsyncException(failure);
                }
            }
        });
    }

    /**
     * Adopts {@code socket} on {@code there}'s loop (its thread) and gives the flow to {@code
     * handler}. Never throws: a handler that throws has its connection closed (nobody else holds
     * the flow) and the failure reported to the async-exception hook, so one bad connection
     * neither stops the acceptor (on its own loop this runs inside its accept chain) nor leaves an
     * fd open until the loop closes.
     */
    private static void adoptAndHandle(Sockets there, AcceptedSocket socket, Consumer<SocketFlow> handler) {
        SocketFlow flow;
        try {
            flow = there.adopt(socket); // closes the socket if it cannot
        } catch (RuntimeException refused) {
            socket.close();
            LoopHooks.reportAsyncException(refused);
            return;
        }
        try {
            handler.accept(flow);
        } catch (RuntimeException | Error failure) {
            LoopHooks.reportAsyncException(failure); // before the close, which the peer sees
            flow.close();
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the group's loops set up sockets", e);
        }
    }
}
