package dev.weft.loop;

import java.util.Objects;

/**
 * A deterministic engine for tests: time is a {@link ManualClock} that moves only when the loop
 * has nothing ready, and then jumps straight to the loop's next timer. Code that waits an hour of
 * timeouts runs in microseconds, and a single-threaded test gives the same trace on every run.
 *
 * <p><b>Threading: all operations except {@link #wakeup()} MUST be called on the loop thread.</b>
 *
 * <p>How it works: the loop asks the engine to block for {@code timeoutNanos}, which is the time
 * until its next timer. Instead of waiting, this engine advances the clock by exactly that much
 * and returns, so the next iteration finds the timer due. A loop with no timer asks to block
 * without limit; nothing in virtual time can end that, so the engine then really parks, until
 * another thread's {@link #wakeup()} (a {@code submit} from a test thread, a {@code close}). A
 * pending wakeup also returns at once without moving the clock.
 *
 * <p>Give the loop the same clock: {@code Loop.builder().virtualTime()} does both.
 * {@link #register} throws {@link UnsupportedOperationException}: there are no readiness sources.
 */
public final class VirtualTimeEngine extends SourcelessEngine {

    private final ManualClock clock;

    /**
     * An engine that moves {@code clock}; the loop must read the same clock.
     *
     * @param clock the virtual clock, advanced only by this engine while the loop runs
     */
    public VirtualTimeEngine(ManualClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The clock this engine moves. */
    public ManualClock clock() {
        return clock;
    }

    /**
     * Advances the clock by {@code timeoutNanos} if positive and no wakeup is pending; parks until
     * woken if negative; returns at once if zero.
     *
     * @return always 0
     * @throws IllegalStateException if the engine is closed
     */
    @Override
    public int poll(long timeoutNanos) {
        checkOpen();
        if (timeoutNanos < 0) {
            parker.await(-1);
        } else if (!parker.await(0) && timeoutNanos > 0) {
            clock.advanceBy(timeoutNanos);
        }
        return 0;
    }

    @Override
    public String toString() {
        return "VirtualTimeEngine[" + clock + "]";
    }
}
