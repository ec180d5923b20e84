package dev.weft.loop;

import java.io.Serial;
import java.time.Duration;

/**
 * The failure of {@link Loop#timeout} and {@link Loop#withTimeout} when time runs out (Lwt_unix's
 * {@code Timeout}).
 *
 * <p>It carries no stack trace: a timeout is an expected outcome, raised from a timer callback
 * whose stack says nothing about the code that set it up. The message names the duration.
 */
public final class Timeout extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The failure of a timeout of {@code duration}. */
    public Timeout(Duration duration) {
        super("timed out after " + duration.toMillis() + " ms (" + duration + ")", null, true, false);
    }
}
