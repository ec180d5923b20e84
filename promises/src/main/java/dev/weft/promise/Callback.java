package dev.weft.promise;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A callback waiting on a pending promise: one node of the promise's singly linked FIFO list
 * (the list's other kind of node is a {@link ChainedPromise}, the result of a pending
 * {@code flatMap} or {@code map}). Each node is used once, except a
 * {@link Shared} node, which waits on several promises at once.
 *
 * <p>{@link #fire} runs inside {@link Resolution}'s drain, with the resolved source promise. A
 * node that resolves a result promise returns it to the drain, never
 * running that promise's callbacks on the Java stack. Exceptions from user functions are caught
 * here: they reject the result, or go to the async-exception hook when there is no result.
 * A node that holds user code captures the current {@link Context} when it is made.
 */
abstract class Callback {
    /**
     * The next node in the source's list, a Callback or a {@link ChainedPromise}; cleared when
     * this node is taken off the work stack.
     */
    Object next;

    /**
     * Runs this callback for {@code source}, which is fulfilled or rejected, and returns the
     * promise it settled, if any (else null), as its last act: the running drain then runs that
     * promise's callbacks before anything else, with no work-stack push in the common case of a
     * chain. A callback settles at most one promise this way; anything else it resolves goes
     * through {@link Resolution#resolveNow} (for instance cancelling the losers of a race).
     */
    abstract Promise<?> fire(Promise<?> source);

    /**
     * Whether this node can no longer have an effect (its result was settled elsewhere), so that
     * a list may drop it before its source resolves. Most nodes are never dead.
     */
    boolean isDead() {
        return false;
    }

    /**
     * A node that may be the lone callback of several promises at once, because it needs nothing
     * from its place in a list: its {@link #fire} is told which promise resolved. Its own
     * {@code next} stays null for ever; where it must be linked to other nodes, a
     * {@link Delegate} stands in for it (see {@link Promise}'s class notes).
     */
    abstract static class Shared extends Callback {}

    /** Stands in for a {@link Shared} node in a list of several nodes. */
    static final class Delegate extends Callback {
        private final Shared target;

        Delegate(Shared target) {
            this.target = target;
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            return target.fire(source);
        }

        @Override
        boolean isDead() {
            return target.isDead();
        }
    }

    /**
     * Settles {@code result} like {@code outcome}: with its value or failure if it is resolved,
     * else by making {@code outcome} a proxy of {@code result} (see {@link Promise#follow}).
     */
    static Promise<?> follow(Promise<?> result, Promise<?> outcome) {
        return Promise.follow(result, outcome);
    }

    /** {@code recover} (Lwt's catch): on failure, follow the promise the handler returns. */
    static final class Recover<T> extends Callback {
        private final Function<? super Throwable, ? extends Promise<? extends T>> handler;
        private final Promise<T> result;

        Recover(Function<? super Throwable, ? extends Promise<? extends T>> handler, Promise<T> result) {
            this.handler = Context.captureFunction(handler);
            this.result = result;
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            if (source.state == Promise.FULFILLED) {
                return Promise.settleIfPending(result, Promise.FULFILLED, source.value);
            }
            Promise<? extends T> next;
            try {
                next = handler.apply((Throwable) source.value);
            } catch (Throwable failure) {
                return Promise.settleIfPending(result, Promise.REJECTED, failure);
            }
            return follow(result, next);
        }
    }

    /** {@code tryBind}: follow the promise of whichever branch matches the outcome. */
    static final class TryBind<T, U> extends Callback {
        private final Function<? super T, ? extends Promise<? extends U>> onSuccess;
        private final Function<? super Throwable, ? extends Promise<? extends U>> onFailure;
        private final Promise<U> result;

        TryBind(Function<? super T, ? extends Promise<? extends U>> onSuccess,
                Function<? super Throwable, ? extends Promise<? extends U>> onFailure, Promise<U> result) {
            this.onSuccess = Context.captureFunction(onSuccess);
            this.onFailure = Context.captureFunction(onFailure);
            this.result = result;
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            Promise<? extends U> next;
            try {
                next = source.state == Promise.FULFILLED
                        ? onSuccess.apply(Promise.<T>cast(source.value))
                        : onFailure.apply((Throwable) source.value);
            } catch (Throwable failure) {
                return Promise.settleIfPending(result, Promise.REJECTED, failure);
            }
            return follow(result, next);
        }
    }

    /**
     * {@code andFinally}: run the finaliser, wait for it, then settle like the source — unless
     * the finaliser failed, whose failure then replaces the source's outcome.
     */
    static final class Finally<T> extends Callback {
        private final Supplier<? extends Promise<?>> finaliser;
        private final Promise<T> result;

        Finally(Supplier<? extends Promise<?>> finaliser, Promise<T> result) {
            this.finaliser = Context.captureSupplier(finaliser);
            this.result = result;
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            Promise<?> done;
            try {
                done = Promise.requireReturned(finaliser.get());
            } catch (Throwable failure) {
                return Promise.settleIfPending(result, Promise.REJECTED, failure);
            }
            Promise<?> doneRoot = done.underlying();
            if (doneRoot.state == Promise.PENDING) {
                Promise.waitOn(result, doneRoot);
                doneRoot.addCallback(new AfterFinally(result, source.state, source.value));
                return null;
            }
            if (Debug.ENABLED) {
                Debug.observed(doneRoot);
            }
            return AfterFinally.settle(result, source.state, source.value, doneRoot);
        }
    }

    /** Second half of {@link Finally}: the finaliser's promise resolved. */
    static final class AfterFinally extends Callback {
        private final Promise<?> result;
        private final byte sourceState;
        private final Object sourceResult;

        AfterFinally(Promise<?> result, byte sourceState, Object sourceResult) {
            this.result = result;
            this.sourceState = sourceState;
            this.sourceResult = sourceResult;
        }

        @Override
        Promise<?> fire(Promise<?> finaliserDone) {
            return settle(result, sourceState, sourceResult, finaliserDone);
        }

        static Promise<?> settle(Promise<?> result, byte sourceState, Object sourceResult,
                Promise<?> finaliserDone) {
            if (finaliserDone.state == Promise.REJECTED) {
                return Promise.settleIfPending(result, Promise.REJECTED, finaliserDone.value);
            }
            return Promise.settleIfPending(result, sourceState, sourceResult);
        }
    }

    /** Copies the source's outcome to another promise if that one is still pending. */
    static final class Forward extends Callback {
        private final Promise<?> target;

        Forward(Promise<?> target) {
            this.target = target;
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            return Promise.settleIfPending(target, source.state, source.value);
        }

        @Override
        boolean isDead() {
            return target.underlying().state != Promise.PENDING;
        }
    }

    /**
     * A user's plain callback (onSuccess, onFailure, onTermination, onAny): it returns nothing, so
     * an exception it throws goes to the async-exception hook and the drain goes on.
     */
    static final class Listener<T> extends Callback {
        private final Consumer<? super T> onSuccess;
        private final Consumer<? super Throwable> onFailure;

        Listener(Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure) {
            this.onSuccess = Context.captureConsumer(onSuccess);
            this.onFailure = Context.captureConsumer(onFailure);
        }

        /** The success consumer a lone node held, already bound to its context, as a node of its own. */
        private Listener(Consumer<? super T> capturedOnSuccess) {
            this.onSuccess = capturedOnSuccess;
            this.onFailure = null;
        }

        /** A node for a lone success consumer (see {@link Promise}'s class notes) about to be linked. */
        static <T> Listener<T> ofCaptured(Consumer<? super T> capturedOnSuccess) {
            return new Listener<>(capturedOnSuccess);
        }

        /** Runs a lone success consumer for {@code source}, which is resolved: a Listener without the node. */
        static void runLone(Consumer<Object> onSuccess, Promise<?> source) {
            if (source.state != Promise.FULFILLED) {
                return;
            }
            try {
                onSuccess.accept(source.value);
            } catch (Throwable failure) {
                LoopHooks.reportAsyncException(failure);
            }
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            run(source.state, source.value);
            return null;
        }

        void run(byte state, Object result) {
            try {
                if (state == Promise.FULFILLED) {
                    if (onSuccess != null) {
                        onSuccess.accept(Promise.<T>cast(result));
                    }
                } else if (onFailure != null) {
                    onFailure.accept((Throwable) result);
                }
            } catch (Throwable failure) {
                LoopHooks.reportAsyncException(failure);
            }
        }
    }

    /**
     * {@code onCancel}: runs only if the source is rejected with {@link Cancelled}, and then
     * before the source's other callbacks (they are reordered when the source settles).
     */
    static final class OnCancel extends Callback {
        private final Runnable action;

        OnCancel(Runnable action) {
            this.action = Context.captureRunnable(action);
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            if (Promise.isCancellation(source.state, source.value)) {
                run(action);
            }
            return null;
        }

        static void run(Runnable action) {
            try {
                action.run();
            } catch (Throwable failure) {
                LoopHooks.reportAsyncException(failure);
            }
        }
    }
}
