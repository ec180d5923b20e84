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

    private void complete(byte outcome, Object result, boolean later) {
        Promise<T> root = resolvedRoot();
        if (root.state != PENDING) {
            if (isCancellation(root.state, root.value)) {
                return;
            }
            throw new IllegalStateException("promise already resolved: " + root
                    + "; a promise is resolved once (did two producers race?)");
        }
        Resolution resolution = Resolution.current();
        if (later) {
            resolution.resolveLater(root, outcome, result);
        } else {
            resolution.resolveNow(root, outcome, result);
        }
    }
}
