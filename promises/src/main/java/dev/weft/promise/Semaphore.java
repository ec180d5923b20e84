package dev.weft.promise;

import java.util.function.Supplier;

/**
 * A counting semaphore for cooperative tasks, in the style of {@link Mutex} (Lwt has none in its
 * core): {@link #acquire()} takes a permit at once when one is free, else queues the caller;
 * {@link #release()} hands the permit straight to the oldest waiter (FIFO).
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b>
 *
 * <p>A waiting {@code acquire()} promise is cancelable: cancelling it removes the waiter, which
 * then never gets a permit. Releasing more permits than were acquired throws {@link NotHeld}: the
 * number of permits never grows past the number the semaphore was created with.
 */
public final class Semaphore {
    private final WaitQueue<Void, Void> waiters = new WaitQueue<>();
    private final int permits;
    private int available;

    /**
     * Creates a semaphore with {@code permits} free permits.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("Semaphore: permits must be >= 0, got " + permits);
        }
        this.permits = permits;
        this.available = permits;
    }

    /**
     * Takes a permit: an already-fulfilled promise if one was free, else a cancelable promise
     * fulfilled when a permit is handed to this caller, after every earlier waiter.
     */
    public Promise<Void> acquire() {
        if (available > 0) {
            available--;
            return Promise.unit();
        }
        return waiters.add();
    }

    /**
     * Gives a permit back: the oldest waiter gets it (callbacks run as with
     * {@link Resolver#resolveLater}), or it becomes free if nobody waits.
     *
     * @throws NotHeld if every permit is already free
     */
    public void release() {
        WaitQueue.Waiter<Void, Void> next = waiters.poll();
        if (next != null) {
            next.resolver.resolveLater(null);
        } else if (available == permits) {
            throw new NotHeld("Semaphore.release: all " + permits + " permits are already free; call "
                    + "release once per acquire() that succeeded (use withPermit to pair them)");
        } else {
            available++;
        }
    }

    /**
     * Runs {@code body} holding a permit and gives it back when the body's promise resolves,
     * whichever way, or when {@code body} throws. Cancelling the result while waiting withdraws
     * from the queue and never runs {@code body}.
     */
    public <T> Promise<T> withPermit(Supplier<? extends Promise<? extends T>> body) {
        return acquire().flatMap(ignored -> Promise.<T>tryFinally(body, this::releaseForFinally));
    }

    private Promise<Void> releaseForFinally() {
        release();
        return Promise.unit();
    }

    /** How many permits are free now. */
    public int available() {
        return available;
    }

    /** How many callers are waiting for a permit. */
    public int waiterCount() {
        return waiters.size();
    }

    /** Whether no one is waiting for a permit. */
    public boolean isEmpty() {
        return waiters.isEmpty();
    }
}
