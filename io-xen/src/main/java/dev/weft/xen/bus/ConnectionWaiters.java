package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Whoever waits for a frontend driver's device to connect: the caller of its {@code start} (the
 * first connection) and callers of its {@code whenConnected} (the next one). Each wait ends once:
 * fulfilled when the device connects, or rejected when that connection fails or the xenbus end
 * stops first, so that a backend the driver refuses (its connect hook fails, or its disk or link
 * makes no sense) or a device closed before it ever connected never leaves a caller waiting for
 * ever. A first connection that fails also gives the device up ({@link
 * #connectionFailed}): the caller of {@code start} never got the driver, so nobody could
 * disconnect it and release what it holds.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (the driver's loop).
 */
public final class ConnectionWaiters {
    /** A task: the caller of {@code start} may cancel it, giving the device up ({@link #giveUpOnCancel}). */
    private final Resolver<Void> first = Promise.task();
    private final List<Resolver<Void>> next = new ArrayList<>();
    private final Supplier<? extends Throwable> closedBeforeConnecting;
    /** Why the end stopped, once it has: later waits fail with it at once. */
    private Throwable stopped;

    /**
     * An empty set; {@code closedBeforeConnecting} makes the failure for waits still pending when
     * the end stops without a failure of its own (it was closed).
     */
    public ConnectionWaiters(Supplier<? extends Throwable> closedBeforeConnecting) {
        this.closedBeforeConnecting = closedBeforeConnecting;
    }

    /**
     * Fulfilled at the device's first connection; rejected if it fails or the end stops before.
     * Cancelable: see {@link #giveUpOnCancel}.
     */
    public Promise<Void> first() {
        return first.promise();
    }

    /**
     * Runs {@code giveUp} if the caller of {@code start} cancels its wait for the first connection
     * (a backend that never connects, and a caller that stops waiting): the driver is never
     * handed to anyone who could disconnect it, so it must close itself then, or its grants,
     * channel and watch would stay for ever.
     */
    public void giveUpOnCancel(Runnable giveUp) {
        first.promise().onCancel(giveUp);
    }

    /** Fulfilled at the next connection; rejected if the end stops before. */
    public Promise<Void> next() {
        if (stopped != null) {
            return Promise.rejected(stopped);
        }
        Resolver<Void> waiter = Promise.pending();
        next.add(waiter);
        return waiter.promise();
    }

    /** The device connected: every wait is fulfilled. */
    public void connected() {
        if (first.promise().isPending()) {
            first.resolve(null);
        }
        for (Resolver<Void> waiter : take()) {
            waiter.resolve(null);
        }
    }

    /**
     * A connection of {@code end} (the end passed to {@link #endWhenStopped}) failed after the
     * handshake: the backend's values made no sense, or the end stopped before Connected. If the
     * device never connected, {@code start} does not (or will not) hand the driver to anyone who
     * could disconnect it: {@code letGo} releases what the connection holds (channel, grants,
     * polling; grants the backend still maps are reclaimed once it has seen Closed) and {@code
     * end} is {@linkplain XenbusEnd#abandon abandoned}, whose stop rejects
     * {@code start} (and every wait) with {@code failure} once its watch is gone. Otherwise whoever
     * waits for this connection is rejected, later waits are for the one after, and the connection
     * stays until the device reconnects or is closed.
     */
    public void connectionFailed(XenbusEnd end, Throwable failure, Runnable letGo) {
        if (!first.promise().isFulfilled()) {
            letGo.run();
            end.abandon(failure);
        } else {
            rejectAll(failure);
        }
    }

    private void rejectAll(Throwable failure) {
        if (first.promise().isPending()) {
            first.reject(failure);
        }
        for (Resolver<Void> waiter : take()) {
            waiter.reject(failure);
        }
    }

    /**
     * Ends every wait when {@code end} stops: with its failure (a driver hook or xenstore failed),
     * or with {@code closedBeforeConnecting}'s if it was closed; but only once the promise {@code
     * released} then gives has settled: the driver's reclaiming of the grants the backend still
     * mapped ({@link UnendedGrants#reclaim}, bounded), so that a {@code start} that fails leaves
     * nothing of the device behind.
     */
    public void endWhenStopped(XenbusEnd end, Supplier<Promise<Void>> released) {
        end.stopped().onAny(closed -> stopped(closedBeforeConnecting.get(), released),
                failure -> stopped(failure, released));
    }

    private void stopped(Throwable failure, Supplier<Promise<Void>> released) {
        stopped = failure;
        released.get().onTermination(() -> rejectAll(failure));
    }

    /** The waiters of the next connection, removed first: a woken one may wait again. */
    private List<Resolver<Void>> take() {
        List<Resolver<Void>> waiting = new ArrayList<>(next);
        next.clear();
        return waiting;
    }
}
