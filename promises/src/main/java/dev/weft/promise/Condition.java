package dev.weft.promise;

import java.util.List;

/**
 * A condition variable for cooperative tasks (Lwt_condition): tasks {@link #await()} a value
 * that another task {@link #signal signals} to the oldest waiter or {@link #broadcast broadcasts}
 * to all of them.
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b>
 *
 * <p>A signal is not sticky: with no waiter it is lost. Waiters are woken in FIFO order, with
 * their callbacks run as by {@link Resolver#resolveLater}. A waiting promise is cancelable, and
 * cancelling it removes the waiter, so a later signal goes to the next one.
 *
 * @param <T> the value signalled to waiters
 */
public final class Condition<T> {
    private final WaitQueue<T, Void> waiters = new WaitQueue<>();

    /** Creates a condition with no waiters. */
    public Condition() {}

    /** Waits for the next {@link #signal}, {@link #broadcast} or {@link #broadcastException}. */
    public Promise<T> await() {
        return waiters.add();
    }

    /**
     * Waits as {@link #await()} while releasing {@code mutex}, which the caller holds (Lwt's
     * {@code wait ~mutex}): the caller is queued first, then the mutex unlocked, so no signal
     * can slip in between. The returned promise resolves only after the mutex was locked again,
     * even when the wait is rejected or cancelled, and a cancel while it waits to lock again does
     * not stop that wait; its outcome is then the wait's.
     *
     * @throws NotHeld if {@code mutex} is not locked (Lwt does not check)
     */
    public Promise<T> await(Mutex mutex) {
        if (!mutex.isLocked()) {
            throw new NotHeld("Condition.await(mutex): the mutex is not locked; lock it before waiting, "
                    + "as the wait releases it and locks it again before returning");
        }
        Promise<T> waiter = waiters.add();
        mutex.unlock();
        // The lock again is not cancelable: a cancel that reached it would end the wait without
        // the mutex, and the caller's unlock would then release another task's (Lwt's is cancelable).
        return waiter.andFinally(() -> Promise.noCancel(mutex.lock()));
    }

    /** Wakes the oldest waiter with {@code value}; does nothing if no one waits. */
    public void signal(T value) {
        WaitQueue.Waiter<T, Void> waiter = waiters.poll();
        if (waiter != null) {
            waiter.resolver.resolveLater(value);
        }
    }

    /** Wakes every current waiter with {@code value}, oldest first; later waiters are not woken. */
    public void broadcast(T value) {
        List<WaitQueue.Waiter<T, Void>> all = waiters.pollAll();
        for (WaitQueue.Waiter<T, Void> waiter : all) {
            waiter.resolver.resolveLater(value);
        }
    }

    /** Rejects every current waiter with {@code failure}, oldest first (Lwt's broadcast_exn). */
    public void broadcastException(Throwable failure) {
        List<WaitQueue.Waiter<T, Void>> all = waiters.pollAll();
        for (WaitQueue.Waiter<T, Void> waiter : all) {
            waiter.resolver.rejectLater(failure);
        }
    }

    /** How many tasks are waiting. */
    public int waiterCount() {
        return waiters.size();
    }
}
