package dev.weft.promise;

import java.io.Serial;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * The async stack trace of a failure, recorded only with {@code -Dweft.debug=true}: the sites
 * (class, method, file:line) where the promise it rejected was made and of every
 * {@code flatMap}/{@code map}/{@code recover}/combinator it travelled through to the caller,
 * innermost first, each site once, like a synchronous stack trace. Each element's method name
 * carries the promise operation in brackets, e.g. {@code app.Main.step2 [map](Main.java:12)}; the
 * element of {@code all}, {@code choose} or {@code pick} names the input that failed, e.g.
 * {@code [all: input #1 of 3 failed]} (inputs counted from 0, in list order; {@code join} keeps no
 * inputs, so that it holds no values, and shows as {@code [join]}).
 *
 * <p><b>Why a suppressed exception.</b> The trace is attached to the failure with
 * {@link Throwable#addSuppressed}, as this exception, whose stack trace is the synthetic list of
 * sites. Every printer ({@code printStackTrace}, loggers) shows suppressed exceptions with their
 * frames, so the trace reads like the frames of a stack trace; the failure keeps its type, its
 * own (synchronous) stack trace and its cause, which user code may inspect or have set. A cause
 * can be set only once and would hide the user's; rewriting the failure's own stack trace would
 * lose the frames of where it was thrown.
 *
 * <p><b>Bounded.</b> A site already in the trace is not added again, so a loop that passes the
 * same binds a million times keeps one element per distinct site; and a trace keeps at most
 * {@link #MAX_SITES} elements: past that, the second-to-last element counts the sites elided and
 * the last is the outermost site seen so far.
 *
 * <p>Threading: built on the thread that owns the promises, as the failure travels.
 */
public final class AsyncTrace extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private AsyncTrace() {
        super("async trace: where the rejected promise was made and the promise chain its failure"
                + " travelled through, innermost first", null, false, true);
        setStackTrace(NO_SITES);
    }

    static final StackTraceElement[] NO_SITES = new StackTraceElement[0];

    /** The class name of the element that counts elided sites. */
    static final String ELIDED = "...";

    /**
     * The classes of the promise core, whose frames are never a call site. Only these: other code
     * of this package (the concurrency library built on promises, tests) calls flatMap like any
     * user, and its frames are the sites a reader wants to see.
     */
    private static final Set<String> CORE = Set.of(Promise.class.getName(), Callback.class.getName(),
            Combinators.class.getName(), Resolution.class.getName(), Resolver.class.getName(),
            ResolvablePromise.class.getName(), ChainedPromise.class.getName(),
            AsyncTrace.class.getName(), Debug.class.getName(), LoopHooks.class.getName(),
            UnhandledRejections.class.getName(), PendingRegistry.class.getName());

    /**
     * Where user code called into the promise API: the first frame outside the core classes, its
     * method name labelled with the API method it called (the core frame just above it). Null
     * when the core itself called the API through a function the user passed as a method
     * reference ({@code recover(Promise::rejected)}): no user line made that promise. Debug mode
     * only.
     */
    static StackTraceElement callSite() {
        return StackWalker.getInstance().walk(frames -> {
            String api = null;
            boolean fromDrain = false;
            for (var it = frames.iterator(); it.hasNext(); ) {
                StackWalker.StackFrame frame = it.next();
                String className = frame.getClassName();
                if (isCore(className)) {
                    api = frame.getMethodName();
                    fromDrain |= className.equals(Resolution.class.getName());
                    continue;
                }
                return fromDrain ? null : labelled(frame.toStackTraceElement(), api);
            }
            return null;
        });
    }

    /** {@code site} with {@code label} in brackets after its method name. */
    static StackTraceElement labelled(StackTraceElement site, String label) {
        if (label == null) {
            return site;
        }
        return new StackTraceElement(site.getClassName(), site.getMethodName() + " [" + label + "]",
                site.getFileName(), site.getLineNumber());
    }

    /** Whether {@code className} is a core class or nested in one (lambdas and callbacks are). */
    static boolean isCore(String className) {
        int nested = className.indexOf('$');
        return CORE.contains(nested < 0 ? className : className.substring(0, nested));
    }

    /** The most elements one trace or one promise's list of sites keeps. */
    static final int MAX_SITES = 64;

    /** Appends {@code sites} to the trace of {@code failure}, creating the trace on first use. */
    static void record(Throwable failure, StackTraceElement... sites) {
        if (sites.length == 0 || sites[0] == null) {
            return;
        }
        AsyncTrace trace = find(failure);
        if (trace == null) {
            trace = new AsyncTrace();
            failure.addSuppressed(trace);
            if (find(failure) == null) {
                return; // the failure was made with suppression disabled: it cannot carry a trace
            }
        }
        StackTraceElement[] before = trace.getStackTrace();
        StackTraceElement[] after = append(before, sites);
        if (after != before) {
            trace.setStackTrace(after);
        }
    }

    /**
     * {@code outer} after {@code inner}, each site once, at most {@link #MAX_SITES} elements (see
     * the class notes); {@code inner} itself if nothing is added.
     */
    static StackTraceElement[] append(StackTraceElement[] inner, StackTraceElement[] outer) {
        StackTraceElement[] result = inner;
        for (StackTraceElement site : outer) {
            if (site != null && !contains(result, site)) {
                result = appendOne(result, site);
            }
        }
        return result;
    }

    private static StackTraceElement[] appendOne(StackTraceElement[] sites, StackTraceElement site) {
        int n = sites.length;
        if (n < MAX_SITES) {
            StackTraceElement[] grown = Arrays.copyOf(sites, n + 1);
            grown[n] = site;
            return grown;
        }
        StackTraceElement[] full = sites.clone();
        int elided = full[n - 2].getClassName().equals(ELIDED) ? full[n - 2].getLineNumber() + 1 : 2;
        full[n - 2] = new StackTraceElement(ELIDED, elided + " more async sites elided", null, elided);
        full[n - 1] = site;
        return full;
    }

    /** Whether {@code sites} has an element at the same place (class, file, line) as {@code site}. */
    private static boolean contains(StackTraceElement[] sites, StackTraceElement site) {
        for (StackTraceElement s : sites) {
            if (s.getLineNumber() == site.getLineNumber() && s.getClassName().equals(site.getClassName())
                    && Objects.equals(s.getFileName(), site.getFileName())) {
                return true;
            }
        }
        return false;
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

    /**
     * Records in {@code failure}'s trace that input {@code failed} of the combinator that made
     * {@code result} failed: the combinator's site, labelled with the input's index. Debug mode only.
     */
    static void recordInput(Throwable failure, Promise<?> result, Promise<?>[] inputs, Promise<?> failed) {
        StackTraceElement[] sites = Debug.sitesOf(result);
        if (sites.length == 0) {
            return;
        }
        recordInputAt(sites[0], failure, inputs, failed);
    }

    /**
     * Like {@link #recordInput} for a combinator that resolves at once, its inputs being resolved
     * already: the site is the caller's. Debug mode only.
     */
    static void recordInputHere(Throwable failure, Promise<?>[] inputs, Promise<?> failed) {
        StackTraceElement site = callSite();
        if (site != null) {
            recordInputAt(site, failure, inputs, failed);
        }
    }

    private static void recordInputAt(StackTraceElement site, Throwable failure, Promise<?>[] inputs,
            Promise<?> failed) {
        Promise<?> failedRoot = failed.underlying();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].underlying() == failedRoot) {
                record(failure, inputNamed(site, i, inputs.length));
                return;
            }
        }
    }

    /** A combinator's {@code site} relabelled to name input {@code index} of {@code count}. */
    static StackTraceElement inputNamed(StackTraceElement site, int index, int count) {
        String method = site.getMethodName();
        int bracket = method.indexOf(" [");
        String combinator = bracket < 0 ? "combinator" : method.substring(bracket + 2, method.length() - 1);
        String user = bracket < 0 ? method : method.substring(0, bracket);
        return new StackTraceElement(site.getClassName(), user + " [" + combinator + ": input #" + index
                + " of " + count + " failed]", site.getFileName(), site.getLineNumber());
    }
}
