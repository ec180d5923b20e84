package dev.weft.loop;

import java.io.Serial;
import java.util.concurrent.RejectedExecutionException;

/**
 * The loop was closed: the failure of work offered to a closed loop, and of loop-owned work still
 * pending at {@link Loop#close()}. Every call on a closed loop fails with it, in the promise or
 * future the call returns, else thrown (the rule is in {@link Loop}'s class javadoc, "After
 * close()"). Immutable; thrown and read on any thread.
 *
 * <p>{@link #refused()} tells the two cases apart. <b>Refused</b>: the loop would not take the
 * work, which never ran (any call after the close; a {@code submit} still queued when the loop
 * shut down); giving it to a live loop runs it once. <b>Cut off</b>: the work had begun and was
 * still pending when the loop shut down (a {@code submit} whose work ran and whose promise had
 * not resolved, that promise then cancelled; a pending sleep, timeout or pause; the promise a
 * {@code run} waited for); what it did before the close has happened.
 *
 * <p>It is a {@link RejectedExecutionException}, so code written against {@link
 * java.util.concurrent.Executor} handles it as it handles a shut-down executor. What to do: stop
 * offering work to this loop; if the work must still happen, give it to a live loop (minding,
 * if it was cut off, what it did already).
 */
public final class LoopClosed extends RejectedExecutionException {
    @Serial
    private static final long serialVersionUID = 2L;

    /** Whether the work never ran; false if it began and was cut off. */
    private final boolean refused;

    /**
     * The failure of work the closed loop refused, which never ran: {@code what} names it, e.g.
     * {@code "sleep"} or {@code "submit"}.
     */
    public LoopClosed(String loopName, String what) {
        this(loopName + " is closed: " + what + " was refused and never ran (offer work only to a running loop)",
                true);
    }

    private LoopClosed(String message, boolean refused) {
        super(message);
        this.refused = refused;
    }

    /**
     * The failure of work that had begun and was still pending when the loop shut down: {@code
     * what} names it, e.g. {@code "submit's work"}.
     */
    public static LoopClosed cutOff(String loopName, String what) {
        return new LoopClosed(loopName + " shut down while " + what + " was still pending: it had begun and was"
                + " cut off (what it did before the close stands)", false);
    }

    /**
     * Whether the loop refused the work, which therefore never ran; false if the work had begun
     * and was cut off by the close (see the class notes).
     */
    public boolean refused() {
        return refused;
    }
}
