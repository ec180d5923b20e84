package dev.weft.loop;

import dev.weft.promise.Resolver;
import java.time.Duration;

/**
 * A sleep or timeout of the loop: the wheel's node for it, what it does when it fires (fulfil a
 * sleep's promise, or reject a timeout's with {@link Timeout}), and the sleep's cancel action
 * ({@link #run()}, registered with {@code onCancel}), which takes it off the wheel at once. One
 * object serves all three, so a sleep costs its promise, this and the cancel registration.
 *
 * <p><b>Threading: confined to the loop thread.</b>
 */
final class Alarm extends Timer<Alarm> implements Runnable {

    private final Loop loop;
    private final Resolver<?> resolver;
    /** The duration a {@link Timeout} names, or null for a sleep, which fulfils instead. */
    private final Duration timeout;

    /** An alarm for {@code loop}'s {@code wheel}, due at {@code deadlineNanos}; not yet scheduled. */
    Alarm(Loop loop, TimerWheel<Alarm> wheel, long deadlineNanos, Resolver<?> resolver, Duration timeout) {
        super(wheel, wheel.newId(), deadlineNanos);
        this.loop = loop;
        this.resolver = resolver;
        this.timeout = timeout;
    }

    @Override
    Alarm payload() {
        return this;
    }

    /** The timer fired: settle the promise unless it was cancelled meanwhile. */
    void fire() {
        if (!resolver.promise().isPending()) {
            return; // cancelled by an earlier callback of the same (shuffled) batch
        }
        if (timeout == null) {
            resolver.resolve(null);
        } else {
            resolver.reject(new Timeout(timeout));
        }
    }

    /** The loop is closing: reject the promise with {@link LoopClosed}. */
    void reject(LoopClosed failure) {
        if (resolver.promise().isPending()) {
            resolver.reject(failure);
        }
    }

    /** The promise was cancelled: remove the timer from the wheel now. */
    @Override
    public void run() {
        loop.cancelTimer(this);
    }
}
