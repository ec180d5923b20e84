package dev.weft.promise;

import java.util.function.Supplier;

/**
 * A lock for cooperative tasks (Lwt_mutex): {@link #lock()} gives ownership at once when the
 * mutex is free, else queues the caller; {@link #unlock()} hands ownership straight to the oldest
 * waiter (FIFO), so the mutex never looks free while someone waits.
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b> There is no notion of an
 * owner: whoever holds the lock by convention calls {@code unlock}; the mutex does not check who.
 *
 * <p>A waiting {@code lock()} promise is cancelable: cancelling it removes the waiter, which then
 * never gets the lock. Once ownership was handed to a waiter (its promise is fulfilled, even if
 * its callbacks are still deferred by {@link Resolver#resolveLater}), cancelling it does nothing
 * and the waiter must unlock as usual. Unlike Lwt, which ignores it, unlocking a mutex that is not
 * locked throws {@link NotHeld}: it is always a bug in the caller.
 */
public final class Mutex {
    private final WaitQueue<Void, Void> waiters = new WaitQueue<>();
    private boolean locked;

    /** Creates an unlocked mutex. */
    public Mutex() {}

    /**
     * Takes the lock: an already-fulfilled promise if the mutex was free, else a cancelable promise
     * fulfilled when the lock is handed to this caller, after every earlier waiter.
     */
    public Promise<Void> lock() {
        if (!locked) {
            locked = true;
            return Promise.unit();
        }
        return waiters.add();
    }

    /**
     * Releases the lock: the oldest waiter gets it (its callbacks run as with
     * {@link Resolver#resolveLater}, so unlocking in a loop cannot overflow the stack), or the
     * mutex becomes free if nobody waits.
     *
     * @throws NotHeld if the mutex is not locked
     */
    public void unlock() {
        if (!locked) {
            throw new NotHeld("Mutex.unlock: the mutex is not locked; call unlock once per lock() that "
                    + "succeeded (use withLock to pair them)");
        }
        WaitQueue.Waiter<Void, Void> next = waiters.poll();
        if (next == null) {
            locked = false;
        } else {
            next.resolver.resolveLater(null);
        }
    }

    /**
     * Runs {@code body} holding the lock (Lwt_mutex.with_lock) and releases it when the body's
     * promise resolves, whether fulfilled, rejected or cancelled, or when {@code body} throws.
     * Cancelling the result while waiting for the lock withdraws from the queue and never runs
     * {@code body}; cancelling it while {@code body} runs cancels what the body waits on.
     */
    public <T> Promise<T> withLock(Supplier<? extends Promise<? extends T>> body) {
        return lock().flatMap(ignored -> Promise.<T>tryFinally(body, this::release));
    }

    private Promise<Void> release() {
        unlock();
        return Promise.unit();
    }

    /** Whether the mutex is held by someone. */
    public boolean isLocked() {
        return locked;
    }

    /** Whether no one is waiting for the lock (Lwt_mutex.is_empty). */
    public boolean isEmpty() {
        return waiters.isEmpty();
    }

    /** How many callers are waiting for the lock. */
    public int waiterCount() {
        return waiters.size();
    }
}
