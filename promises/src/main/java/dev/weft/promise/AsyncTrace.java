package dev.weft.promise;

import java.io.Serial;
import java.util.Arrays;
import java.util.Set;

/**
 * The async stack trace of a failure: the sites (file:line) of the {@code flatMap}/{@code map}/...
 * calls a rejection travelled through, in the order it passed them (from where it was raised outward). Attached to the failure as a suppressed
 * exception, so an ordinary {@code printStackTrace} shows it. Recorded only with
 * {@code -Dweft.debug=true}.
 */
public final class AsyncTrace extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private AsyncTrace() {
        super("async trace: the promise chain this failure travelled through",
                null, false, true);
        setStackTrace(new StackTraceElement[0]);
    }

    /**
     * The classes of the promise core, whose frames are never a call site. Only these: other code
     * of this package (the concurrency library built on promises, tests) calls flatMap like any
     * user, and its frames are the sites a reader wants to see.
     */
    private static final Set<String> CORE = Set.of(Promise.class.getName(), Callback.class.getName(),
            Combinators.class.getName(), Resolution.class.getName(), Resolver.class.getName(),
            ResolvablePromise.class.getName(), ChainedPromise.class.getName(),
            AsyncTrace.class.getName(), Debug.class.getName(), LoopHooks.class.getName());

    /**
     * Where code called into the promise API: the first frame outside the core classes.
     * Only called in debug mode, when a callback node is created.
     */
    static StackTraceElement callSite() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !isCore(f.getClassName()))
                .findFirst()
                .map(StackWalker.StackFrame::toStackTraceElement)
                .orElse(null));
    }

    /** Whether {@code className} is a core class or nested in one (lambdas and callbacks are). */
    static boolean isCore(String className) {
        int nested = className.indexOf('$');
        return CORE.contains(nested < 0 ? className : className.substring(0, nested));
    }

    /**
     * The most sites one trace keeps: the first ones the failure passed, nearest its origin.
     * Without a bound, a failure passing a long chain would copy a growing array at every step
     * (a million binds: quadratic, for hours).
     */
    static final int MAX_SITES = 256;

    /**
     * Appends {@code site} to the trace of {@code failure}, creating the trace on first use,
     * unless the trace holds {@link #MAX_SITES} already.
     */
    static void record(Throwable failure, StackTraceElement site) {
        if (site == null) {
            return;
        }
        AsyncTrace trace = find(failure);
        if (trace == null) {
            trace = new AsyncTrace();
            failure.addSuppressed(trace);
        }
        StackTraceElement[] sites = trace.getStackTrace();
        if (sites.length >= MAX_SITES) {
            return;
        }
        StackTraceElement[] grown = Arrays.copyOf(sites, sites.length + 1);
        grown[sites.length] = site;
        trace.setStackTrace(grown);
    }

    /** The trace already attached to {@code failure}, or null. */
    static AsyncTrace find(Throwable failure) {
        for (Throwable suppressed : failure.getSuppressed()) {
            if (suppressed instanceof AsyncTrace trace) {
                return trace;
            }
        }
        return null;
    }
}
