package dev.weft.loop;

import java.io.Serial;
import java.util.concurrent.RejectedExecutionException;

/**
 * The loop was closed: the failure of loop-owned work still pending at {@link Loop#close()}
 * (sleeps and timeouts, futures of {@code submit}s), and of work offered to a closed loop: every
 * call on a closed loop fails with it, in the promise or future the call returns, else thrown (the
 * rule is in {@link Loop}'s class javadoc, "After close()").
 *
 * <p>It is a {@link RejectedExecutionException}, so code written against {@link
 * java.util.concurrent.Executor} handles it as it handles a shut-down executor. What to do: stop
 * offering work to this loop; if the work must still happen, give it to a live loop.
 */
public final class LoopClosed extends RejectedExecutionException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** A failure saying what was rejected, e.g. {@code "sleep(PT1H)"} or {@code "submit"}. */
    public LoopClosed(String loopName, String what) {
        super(loopName + " is closed: " + what + " was rejected (the loop shut down before it could finish;"
                + " offer work only to a running loop)");
    }
}
