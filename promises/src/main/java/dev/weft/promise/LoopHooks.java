package dev.weft.promise;

import java.io.PrintStream;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The event loop's side of the promise core: the only place this module meets a scheduler.
 * A loop calls {@link #wakeupPaused()} once per iteration to resume what {@link Promise#pause()}
 * parked, asks {@link #pausedCount()} before it blocks, and may replace the hook that receives
 * exceptions thrown by callbacks that have nowhere else to report them.
 *
 * <p>Paused promises are kept per thread: these methods act on the calling thread's queue, which
 * is the loop thread's when a loop calls them. The async-exception hook is global.
 */
public final class LoopHooks {
    /**
     * The default hook: the failure's stack trace on {@code System.err}, which is open from the
     * start. Not a logging framework on purpose: the hook must work when the process is out of
     * file descriptors (java.util.logging opens its configuration file on first use and fails
     * with EMFILE then) or out of memory, which is exactly when async exceptions come in bursts.
     */
    private static final Consumer<Throwable> PRINT_IT = LoopHooks::printToStandardError;

    private static volatile Consumer<? super Throwable> asyncExceptionHook = PRINT_IT;

    private LoopHooks() {}

    /**
     * Resolves every promise that {@link Promise#pause()} parked on this thread before the call,
     * in the order they paused (Lwt's wakeup_paused). Promises paused while this runs wait for
     * the next call, so one call never loops forever.
     *
     * @return how many paused promises were woken
     */
    public static int wakeupPaused() {
        return Resolution.current().wakeupPaused();
    }

    /**
     * Rejects with {@code failure} every promise paused on this thread, and those their callbacks
     * pause meanwhile. A loop calls this when it shuts down, so that nothing paused under it
     * resumes under a later loop on the same thread.
     *
     * @return how many paused promises were rejected
     */
    public static int rejectPaused(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        return Resolution.current().rejectPaused(failure);
    }

    /** How many promises are paused on this thread, waiting for {@link #wakeupPaused()}. */
    public static int pausedCount() {
        return Resolution.current().pausedCount();
    }

    /**
     * Declares that a loop is now bound to the calling thread, until {@link #loopUnbound()} on the
     * same thread. A loop calls this once when it takes its thread. While any loop is bound, a
     * thread that runs none may not resolve a promise that has callbacks: {@link Resolver#resolve}
     * and friends throw {@link IllegalStateException} there (and report it to the async-exception
     * hook), because such a promise belongs to a loop and resolving it off that loop's thread is a
     * data race that does not even wake the loop.
     */
    public static void loopBound() {
        Resolution.current().loopBound();
    }

    /**
     * Declares that a loop bound to the calling thread by {@link #loopBound()} has shut down. A
     * call on a thread with no loop bound does nothing.
     */
    public static void loopUnbound() {
        Resolution.current().loopUnbound();
    }

    /**
     * Sets the hook that receives exceptions thrown by plain callbacks ({@code onSuccess},
     * {@code onFailure}, ...), by {@link Promise#async} work, and by failed promises nobody waits
     * for. The default prints them with their stack trace to {@code System.err} (it needs no file,
     * so it works when the process is out of fds) and lets the loop run on; to route them to a
     * logging framework, install {@link #systemLoggerHook()} or a hook of your own.
     *
     * <p>A hook that throws is reported to the default hook (its failure first, the original
     * suppressed in it); if that fails too, the failure is dropped. {@link
     * #reportAsyncException} never throws, whatever the hook does.
     *
     * @param hook the new hook; {@code null} restores the default
     */
    public static void setAsyncExceptionHook(Consumer<? super Throwable> hook) {
        asyncExceptionHook = hook == null ? PRINT_IT : hook;
    }

    /**
     * A hook that logs through {@link System.Logger} {@code dev.weft.promise} at ERROR, and falls
     * back to the default (standard error) if logging itself fails, as java.util.logging does
     * when it cannot open its configuration file (EMFILE).
     */
    public static Consumer<Throwable> systemLoggerHook() {
        return failure -> {
            try {
                System.getLogger("dev.weft.promise").log(System.Logger.Level.ERROR,
                        "exception in a promise callback (async exception)", failure);
            } catch (Throwable loggingFailure) {
                failure.addSuppressed(loggingFailure);
                printToStandardError(failure);
            }
        };
    }

    /**
     * Hands {@code failure} to the async-exception hook. Safe from any thread, and never throws:
     * the loop calls it for failures that must not end its run.
     */
    public static void reportAsyncException(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        try {
            asyncExceptionHook.accept(failure);
        } catch (Throwable hookFailure) {
            try {
                hookFailure.addSuppressed(failure);
                PRINT_IT.accept(hookFailure);
            } catch (Throwable ignored) {
                // Standard error is gone or memory is: nowhere is left to report to, and
                // throwing would end the loop that asked.
            }
        }
    }

    /**
     * The promises made on the calling thread that are still pending, grouped by what they wait
     * on and where they were made (see {@link PendingReport}). Call it on the loop's thread: it
     * reads the promises' states. Empty, and saying so, unless debug mode
     * ({@code -Dweft.debug=true}) is on.
     *
     * @param heading the report's first line
     */
    public static PendingReport pendingReport(String heading) {
        return PendingRegistry.report(heading);
    }

    /**
     * For drivers: describes what {@code promise}, pending, waits on (a timer and its deadline, a
     * descriptor and its interest), for {@link #pendingReport}. The description is computed when a
     * report is taken, so it may say how long is left. Does nothing unless debug mode is on, so it
     * costs nothing on a hot path then.
     */
    public static void describePending(Promise<?> promise, Supplier<String> description) {
        if (Debug.ENABLED) {
            PendingRegistry.describe(Objects.requireNonNull(promise, "promise"),
                    Objects.requireNonNull(description, "description"));
        }
    }

    private static void printToStandardError(Throwable failure) {
        try {
            PrintStream err = System.err;
            synchronized (err) { // one trace at a time when several threads report
                err.println("weft: exception in a promise callback (async exception), the loop runs on:");
                failure.printStackTrace(err);
            }
        } catch (Throwable ignored) {
            // see reportAsyncException: never throw from the reporting path
        }
    }
}
