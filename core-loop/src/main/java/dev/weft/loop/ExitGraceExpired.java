package dev.weft.loop;

import java.io.Serial;
import java.time.Duration;

/**
 * The grace period of a {@link Loop#close(Duration) close} ran out before the exit hooks were
 * done. Reported to the async-exception hook once for the hook that was still running (its
 * promise is then cancelled) and once for each hook called after the grace ran out whose promise
 * was still pending (it is not waited for, and cancelled); the loop then shuts down as usual.
 *
 * <p>What to do: make the hook finish sooner (bound its own waits), or give the close a longer
 * grace ({@link Loop.Builder#exitGrace}, {@link Loop#close(Duration)}).
 */
public final class ExitGraceExpired extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * The failure for {@code hook} of {@code loopName}.
     *
     * @param started whether the hook was running when the grace ran out, or was called after it
     */
    public ExitGraceExpired(String loopName, Duration grace, Object hook, boolean started) {
        super(loopName + ": the exit grace period (" + grace + ") ran out; exit hook " + hook
                + (started ? " was still running and was cancelled"
                        : " was called after it and not waited for; its pending promise was cancelled")
                + " (bound the hook's own waits, or close with a longer grace)", null, true, false);
    }
}
