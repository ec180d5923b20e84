package dev.weft.loop;

import dev.weft.promise.Resolver;
import java.time.Duration;

/**
 * What a loop timer does when it fires: fulfil a sleep's promise, or reject a timeout's with
 * {@link Timeout}. It is also the sleep's cancel action ({@link #run()}, registered with {@code
 * onCancel}), which takes the timer off the wheel at once, so one object serves both directions.
 *
 * <p><b>Threading: confined to the loop thread.</b>
 */
final class Alarm implements Runnable {

    private final Loop loop;
    private final Resolver<?> resolver;
    /** The duration a {@link Timeout} names, or null for a sleep, which fulfils instead. */
    private final Duration timeout;
    private Timer<Alarm> timer;

    Alarm(Loop loop, Resolver<?> resolver, Duration timeout) {
        this.loop = loop;
        this.resolver = resolver;
        this.timeout = timeout;
    }

    void arm(Timer<Alarm> scheduled) {
        this.timer = scheduled;
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
        loop.cancelTimer(timer);
    }
}
