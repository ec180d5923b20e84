package dev.weft.promise;

import java.util.Objects;

/**
 * A promise made by {@link Promise#pending()} or {@link Promise#task()}, which is also its own
 * {@link Resolver}: one object where a promise and a separate resolver would take two.
 */
final class ResolvablePromise<T> extends Promise<T> implements Resolver<T> {

    ResolvablePromise(byte howToCancel) {
        super(PENDING, howToCancel, null);
    }

    @Override
    public Promise<T> promise() {
        return this;
    }

    @Override
    public void resolve(T value) {
        complete(FULFILLED, value, false);
    }

    @Override
    public void reject(Throwable failure) {
        complete(REJECTED, Objects.requireNonNull(failure, "failure"), false);
    }

    @Override
    public void resolveLater(T value) {
        complete(FULFILLED, value, true);
    }

    @Override
    public void rejectLater(Throwable failure) {
        complete(REJECTED, Objects.requireNonNull(failure, "failure"), true);
    }

    /**
     * The failure of a resolve from a thread that runs no loop, also handed to the async-exception
     * hook: the usual caller, a CompletableFuture callback, swallows what it throws.
     */
    private static IllegalStateException resolvedOffLoop(String operation) {
        IllegalStateException failure = new IllegalStateException("Resolver." + operation
                + " called on thread '" + Thread.currentThread().getName() + "', which runs no loop,"
                + " for a promise that has callbacks while a loop is running: promises are confined to"
                + " their loop's thread, and resolving one elsewhere races with the loop and does not"
                + " wake it. From another thread use Bridges.resolverFor(loop, resolver),"
                + " Bridges.fromStage(loop, stage) or loop.execute(...)");
        LoopHooks.reportAsyncException(failure);
        return failure;
    }

    /** The name of the Resolver method that asked for this outcome, for messages (as Lwt names its function). */
    private static String operation(byte outcome, boolean later) {
        if (outcome == FULFILLED) {
            return later ? "resolveLater" : "resolve";
        }
        return later ? "rejectLater" : "reject";
    }

    private void complete(byte outcome, Object result, boolean later) {
        Promise<T> root = resolvedRoot();
        if (root.state != PENDING) {
            if (isCancellation(root.state, root.value)) {
                return;
            }
            throw new IllegalStateException("Resolver." + operation(outcome, later) + ": promise already resolved: "
                    + root + "; a promise is resolved once (did two producers race?)");
        }
        Resolution resolution = Resolution.current();
        // The one check that catches cf.thenAccept(resolver::resolve) without debug mode: a
        // callback list means someone waits, usually a loop; a thread that runs no loop while a
        // loop runs is then the wrong thread. Two plain loads when it passes (callbacks, a field of
        // this thread's Resolution); the JVM-wide count is read only when this thread runs no loop.
        if (root.callbacks != null && resolution.foreignToRunningLoops()) {
            throw resolvedOffLoop(operation(outcome, later));
        }
        if (later) {
            resolution.resolveLater(root, outcome, result);
        } else {
            resolution.resolveNow(root, outcome, result);
        }
    }
}
