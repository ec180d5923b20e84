package dev.weft.promise;

import java.util.Objects;

/**
 * The capability to resolve one pending promise (Lwt's {@code 'a Lwt.u}), returned by
 * {@link Promise#pending()} and {@link Promise#task()}.
 *
 * <p><b>Threading: confined to the promise's thread</b>, like the promise itself.
 *
 * <p>A promise is resolved once: a second {@code resolve} or {@code reject} throws
 * {@link IllegalStateException} and the promise keeps its first outcome — except that resolving a
 * promise that was cancelled is silently ignored, as in Lwt, because the canceller and the
 * resolver routinely race.
 */
public final class Resolver<T> {
    private final Promise<T> promise;

    Resolver(Promise<T> promise) {
        this.promise = promise;
    }

    /** The promise this resolver settles. */
    public Promise<T> promise() {
        return promise;
    }

    /**
     * Fulfils the promise with {@code value} and runs its callbacks, and everything they
     * trigger, before returning (Lwt.wakeup).
     *
     * @throws IllegalStateException if the promise is already resolved (and not cancelled)
     */
    public void resolve(T value) {
        complete(Promise.FULFILLED, value, false);
    }

    /**
     * Rejects the promise with {@code failure}; callbacks run before this returns (Lwt.wakeup_exn).
     *
     * @throws IllegalStateException if the promise is already resolved (and not cancelled)
     */
    public void reject(Throwable failure) {
        complete(Promise.REJECTED, Objects.requireNonNull(failure, "failure"), false);
    }

    /**
     * Fulfils the promise at once; if called from inside a callback, its callbacks run after the
     * current resolution finishes, in the order of such calls (Lwt.wakeup_later). Use it to avoid
     * re-entering code that is itself running as a callback.
     *
     * @throws IllegalStateException if the promise is already resolved (and not cancelled)
     */
    public void resolveLater(T value) {
        complete(Promise.FULFILLED, value, true);
    }

    /**
     * Rejects the promise at once, running its callbacks like {@link #resolveLater}.
     *
     * @throws IllegalStateException if the promise is already resolved (and not cancelled)
     */
    public void rejectLater(Throwable failure) {
        complete(Promise.REJECTED, Objects.requireNonNull(failure, "failure"), true);
    }

    private void complete(byte state, Object result, boolean later) {
        Promise<T> root = promise.resolvedRoot();
        if (root.state != Promise.PENDING) {
            if (Promise.isCancellation(root.state, root.value)) {
                return;
            }
            throw new IllegalStateException("promise already resolved: " + root
                    + "; a promise is resolved once (did two producers race?)");
        }
        Resolution resolution = Resolution.current();
        if (later) {
            resolution.resolveLater(root, state, result);
        } else {
            resolution.resolveNow(root, state, result);
        }
    }
}
