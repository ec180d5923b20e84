package dev.weft.promise;

import java.io.Serial;

/**
 * The report, to the async-exception hook, of a rejected promise that was garbage-collected
 * without anyone observing its failure (Node's unhandledRejection). Made only with
 * {@code -Dweft.debug=true}; see {@link LoopHooks#reportUnhandledRejections()} for what counts
 * as observing a failure. Its cause is the failure; its stack trace is where the promise was made
 * and the promises it followed, innermost first, as in an {@link AsyncTrace} (and the failure
 * carries its own async trace, of the chain it travelled through).
 *
 * <p>Threading: made and reported on the thread that owned the promise.
 */
public final class UnhandledRejection extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    UnhandledRejection(Throwable failure, StackTraceElement[] creationSites) {
        super("a rejected promise was garbage-collected without its failure being observed (no"
                + " callback, combinator, run() or failure() read it): " + failure, failure, true, true);
        setStackTrace(creationSites);
    }
}
