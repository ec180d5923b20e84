package dev.weft.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The blocking half of the in-memory engines: the loop thread parks here, another thread's
 * {@link #wake()} unparks it. A wake that comes while nobody is parked is kept, so the next
 * {@link #await} returns at once (the sticky semantics {@link Engine#wakeup()} asks for).
 *
 * <p><b>Threading: {@link #wake()} from any thread; {@link #await} from the loop thread only.</b>
 */
final class Parker {

    private static final VarHandle WOKEN;
    private static final VarHandle WAITER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WOKEN = lookup.findVarHandle(Parker.class, "woken", boolean.class);
            WAITER = lookup.findVarHandle(Parker.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A wake is pending. Set by waking threads with a volatile getAndSet, consumed by the loop
     * with one: the waker sets it, then reads {@link #waiter}; the loop stores {@link #waiter},
     * then reads it. Those volatile accesses are totally ordered, so either the loop sees the wake
     * before parking, or the waker sees the loop and unparks it (and an unpark before the park
     * makes the park return at once). No wake is lost.
     */
    private boolean woken;
    /** The loop thread, published with a volatile store before it looks at {@link #woken}. */
    private Thread waiter;

    /**
     * Parks until woken or {@code timeoutNanos} pass ({@code 0}: just check; negative: no limit).
     * An interrupt also ends the wait, without clearing the thread's interrupt status: the loop
     * clears it before it blocks, so that a set status cannot make every wait return at once
     * ({@link Loop}'s class notes, "Interrupts").
     *
     * @return whether a wake was pending or came (it is consumed)
     */
    boolean await(long timeoutNanos) {
        if ((boolean) WOKEN.getAndSet(this, false)) {
            return true;
        }
        if (timeoutNanos == 0) {
            return false;
        }
        Thread me = Thread.currentThread();
        WAITER.setVolatile(this, me);
        long deadline = System.nanoTime() + timeoutNanos;
        while (!(boolean) WOKEN.getVolatile(this) && !me.isInterrupted()) {
            if (timeoutNanos < 0) {
                LockSupport.park(this);
            } else {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, remaining);
            }
        }
        WAITER.setOpaque(this, null); // a late waker may still unpark us: one spurious park return, harmless
        return (boolean) WOKEN.getAndSet(this, false);
    }

    /** Ends the current or next {@link #await}. Any thread. */
    void wake() {
        if (!(boolean) WOKEN.getAndSet(this, true)) {
            Thread parked = (Thread) WAITER.getVolatile(this);
            if (parked != null) {
                LockSupport.unpark(parked);
            }
        }
    }
}
