package dev.weft.promise;

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
 *
 * <p><b>One object.</b> As in Lwt, where {@code wait ()} returns one value under two types, the
 * resolver and its {@link #promise()} are the same object, so a pending promise costs one
 * allocation. The two types keep the roles apart: code handed only the promise cannot resolve it
 * without a cast to this interface, which is a misuse (decision 003 in {@code docs/decisions}).
 */
public sealed interface Resolver<T> permits ResolvablePromise {

    /** The promise this resolver settles. */
    Promise<T> promise();

    /**
     * Fulfils the promise with {@code value} and runs its callbacks, and everything they
     * trigger, before returning (Lwt.wakeup).
     *
     * @throws IllegalStateException if the promise is already resolved (and not cancelled)
     */
    void resolve(T value);

    /**
     * Rejects the promise with {@code failure}; callbacks run before this returns (Lwt.wakeup_exn).
     *
     * @throws IllegalStateException if the promise is already resolved (and not cancelled)
     */
    void reject(Throwable failure);

    /**
     * Fulfils the promise at once; if called from inside a callback, its callbacks run after the
     * current resolution finishes, in the order of such calls (Lwt.wakeup_later). Use it to avoid
     * re-entering code that is itself running as a callback.
     *
     * @throws IllegalStateException if the promise is already resolved (and not cancelled)
     */
    void resolveLater(T value);

    /**
     * Rejects the promise at once, running its callbacks like {@link #resolveLater}.
     *
     * @throws IllegalStateException if the promise is already resolved (and not cancelled)
     */
    void rejectLater(Throwable failure);
}
