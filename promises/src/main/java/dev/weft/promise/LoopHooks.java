package dev.weft.promise;

import java.io.PrintStream;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * The event loop's side of the promise core: the only place this module meets a scheduler.
 * A loop calls {@link #wakeupPaused()} (or {@link #wakeupPausedRounds}) once per iteration to
 * resume what {@link Promise#pause()} parked, asks {@link #pausedCount()} before it blocks, and
 * may replace the hook that receives exceptions thrown by callbacks that have nowhere else to
 * report them.
 *
 * <p>Paused promises are kept per thread: these methods act on the calling thread's queue, which
 * is the loop thread's when a loop calls them. The async-exception hook is per thread with a
 * JVM-wide default: a report goes to the hook installed on the reporting thread
 * ({@link #setThreadAsyncExceptionHook}; a loop built with its own hook installs it on its thread
 * while it runs), else to the default ({@link #setAsyncExceptionHook}). So two libraries that
 * each run a loop in one JVM each get their own loop's failures, and neither replaces the
 * other's hook.
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

    /** The hook installed on each thread, or null there for the default. */
    private static final ThreadLocal<Consumer<? super Throwable>> THREAD_HOOK = new ThreadLocal<>();

    private LoopHooks() {}

    /**
     * Resolves every promise that {@link Promise#pause()} parked on this thread before the call,
     * and runs every task {@link Promise#pauseThen} parked, in the order they paused (Lwt's
     * wakeup_paused). What is paused while this runs waits for the next call, so one call never
     * loops forever.
     *
     * @return how many paused promises and tasks were woken
     */
    public static int wakeupPaused() {
        return Resolution.current().wakeupPaused();
    }

    /**
     * Runs up to {@code maxRounds} rounds of {@link #wakeupPaused()} in one call: the first
     * round always, and each further one only while promises are paused on this thread and
     * {@code anotherRound}, asked between two rounds with the number the last round woke, accepts.
     * Each round keeps {@link #wakeupPaused()}'s order: the promises paused before it began, in
     * the order they paused. For a loop that runs several rounds before it polls for I/O; the
     * same as calling {@link #wakeupPaused()} that many times, but the promise core keeps the
     * rounds in one compiled loop. What {@code anotherRound} throws ends the call and reaches
     * the caller; the promises still paused stay paused, for the next call.
     *
     * @param maxRounds the most rounds to run; below 1 counts as 1
     * @param anotherRound whether to start another round, given what the last one woke
     * @return how many paused promises were woken, over all rounds
     */
    public static int wakeupPausedRounds(int maxRounds, IntPredicate anotherRound) {
        return wakeupPausedRounds(maxRounds, 1, anotherRound);
    }

    /**
     * Runs pause rounds as {@link #wakeupPausedRounds(int, IntPredicate)} does, but asks {@code
     * anotherRound} less often: after the first round, then only once at least {@code
     * wokenPerAsk} promises were woken since it was last asked, given that number; in between,
     * another round starts while promises are paused and fewer than {@code maxRounds} have run.
     * For a loop whose checks between rounds (other threads' work, the clock) cost as much as a
     * cheap pause: asked between every two rounds, they would be paid once per pause by a chain
     * that pauses in a loop. With {@code wokenPerAsk} 1 it is the other method.
     *
     * @param maxRounds the most rounds to run; below 1 counts as 1
     * @param wokenPerAsk how many promises, at least, are woken between two asks after the first;
     *     below 1 counts as 1
     * @param anotherRound whether to start another round, given the promises woken since it was
     *     last asked (or by the first round)
     * @return how many paused promises were woken, over all rounds
     */
    public static int wakeupPausedRounds(int maxRounds, int wokenPerAsk, IntPredicate anotherRound) {
        Objects.requireNonNull(anotherRound, "anotherRound");
        return Resolution.current().wakeupPausedRounds(maxRounds, wokenPerAsk, anotherRound);
    }

    /**
     * How many rounds the last call on this thread that settled paused promises ran ({@code
     * wakeupPausedRounds}, and also {@link #wakeupPaused()} and {@link #rejectPaused}; 0 before
     * the first); for a loop's metrics, since {@code anotherRound} is not asked between every two.
     * Read it right after the call it describes.
     */
    public static int lastPauseRounds() {
        return Resolution.current().lastPauseRounds();
    }

    /**
     * Rejects with {@code failure} every promise paused on this thread, and those their callbacks
     * pause meanwhile, for at most {@value Resolution#MAX_REJECT_ROUNDS} rounds: a chain that
     * pauses again each time its pause is rejected (a retry on any failure) would otherwise hold
     * the caller for ever. Whatever is still paused after the last round is dropped, left pending
     * as Lwt leaves every paused promise when its loop stops. {@link Promise#pauseThen} tasks
     * are dropped without running, as the success callback of a rejected pause would not run. A
     * loop calls this when it shuts down, so that nothing paused under it resumes under a later
     * loop on the same thread.
     *
     * @return how many paused promises were rejected
     */
    public static int rejectPaused(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        return Resolution.current().rejectPaused(failure);
    }

    /**
     * How many promises and {@link Promise#pauseThen} tasks are paused on this thread, waiting for
     * {@link #wakeupPaused()}.
     */
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
     * How many loops are bound to the calling thread ({@link #loopBound()} calls not yet undone by
     * {@link #loopUnbound()}): more than one when several loops share it (agents of one Agrona
     * {@code CompositeAgent}). A loop that shuts down asks it before {@link #rejectPaused}: the
     * paused queue is the thread's, so while another loop runs here its pauses are that loop's.
     */
    public static int loopsBoundHere() {
        return Resolution.current().loopsBoundHere();
    }

    /**
     * Sets the JVM-wide default hook that receives exceptions thrown by plain callbacks
     * ({@code onSuccess}, {@code onFailure}, ...), by {@link Promise#async} work, and by failed
     * promises nobody waits for, on every thread that has no hook of its own
     * ({@link #setThreadAsyncExceptionHook}). A library that runs its own loop should give that
     * loop its own hook ({@code Loop.builder().asyncExceptionHook(...)} in core-loop) rather than
     * set this one, which belongs to the application. The default prints them with their stack trace to {@code System.err} (it needs no file,
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
     * Installs {@code hook} as the calling thread's async-exception hook: reports made on this
     * thread go to it instead of the JVM-wide default. A loop with a hook of its own calls this when
     * it starts running on its thread and restores the previous hook when it stops; the same
     * failure rules apply as for {@link #setAsyncExceptionHook} (a hook that throws is reported to
     * the built-in default). Acts on the calling thread only.
     *
     * @param hook the thread's hook; {@code null} makes the thread use the JVM-wide default again
     * @return the hook the thread had before, or {@code null} if it used the default
     */
    public static Consumer<? super Throwable> setThreadAsyncExceptionHook(Consumer<? super Throwable> hook) {
        Consumer<? super Throwable> previous = THREAD_HOOK.get();
        if (hook == null) {
            THREAD_HOOK.remove();
        } else {
            THREAD_HOOK.set(hook);
        }
        return previous;
    }

    /**
     * In debug mode ({@code -Dweft.debug=true}), reports to the async-exception hook an {@link
     * UnhandledRejection} for each rejected promise of this thread that was garbage-collected
     * since the last call without anyone observing its failure; without debug mode does nothing.
     * A loop calls this once per iteration; a host that drives promises without a loop calls it
     * from time to time.
     *
     * <p>A failure is observed when a callback of any kind waited on the promise when it was
     * rejected, or when, afterwards, a handler ({@code recover}, {@code tryBind},
     * {@code andFinally}, {@code onFailure} and the other plain callbacks) is attached to it, a
     * combinator ({@code all}, {@code join}, {@code pick}, ...) takes it as an input, a
     * {@code flatMap}'s function returns it, or {@code failure()} or {@code value()} reads it (as
     * a loop's {@code run(p)} does). {@code map} and {@code flatMap} on a rejected promise do not
     * observe it: they return it as it is, unhandled. A cancelled promise is never reported.
     *
     * @return how many unhandled rejections were reported
     */
    public static int reportUnhandledRejections() {
        return Debug.ENABLED ? UnhandledRejections.drain() : 0;
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
     * Hands {@code failure} to the calling thread's async-exception hook, or the JVM-wide default
     * if the thread has none. Safe from any thread, and never throws: the loop calls it for
     * failures that must not end its run.
     */
    public static void reportAsyncException(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        try {
            Consumer<? super Throwable> hook = THREAD_HOOK.get();
            if (hook == null) {
                hook = asyncExceptionHook;
            }
            hook.accept(failure);
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
