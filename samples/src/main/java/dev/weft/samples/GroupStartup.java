package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopGroup;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Starting a server on a group of loops so that a failure part-way leaves nothing open: a loop of
 * the group may close while the server starts (a signal, or a loop that failed), and then the
 * listeners, sockets and loops already made would stay open behind an exception nobody can act
 * on, since only the startup holds the group. So a failed startup closes the whole group, which
 * closes every listener and socket its loops made, and fails with the typed error the loop gave
 * ({@link dev.weft.loop.LoopClosed} for a loop that refused work or an exit hook), not a wrapper.
 *
 * <p>Threading: called from a thread outside the group, which waits for each loop's part.
 */
final class GroupStartup {
    private GroupStartup() {}

    /**
     * Runs {@code startup} and returns what it returns; if it throws, closes {@code group} without
     * grace (no connection was served yet) and throws the failure, unwrapped from the future that
     * carried it across threads.
     */
    static <T> T orCloseGroup(LoopGroup group, Supplier<T> startup) {
        try {
            return startup.get();
        } catch (RuntimeException | Error e) {
            Throwable failure = cause(e);
            try {
                group.close(Duration.ZERO);
            } catch (RuntimeException closeFailure) {
                failure.addSuppressed(closeFailure);
            }
            throw rethrown(failure);
        }
    }

    /**
     * Calls {@code work} on {@code loop}'s thread and waits for it: its value, or what it threw,
     * unwrapped ({@link dev.weft.loop.LoopClosed} if the loop refused the work).
     */
    static <T> T onLoop(Loop loop, Callable<T> work) {
        try {
            return loop.call(work).get();
        } catch (ExecutionException e) {
            throw rethrown(cause(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + loop.name() + " set up the server", e);
        }
    }

    /** The failure a future carried across threads, without the future's wrappers. */
    private static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** {@code failure} to throw as it is: an unchecked exception is returned, an error thrown, a checked one wrapped. */
    private static RuntimeException rethrown(Throwable failure) {
        if (failure instanceof Error error) {
            throw error;
        }
        return failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }
}
