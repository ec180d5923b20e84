package dev.weft.promise;

import java.io.Serial;

/**
 * The failure of a promise that was cancelled (Lwt's {@code Canceled}).
 *
 * <p>It carries no stack trace: cancellation is control flow, not a bug, and is raised often
 * (every lost {@link Promise#pick pick}). With {@code -Dweft.debug=true} an async trace is still
 * attached as a suppressed exception when it travels through binds.
 */
public final class Cancelled extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Creates the failure a cancelled promise is rejected with. */
    public Cancelled() {
        super("promise cancelled", null, true, false);
    }
}
