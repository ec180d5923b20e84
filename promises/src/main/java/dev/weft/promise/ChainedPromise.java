package dev.weft.promise;

import java.util.function.Function;

/**
 * The promise that {@code flatMap} or {@code map} returns for a pending input, which is at the
 * same time the callback node in that input's list: one 32-byte object per pending bind where a
 * separate result promise and node would take two objects and 48 bytes. Nothing outside this
 * package sees the difference: it is a {@link Promise} in every respect.
 *
 * <p>As a node it sits in its input's list like a {@link Callback}, linked through {@link #next}
 * (the list code in {@link Promise} and {@link Resolution} handles both kinds of node). Firing it
 * settles the promise itself, or whatever it forwards to once it has become a proxy. The function
 * is dropped once it has run, so a resolved promise does not keep what the function captured.
 * In debug mode the site of the flatMap or map call is kept in a side table ({@link Debug}), so
 * that a rejection passing through can name it in its async trace.
 */
abstract sealed class ChainedPromise<T, U> extends Promise<U> permits ChainedPromise.Bind, ChainedPromise.Map {
    /** The next node in the input's list; cleared when this node is taken off the work stack. */
    Object next;

    /** The user's function; null once it has run. */
    Function<? super T, ?> f;

    ChainedPromise(Function<? super T, ?> f, Promise<T> input) {
        super(PENDING, PROPAGATE_ONE, input);
        this.f = Context.captureFunction(f);
        if (Debug.ENABLED) {
            Debug.recordSite(this, AsyncTrace.callSite());
        }
    }

    /**
     * Runs for {@code source}, now resolved, and returns the promise it settled, as
     * {@link Callback#fire}: a rejection passes through; a value goes to the function, once.
     */
    final Promise<?> fire(Promise<?> source) {
        Function<? super T, ?> function = f;
        f = null; // a resolved promise keeps nothing its function captured
        if (source.state != FULFILLED) {
            if (Debug.ENABLED) {
                AsyncTrace.record((Throwable) source.value, Debug.siteOf(this));
            }
            return settleIfPending(this, REJECTED, source.value);
        }
        return applyAndSettle(function, Promise.<T>cast(source.value));
    }

    /** Calls the function with the input's value and settles this promise from its result. */
    abstract Promise<?> applyAndSettle(Function<? super T, ?> function, T value);

    /** {@code flatMap} on a pending input: follows the promise the function returns. */
    static final class Bind<T, U> extends ChainedPromise<T, U> {
        Bind(Function<? super T, ? extends Promise<? extends U>> f, Promise<T> input) {
            super(f, input);
        }

        @Override
        Promise<?> applyAndSettle(Function<? super T, ?> function, T value) {
            Promise<?> next;
            try {
                next = (Promise<?>) function.apply(value);
            } catch (Throwable failure) {
                return settleIfPending(this, REJECTED, failure);
            }
            return follow(this, next);
        }
    }

    /** {@code map} on a pending input: fulfils with the function's value. */
    static final class Map<T, U> extends ChainedPromise<T, U> {
        Map(Function<? super T, ? extends U> f, Promise<T> input) {
            super(f, input);
        }

        @Override
        Promise<?> applyAndSettle(Function<? super T, ?> function, T value) {
            Object mapped;
            byte outcome = FULFILLED;
            try {
                mapped = function.apply(value);
            } catch (Throwable failure) {
                mapped = failure;
                outcome = REJECTED;
            }
            return settleIfPending(this, outcome, mapped);
        }
    }
}
