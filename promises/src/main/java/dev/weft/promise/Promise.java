package dev.weft.promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A value that will be available later, or a failure: Lwt's {@code 'a Lwt.t} for Java.
 *
 * <p><b>Threading: a promise belongs to the thread (the loop) that created it and is not
 * thread-safe.</b> Every method must be called on that thread; with {@code -Dweft.debug=true}
 * each call checks this and fails fast naming both threads. To reach a loop from another thread
 * use the loop's {@code execute}/{@code submit}.
 *
 * <p>A promise is <em>pending</em>, then <em>fulfilled</em> with a value (possibly null) or
 * <em>rejected</em> with a {@link Throwable}, once and for ever. Callbacks added with
 * {@link #flatMap}, {@link #map}, {@link #onSuccess} and friends run when it resolves, in the order
 * they were added — except that {@link #onCancel} callbacks run first when the failure is
 * {@link Cancelled}. On an already-resolved promise they run at once. A function passed to
 * {@code flatMap}, {@code map}, {@code recover}, {@code tryBind} or {@code andFinally} that throws
 * rejects the promise that call returned, even when the input was already resolved; a plain
 * callback that throws reports to {@link LoopHooks#setAsyncExceptionHook the async-exception hook}.
 *
 * <p>Cancellation follows Lwt: {@link #cancel()} rejects with {@link Cancelled} the cancelable
 * promises ({@link #task()}) that this promise is waiting on at that moment, following bind
 * chains down to them; a {@link #pending()} promise cannot be cancelled.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Representation.</b> One mutable object of 24 bytes per promise, with the fields
 * {@code state}, {@code value}, {@code howToCancel} and a FIFO list of {@link Callback} nodes.
 * The list is reached through its last node ({@code callbacks}). A list of one node is that
 * node, its {@code next} null; a longer list is a circle whose last node's {@code next} is the
 * first: one field gives O(1) append and O(1) splice (for proxies), where head and tail fields
 * would make every promise 8 bytes bigger. Settling cuts the circle into an ordinary
 * null-terminated list. Most promises have exactly one callback, which then costs no link
 * writes at all; and because a lone node's {@code next} is never written, one
 * {@link Callback.Shared shared} node can be the lone callback of many promises at once ({@code
 * all} and {@code join} wait on all their inputs with one node); it is wrapped in a
 * {@link Callback.Delegate} of its own before it is ever linked to another node. In the same
 * way {@code onSuccess} on a pending promise that has no callback yet stores the user's
 * {@link Consumer} itself as the lone node, with no {@link Callback.Listener} around it (a
 * {@code pause().onSuccess(f)} loop then allocates only its promise); the drain tells it apart
 * as the one node that is neither a Callback nor a ChainedPromise, and it is wrapped in a Listener
 * before it is ever linked. The owner thread checked in debug mode is kept in a side table
 * ({@link Debug}), not in the object. {@code value} means different things by state: the value when
 * FULFILLED; the Throwable when REJECTED; the promise this one forwards to when PROXY; and while
 * PENDING, what {@code cancel()} acts on: nothing (NOT_CANCELABLE), this promise (CANCEL_THIS),
 * one promise (PROPAGATE_ONE: the input a bind is waiting on) or an array of promises
 * (PROPAGATE_SEVERAL: the inputs of a combinator). Only a pending promise has callbacks.
 *
 * <p><b>Proxies.</b> When the function of a {@code flatMap} returns a promise {@code inner} that
 * is still pending, the promise {@code outer} that flatMap returned must from then on behave as
 * {@code inner}. As in Lwt, {@code inner} becomes a PROXY of {@code outer}: inner's callbacks and
 * its way of cancelling move to outer, and inner forwards every later operation to outer. The
 * direction matters: a loop {@code loop() = read().flatMap(x -> loop())} makes each new inner a
 * proxy of the one outer promise the caller holds, so the chain stays one promise long and the
 * loop runs in constant memory. {@link #underlying()} follows proxies and compresses the path.
 *
 * <p><b>Dead callbacks.</b> A callback of a race ({@code choose}, {@code pick}, {@code nchoose}...)
 * that lost stays in the lists of the other inputs; it is dead (it can have no effect) but
 * unlinking it at once would cost a walk of each list. As in Lwt, the race instead counts it in
 * each input's {@code deadCallbacks} and a list is swept once that count reaches
 * {@link #SWEEP_THRESHOLD}, so a long-lived promise that loses race after race keeps a bounded
 * list at an amortised constant cost per race. Dead nodes at the head are also dropped whenever a
 * callback is added.
 *
 * <p><b>Resolution.</b> Settling a promise detaches its callback list and hands it to the
 * per-thread drain loop in {@link Resolution}; callbacks run from there, depth-first, and a
 * callback that settles another promise returns that promise to the loop, which runs its list
 * next (keeping the rest of the current list on an explicit work stack), instead of calling it.
 * So a chain of a million binds resolves with a constant Java stack, while callbacks of one promise
 * still run in registration order and a resolve returns only after everything it triggered ran.
 *
 * <p><b>Nesting.</b> flatMap on a fulfilled promise calls its function at once, on the caller's
 * stack. Past {@link Resolution#MAX_NESTING} such calls nested inside each other, the call is
 * queued instead and run as the outermost one unwinds, so recursion through resolved promises
 * (a tail call in OCaml) cannot overflow the Java stack.
 *
 * <p><b>Cancellation.</b> {@code cancel()} walks {@code howToCancel} links (iteratively) to collect
 * the cancelable promises below, then rejects each with {@link Cancelled} as a resolve would.
 * The rejection flows forward through the chain like any failure, and each promise on the way
 * runs its {@code onCancel} callbacks before its others.
 */
public sealed class Promise<T> permits ChainedPromise, ResolvablePromise {
    static final byte PENDING = 0;
    static final byte FULFILLED = 1;
    static final byte REJECTED = 2;
    static final byte PROXY = 3;

    static final byte NOT_CANCELABLE = 0;
    static final byte CANCEL_THIS = 1;
    static final byte PROPAGATE_ONE = 2;
    static final byte PROPAGATE_SEVERAL = 3;

    /** How many dead callbacks a pending list may gather before it is swept (Lwt uses 42 too). */
    static final int SWEEP_THRESHOLD = 42;

    /** Shared by every thread, so it has no owner: a resolved promise is never written again. */
    private static final Promise<Void> UNIT = new Promise<>(FULFILLED, null);

    // Three small fields share the 4 bytes left after a compressed 12-byte object header, so with
    // value and callbacks a promise is 24 bytes (AllocationTest holds this).
    byte state;
    byte howToCancel;
    /** Callbacks in this pending root's list known to be dead since its last sweep. */
    short deadCallbacks;
    Object value;
    /**
     * The LAST node of this pending root's callback list, or null: a lone node, or the last of a
     * circle (its next is the first). A node is a {@link Callback} or a {@link ChainedPromise};
     * see {@link #nextOf}.
     */
    Object callbacks;

    Promise(byte state, byte howToCancel, Object value) {
        this.state = state;
        this.howToCancel = howToCancel;
        this.value = value;
        if (Debug.ENABLED) {
            Debug.created(this);
        }
    }

    /** A promise with no owner: only for {@link #UNIT}, which every thread shares. */
    private Promise(byte state, Object value) {
        this.state = state;
        this.howToCancel = NOT_CANCELABLE;
        this.value = value;
    }

    // ---------------------------------------------------------------- creating promises

    /** A promise already fulfilled with {@code value} (Lwt.return). */
    public static <T> Promise<T> of(T value) {
        return new Promise<>(FULFILLED, NOT_CANCELABLE, value);
    }

    /** The shared promise fulfilled with {@code null} (Lwt.return_unit). */
    public static Promise<Void> unit() {
        return UNIT;
    }

    /** A promise already rejected with {@code failure} (Lwt.fail). */
    public static <T> Promise<T> rejected(Throwable failure) {
        return new Promise<>(REJECTED, NOT_CANCELABLE, Objects.requireNonNull(failure, "failure"));
    }

    /**
     * A pending promise that {@link #cancel()} cannot touch, and the resolver that settles it
     * (Lwt.wait).
     */
    public static <T> Resolver<T> pending() {
        return new ResolvablePromise<>(NOT_CANCELABLE);
    }

    /**
     * A pending promise that {@link #cancel()} rejects with {@link Cancelled}, and the resolver
     * that settles it (Lwt.task). Use it for work that can be abandoned: a read, a sleep.
     */
    public static <T> Resolver<T> task() {
        return new ResolvablePromise<>(CANCEL_THIS);
    }

    /**
     * Calls {@code f} and returns its promise; an exception thrown by {@code f}, or a null result,
     * becomes a rejected promise (Lwt.apply; with {@link #recover} it is Lwt.catch).
     */
    public static <T> Promise<T> apply(Supplier<? extends Promise<? extends T>> f) {
        try {
            return cast(requireReturned(f.get()));
        } catch (Throwable failure) {
            return rejected(failure);
        }
    }

    /**
     * Calls {@code f}: its value fulfils, its exception rejects the returned promise (Lwt.wrap).
     * A {@link Callable}, so {@code f} may throw checked exceptions: they reject too.
     */
    public static <T> Promise<T> wrap(Callable<? extends T> f) {
        try {
            return of(f.call());
        } catch (Throwable failure) {
            return rejected(failure);
        }
    }

    /**
     * A promise resolved at the next iteration of this thread's loop, after the work that is
     * ready now (Lwt.pause). Cancelable. Promises paused in one iteration resume in the order
     * they paused. Without a loop on this thread nothing resumes it until
     * {@link LoopHooks#wakeupPaused()} is called.
     */
    public static Promise<Void> pause() {
        Promise<Void> promise = new Promise<>(PENDING, CANCEL_THIS, null);
        if (Debug.ENABLED) {
            PendingRegistry.describe(promise, () -> "pause(): resumes at the loop's next iteration");
        }
        Resolution.current().addPaused(promise);
        return promise;
    }

    /**
     * Runs {@code next} at the next iteration of this thread's loop, after the work that is ready
     * now, as {@code pause().onSuccess(ignored -> next.run())} would, but without a promise: the
     * loop's cheapest yield, for a callback that yields by re-scheduling itself (Netty's {@code
     * execute(this)} from its own event loop). Nothing is allocated unless a context value is
     * bound ({@link #withValue}): then {@code next} runs under the values bound now, as that
     * callback would. It resumes in the same queue as {@link #pause()}: pauses and tasks of one
     * iteration run in the order they were made, and what {@code next} pauses waits for a later
     * round. What it throws goes to the async-exception hook ({@link
     * LoopHooks#setAsyncExceptionHook}).
     *
     * <p>The price of having no promise: it cannot be cancelled, and nothing tells the caller
     * that it did not run. When the loop shuts down first, {@code next} is dropped without
     * running, where {@code pause()}'s promise would be rejected (so that {@code onSuccess}
     * callback would not run either); a task that must run even then belongs in the loop's
     * {@code execute}. Without a loop on this thread nothing runs it until {@link
     * LoopHooks#wakeupPaused()} is called.
     *
     * @param next what to run; not null
     */
    public static void pauseThen(Runnable next) {
        Objects.requireNonNull(next, "next");
        Resolution.current().addPaused(Context.captureRunnable(next));
    }

    /**
     * Runs {@code f} for its effects without waiting (Lwt.async): if its promise is rejected, the
     * failure goes to the async-exception hook.
     */
    public static void async(Supplier<? extends Promise<?>> f) {
        apply(f).onFailure(LoopHooks::reportAsyncException);
    }

    /**
     * Runs {@code f} for its effects without waiting (Lwt.dont_wait): if its promise is rejected,
     * {@code onFailure} gets the failure (and if that throws, the async-exception hook does).
     */
    public static void dontWait(Supplier<? extends Promise<?>> f, Consumer<? super Throwable> onFailure) {
        apply(f).onFailure(onFailure);
    }

    /**
     * Stops waiting for {@code p} (Lwt.ignore_result): if it is already rejected, throws its
     * failure now; if it is pending, a later rejection goes to the async-exception hook; a
     * fulfilment is ignored. Prefer {@link #async}, whose failure always goes to the hook, or
     * {@link #dontWait}: this one behaves differently depending on when {@code p} fails.
     *
     * @throws RuntimeException the failure of an already-rejected {@code p}, itself if it is
     *     unchecked ({@link Cancelled} included), else wrapped in a
     *     {@link java.util.concurrent.CompletionException} (as {@code CompletableFuture.join})
     * @throws Error the failure of an already-rejected {@code p} that is an Error
     */
    public static void ignoreResult(Promise<?> p) {
        Promise<?> root = p.resolvedRoot();
        switch (root.state) {
            case FULFILLED -> { }
            case REJECTED -> throw rethrowable((Throwable) root.value);
            default -> root.addCallback(new Callback.Listener<>(null, LoopHooks::reportAsyncException));
        }
    }

    /** {@code failure} as something {@code throw} takes unchanged, or wrapped if it is checked. */
    private static RuntimeException rethrowable(Throwable failure) {
        return switch (failure) {
            case RuntimeException unchecked -> unchecked;
            case Error error -> throw error;
            default -> new java.util.concurrent.CompletionException(failure);
        };
    }

    /**
     * Calls {@code body} with {@code key} bound to {@code value} (Lwt.with_value), and returns its
     * promise; a throw or a null result becomes a rejection, as in {@link #apply}. The binding is
     * visible, through {@link ContextKey#get()}, in {@code body} and in every callback registered
     * while it runs ({@code flatMap}, {@code map}, {@code recover}, {@code tryBind},
     * {@code andFinally}, the {@code on*} callbacks), however much later that callback runs: after a
     * {@link #pause()}, a timer, an I/O wait. Such a callback runs with the bindings it saw when it
     * was registered, and code it runs registers its own callbacks with them in turn, so the value
     * follows the chain. It is not visible to callbacks registered elsewhere, even when {@code
     * body} resolves their promise.
     *
     * <p>A nested {@code withValue} of the same key shadows the outer value for its own body and
     * chain; the outer value is back when it returns, whether {@code body} returned or threw. A
     * {@code null} value unbinds the key for {@code body} (Lwt's {@code None}). Bindings never
     * cross threads: work handed to another loop or thread does not see them.
     *
     * <p>Threading: call it on the loop's thread, as any promise method. Cost: nothing on other
     * chains; in a bound chain, one small wrapper per pending registration.
     */
    public static <K, T> Promise<T> withValue(ContextKey<K> key, K value,
            Supplier<? extends Promise<? extends T>> body) {
        return Context.withValue(key, value, body);
    }

    // ---------------------------------------------------------------- state

    /** Whether this promise is neither fulfilled nor rejected yet. */
    public boolean isPending() {
        return resolvedRoot().state == PENDING;
    }

    /** Whether this promise was fulfilled. */
    public boolean isFulfilled() {
        return resolvedRoot().state == FULFILLED;
    }

    /** Whether this promise was rejected (cancelled promises included). */
    public boolean isRejected() {
        return resolvedRoot().state == REJECTED;
    }

    /** Whether this promise was rejected with {@link Cancelled}. */
    public boolean isCancelled() {
        Promise<T> root = resolvedRoot();
        return isCancellation(root.state, root.value);
    }

    /**
     * The value this promise was fulfilled with.
     *
     * @throws IllegalStateException if it is pending or rejected (the failure is the cause)
     */
    public T value() {
        Promise<T> root = resolvedRoot();
        if (Debug.ENABLED) {
            Debug.observed(root);
        }
        return switch (root.state) {
            case FULFILLED -> root.fulfilledValue();
            case REJECTED -> throw new IllegalStateException("promise was rejected", (Throwable) root.value);
            default -> throw new IllegalStateException("promise is still pending");
        };
    }

    /**
     * The failure this promise was rejected with.
     *
     * @throws IllegalStateException if it is pending or fulfilled
     */
    public Throwable failure() {
        Promise<T> root = resolvedRoot();
        if (root.state != REJECTED) {
            throw new IllegalStateException(root.state == PENDING ? "promise is still pending" : "promise was fulfilled");
        }
        if (Debug.ENABLED) {
            Debug.observed(root);
        }
        return (Throwable) root.value;
    }

    // ---------------------------------------------------------------- sequencing

    /**
     * When this promise is fulfilled, calls {@code f} with its value and behaves from then on as
     * the promise {@code f} returns (Lwt.bind, {@code >>=}). A rejection skips {@code f}.
     * On a fulfilled promise {@code f} runs at once and its promise is returned as is: nothing is
     * allocated. Cancelling the returned promise cancels what the chain waits on at that moment.
     */
    public <U> Promise<U> flatMap(Function<? super T, ? extends Promise<? extends U>> f) {
        Promise<T> root = resolvedRoot();
        switch (root.state) {
            case FULFILLED -> {
                Resolution resolution = Resolution.current();
                if (resolution.nestingTooDeep()) {
                    // the result is its own node: queued, it runs as if root had just resolved
                    ChainedPromise<T, U> result = new ChainedPromise.Bind<>(f, root);
                    resolution.deferNested(result, root);
                    return result;
                }
                resolution.enterNested();
                try {
                    return cast(requireReturned(f.apply(root.fulfilledValue())));
                } catch (Throwable failure) {
                    return rejected(failure);
                } finally {
                    resolution.exitNested();
                }
            }
            case REJECTED -> {
                return passRejection(root);
            }
            default -> {
                ChainedPromise<T, U> result = new ChainedPromise.Bind<>(f, root);
                root.addCallback(result);
                return result;
            }
        }
    }

    /**
     * When this promise is fulfilled, fulfils the returned one with {@code f}'s value (Lwt.map,
     * {@code >|=}); if {@code f} throws, rejects it. A rejection skips {@code f}.
     */
    public <U> Promise<U> map(Function<? super T, ? extends U> f) {
        Promise<T> root = resolvedRoot();
        switch (root.state) {
            case FULFILLED -> {
                try {
                    return of(f.apply(root.fulfilledValue()));
                } catch (Throwable failure) {
                    return rejected(failure);
                }
            }
            case REJECTED -> {
                return passRejection(root);
            }
            default -> {
                ChainedPromise<T, U> result = new ChainedPromise.Map<>(f, root);
                root.addCallback(result);
                return result;
            }
        }
    }

    /**
     * When this promise is rejected, behaves as the promise {@code handler} returns for the
     * failure (Lwt.catch); a fulfilled value passes through. {@link Cancelled} is a failure like
     * any other here.
     */
    public Promise<T> recover(Function<? super Throwable, ? extends Promise<? extends T>> handler) {
        Promise<T> root = resolvedRoot();
        switch (root.state) {
            case FULFILLED -> {
                return root;
            }
            case REJECTED -> {
                if (Debug.ENABLED) {
                    Debug.observed(root);
                }
                Resolution resolution = Resolution.current();
                if (resolution.nestingTooDeep()) {
                    return deferNested(root, resolution, result -> new Callback.Recover<>(handler, result));
                }
                resolution.enterNested();
                try {
                    return cast(requireReturned(handler.apply((Throwable) root.value)));
                } catch (Throwable failure) {
                    return rejected(failure);
                } finally {
                    resolution.exitNested();
                }
            }
            default -> {
                Promise<T> result = new Promise<>(PENDING, PROPAGATE_ONE, root);
                root.addCallback(new Callback.Recover<>(handler, result));
                return result;
            }
        }
    }

    /**
     * When this promise is rejected, fulfils the returned one with {@code handler}'s value for the
     * failure (CompletableFuture's {@code exceptionally}, Reactor's {@code onErrorResume} with a
     * plain value); if {@code handler} throws, rejects it with that. A fulfilled value passes
     * through. It is {@code recover} for a handler that returns a value rather than a promise, as
     * {@link #map} is {@link #flatMap} for a function that does: one name for each, because an
     * overload of {@code recover} would make every implicitly typed lambda ambiguous.
     */
    public Promise<T> recoverValue(Function<? super Throwable, ? extends T> handler) {
        Objects.requireNonNull(handler, "handler");
        return recover(failure -> of(handler.apply(failure)));
    }

    /**
     * Behaves as the promise {@code onSuccess} returns for the value, or {@code onFailure} returns
     * for the failure (Lwt.try_bind).
     */
    public <U> Promise<U> tryBind(Function<? super T, ? extends Promise<? extends U>> onSuccess,
            Function<? super Throwable, ? extends Promise<? extends U>> onFailure) {
        Promise<T> root = resolvedRoot();
        if (root.state == PENDING) {
            Promise<U> result = new Promise<>(PENDING, PROPAGATE_ONE, root);
            root.addCallback(new Callback.TryBind<>(onSuccess, onFailure, result));
            return result;
        }
        if (Debug.ENABLED) {
            Debug.observed(root);
        }
        Resolution resolution = Resolution.current();
        if (resolution.nestingTooDeep()) {
            return deferNested(root, resolution, result -> new Callback.TryBind<>(onSuccess, onFailure, result));
        }
        resolution.enterNested();
        try {
            return cast(requireReturned(root.state == FULFILLED
                    ? onSuccess.apply(root.fulfilledValue())
                    : onFailure.apply((Throwable) root.value)));
        } catch (Throwable failure) {
            return rejected(failure);
        } finally {
            resolution.exitNested();
        }
    }

    /**
     * When this promise resolves — fulfilled, rejected or cancelled — runs {@code finaliser},
     * waits for its promise, then resolves like this one (Lwt.finalize). If the finaliser throws
     * or its promise is rejected, that failure replaces this promise's outcome.
     */
    public Promise<T> andFinally(Supplier<? extends Promise<?>> finaliser) {
        Promise<T> root = resolvedRoot();
        Promise<T> result = new Promise<>(PENDING, PROPAGATE_ONE, root);
        Callback.Finally<T> node = new Callback.Finally<>(finaliser, result);
        if (root.state == PENDING) {
            root.addCallback(node);
            return result;
        }
        if (Debug.ENABLED) {
            Debug.observed(root);
        }
        runNow(node, root);
        return result;
    }

    /**
     * Calls {@code body} and, however its promise ends, {@code finaliser} (Lwt.finalize with its
     * thunk): an exception thrown by {@code body} itself also runs the finaliser.
     */
    public static <T> Promise<T> tryFinally(Supplier<? extends Promise<? extends T>> body,
            Supplier<? extends Promise<?>> finaliser) {
        return Promise.<T>apply(body).andFinally(finaliser);
    }

    // ---------------------------------------------------------------- plain callbacks

    // Each returns this promise, so that callbacks chain: p.onSuccess(a).onFailure(b).

    /** Calls {@code f} with the value if this promise is fulfilled (Lwt.on_success); returns this. */
    public Promise<T> onSuccess(Consumer<? super T> f) {
        Objects.requireNonNull(f, "f");
        Promise<T> root = resolvedRoot();
        if (root.state == PENDING && root.callbacks == null) {
            // the lone callback: the consumer is its own node (see the class notes)
            root.callbacks = Context.captureConsumer(f);
            return this;
        }
        return listen(new Callback.Listener<>(f, null));
    }

    /** Calls {@code f} with the failure if this promise is rejected (Lwt.on_failure); returns this. */
    public Promise<T> onFailure(Consumer<? super Throwable> f) {
        return listen(new Callback.Listener<T>(null, Objects.requireNonNull(f, "f")));
    }

    /** Calls {@code f} when this promise resolves, whichever way (Lwt.on_termination); returns this. */
    public Promise<T> onTermination(Runnable f) {
        Objects.requireNonNull(f, "f");
        return listen(new Callback.Listener<T>(v -> f.run(), e -> f.run()));
    }

    /**
     * Calls {@code onSuccess} or {@code onFailure} when this promise resolves (Lwt.on_any);
     * returns this.
     */
    public Promise<T> onAny(Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure) {
        return listen(new Callback.Listener<>(Objects.requireNonNull(onSuccess, "onSuccess"),
                Objects.requireNonNull(onFailure, "onFailure")));
    }

    /**
     * Calls {@code f} if this promise is rejected with {@link Cancelled} (Lwt.on_cancel), before
     * its other callbacks. On a promise already cancelled, {@code f} runs at once. Returns this.
     */
    public Promise<T> onCancel(Runnable f) {
        Objects.requireNonNull(f, "f");
        Promise<T> root = resolvedRoot();
        if (root.state == PENDING) {
            root.addCallback(new Callback.OnCancel(f));
        } else if (isCancellation(root.state, root.value)) {
            Callback.OnCancel.run(f);
        }
        return this;
    }

    private Promise<T> listen(Callback.Listener<T> listener) {
        Promise<T> root = resolvedRoot();
        if (root.state == PENDING) {
            root.addCallback(listener);
        } else {
            if (Debug.ENABLED) {
                Debug.observed(root);
            }
            listener.run(root.state, root.value);
        }
        return this;
    }

    // ---------------------------------------------------------------- cancellation

    /**
     * Cancels what this promise is waiting on (Lwt.cancel): every cancelable promise reached by
     * following this promise's bind chain or combinator inputs is rejected with
     * {@link Cancelled}, and that rejection flows back up to this promise. Does nothing to a
     * resolved promise or to one made by {@link #pending()}. Callbacks run before this returns.
     */
    public void cancel() {
        Promise<T> root = resolvedRoot();
        if (root.state != PENDING) {
            return;
        }
        if (root.howToCancel == CANCEL_THIS) {
            Resolution.current().resolveNow(root, REJECTED, new Cancelled());
            return;
        }
        List<Promise<?>> cancelable = collectCancelable(root);
        Resolution resolution = Resolution.current();
        for (int i = 0; i < cancelable.size(); i++) {
            Promise<?> target = cancelable.get(i).underlying();
            if (target.state == PENDING) {
                resolution.resolveNow(target, REJECTED, new Cancelled());
            }
        }
    }

    /**
     * The CANCEL_THIS promises reached from {@code start} through howToCancel, depth-first, each
     * once. Promises can wait on each other in a cycle (a bind whose function returns a promise
     * that waits on the bind), so each is visited once.
     */
    private static List<Promise<?>> collectCancelable(Promise<?> start) {
        List<Promise<?>> found = new ArrayList<>();
        ArrayDeque<Promise<?>> toVisit = new ArrayDeque<>();
        Set<Promise<?>> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        toVisit.push(start);
        while (!toVisit.isEmpty()) {
            Promise<?> p = toVisit.pop().underlying();
            if (p.state != PENDING || !visited.add(p)) {
                continue;
            }
            switch (p.howToCancel) {
                case CANCEL_THIS -> found.add(p);
                case PROPAGATE_ONE -> toVisit.push((Promise<?>) p.value);
                case PROPAGATE_SEVERAL -> {
                    Promise<?>[] inputs = (Promise<?>[]) p.value;
                    for (int i = inputs.length - 1; i >= 0; i--) {
                        toVisit.push(inputs[i]);
                    }
                }
                default -> { }
            }
        }
        return found;
    }

    /**
     * A cancelable view of {@code p} (Lwt.protected): it resolves like {@code p}, but cancelling
     * it only rejects the view with {@link Cancelled} and leaves {@code p} alone.
     */
    public static <T> Promise<T> protect(Promise<T> p) {
        return view(p, CANCEL_THIS);
    }

    /** A view of {@code p} that {@link #cancel()} cannot touch (Lwt.no_cancel). */
    public static <T> Promise<T> noCancel(Promise<T> p) {
        return view(p, NOT_CANCELABLE);
    }

    /**
     * A view of {@code p} whose cancellation cancels {@code p} (Lwt.wrap_in_cancelable): makes
     * a {@link #pending()} promise usable where a cancelable one is wanted.
     */
    public static <T> Promise<T> wrapInCancelable(Promise<T> p) {
        Promise<T> root = p.resolvedRoot();
        if (root.state != PENDING) {
            return root;
        }
        Promise<T> view = new Promise<>(PENDING, CANCEL_THIS, null);
        root.addCallback(new Callback.Forward(view));
        view.addCallback(new Callback.Listener<T>(null, failure -> {
            if (failure instanceof Cancelled) {
                root.cancel();
            }
        }));
        return view;
    }

    private static <T> Promise<T> view(Promise<T> p, byte howToCancel) {
        Promise<T> root = p.resolvedRoot();
        if (root.state != PENDING) {
            return root;
        }
        Promise<T> view = new Promise<>(PENDING, howToCancel, null);
        root.addCallback(new Callback.Forward(view));
        if (howToCancel == CANCEL_THIS) {
            // a cancelled view leaves its Forward node dead on a source that may live long:
            // count it, as lost races are, so that pick(protect(p), timeout) in a loop stays bounded
            view.addCallback(new Callback.OnCancel(() -> callbackDied(root)));
        }
        return view;
    }

    // ---------------------------------------------------------------- combinators

    /**
     * Waits for every promise, then fulfils with null, or rejects with the failure that happened
     * first (Lwt.join). Cancelling the result cancels every input.
     */
    public static Promise<Void> join(List<? extends Promise<?>> promises) {
        return Combinators.join(promises);
    }

    /**
     * Waits for every promise and fulfils with their values in input order, or rejects with the
     * failure that happened first once all are resolved (Lwt.all). The list may hold nulls.
     */
    public static <T> Promise<List<T>> all(List<? extends Promise<? extends T>> promises) {
        return Combinators.all(promises);
    }

    /** {@link #join(List)} of the promises given as arguments: {@code join(a, b)}. */
    public static Promise<Void> join(Promise<?>... promises) {
        return join(List.of(promises));
    }

    /** {@link #all(List)} of the promises given as arguments: {@code all(a, b, c)}. */
    @SafeVarargs
    @SuppressWarnings("varargs") // List.of copies the array and only reads it
    public static <T> Promise<List<T>> all(Promise<? extends T>... promises) {
        return all(List.of(promises));
    }

    /** Waits for both promises; fulfils with both values, or rejects like {@link #join} (Lwt.both). */
    public static <A, B> Promise<Pair<A, B>> both(Promise<? extends A> first, Promise<? extends B> second) {
        return Combinators.both(first, second);
    }

    /**
     * Resolves like the first input to resolve (Lwt.choose); the others go on. When several are
     * resolved already, the first of them in list order wins (Lwt picks at random).
     *
     * @throws IllegalArgumentException if {@code promises} is empty
     */
    public static <T> Promise<T> choose(List<? extends Promise<? extends T>> promises) {
        return Combinators.choose(promises, false);
    }

    /**
     * Like {@link #choose}, but cancels every other input before it resolves (Lwt.pick). When
     * several are resolved already, the first of them in list order wins.
     *
     * @throws IllegalArgumentException if {@code promises} is empty
     */
    public static <T> Promise<T> pick(List<? extends Promise<? extends T>> promises) {
        return Combinators.choose(promises, true);
    }

    /** {@link #choose(List)} of the promises given as arguments: {@code choose(a, b)}. */
    @SafeVarargs
    @SuppressWarnings("varargs") // List.of copies the array and only reads it
    public static <T> Promise<T> choose(Promise<? extends T>... promises) {
        return choose(List.of(promises));
    }

    /** {@link #pick(List)} of the promises given as arguments: {@code pick(a, b)}. */
    @SafeVarargs
    @SuppressWarnings("varargs") // List.of copies the array and only reads it
    public static <T> Promise<T> pick(Promise<? extends T>... promises) {
        return pick(List.of(promises));
    }

    /**
     * Waits until at least one input resolves, then fulfils with the values of all inputs
     * fulfilled at that moment, in input order (Lwt.nchoose). If one of them was rejected, the
     * result is rejected with the first such failure in input order.
     *
     * @throws IllegalArgumentException if {@code promises} is empty
     */
    public static <T> Promise<List<T>> nchoose(List<? extends Promise<? extends T>> promises) {
        return Combinators.nchoose(promises, false);
    }

    /** Like {@link #nchoose}, but cancels the inputs still pending before it resolves (Lwt.npick). */
    public static <T> Promise<List<T>> npick(List<? extends Promise<? extends T>> promises) {
        return Combinators.nchoose(promises, true);
    }

    /**
     * Like {@link #nchoose}, but also returns the inputs still pending (Lwt.nchoose_split).
     *
     * @throws IllegalArgumentException if {@code promises} is empty
     */
    public static <T> Promise<Split<T>> nchooseSplit(List<? extends Promise<? extends T>> promises) {
        return Combinators.nchooseSplit(promises);
    }

    // ---------------------------------------------------------------- the core, package-private

    /** This promise's root (proxies followed), checked for its owner thread in debug mode. */
    Promise<T> resolvedRoot() {
        Promise<T> root = underlying();
        if (Debug.ENABLED) {
            Debug.checkOwner(root);
        }
        return root;
    }

    /** The promise at the end of this one's proxy chain, compressing the chain on the way. */
    Promise<T> underlying() {
        if (state != PROXY) {
            return this;
        }
        Promise<T> root = cast(value);
        while (root.state == PROXY) {
            root = cast(root.value);
        }
        Promise<T> p = this;
        while (p.value != root) {
            Promise<T> next = cast(p.value);
            p.value = root;
            p = next;
        }
        return root;
    }

    /**
     * Appends {@code node}, whose {@code next} is null, to this pending root's list, first
     * dropping dead nodes at its head.
     */
    void addCallback(Object node) {
        Object last = callbacks;
        if (last != null) {
            last = dropDeadHead(last);
        }
        if (last == null) {
            callbacks = node;
            return;
        }
        Object linked = linkable(node);
        Object first = nextOf(last);
        if (first == null) {
            last = linkable(last);
            first = last;
        }
        setNext(linked, first);
        setNext(last, linked);
        callbacks = linked;
    }

    /**
     * Unlinks the dead nodes at the head of the list ending at {@code last} and returns its last
     * node, or null (with the list emptied) if every node was dead.
     */
    private Object dropDeadHead(Object last) {
        Object first = nextOf(last);
        if (first == null) {
            if (isDead(last)) {
                callbacks = null;
                return null;
            }
            return last;
        }
        if (!isDead(first)) {
            return last;
        }
        while (isDead(first)) {
            if (first == last) {
                callbacks = null;
                return null;
            }
            first = nextOf(first);
        }
        setNext(last, first == last ? null : first);
        return last;
    }

    /**
     * {@code node} itself, or a node of its own for it if it cannot be linked: a shared node, or a
     * lone success consumer (see the class notes).
     */
    private static Object linkable(Object node) {
        if (node instanceof ChainedPromise<?, ?>) {
            return node;
        }
        if (node instanceof Callback callback) {
            return callback instanceof Callback.Shared shared ? new Callback.Delegate(shared) : callback;
        }
        return Callback.Listener.ofCaptured(cast(node));
    }

    /** The first node of this pending root's list, or null. */
    Object firstCallback() {
        Object last = callbacks;
        if (last == null) {
            return null;
        }
        Object first = nextOf(last);
        return first == null ? last : first;
    }

    // A list node is a Callback or a ChainedPromise, which share no superclass that could hold
    // the link (a field in Promise would make every promise 8 bytes bigger), or a lone success
    // consumer, so these dispatch on the node's class. ChainedPromise is tested first: it is the
    // node of every pending flatMap and map, and the test of a sealed class with a fixed depth is
    // a load and a compare.

    /** The node after {@code node} in its list; a lone success consumer has none. */
    static Object nextOf(Object node) {
        if (node instanceof ChainedPromise<?, ?> chained) {
            return chained.next;
        }
        return node instanceof Callback callback ? callback.next : null;
    }

    /** Links {@code next} after {@code node}. */
    static void setNext(Object node, Object next) {
        if (node instanceof ChainedPromise<?, ?> chained) {
            chained.next = next;
        } else {
            ((Callback) node).next = next;
        }
    }

    /** Whether {@code node} can no longer have an effect (see {@link Callback#isDead}). */
    static boolean isDead(Object node) {
        return node instanceof Callback callback && callback.isDead();
    }

    /**
     * Notes that a callback in {@code p}'s list can have no effect any more (a race it was in was
     * decided), and sweeps the list when enough such callbacks gathered.
     */
    static void callbackDied(Promise<?> p) {
        Promise<?> root = p.underlying();
        if (root.state == PENDING && ++root.deadCallbacks >= SWEEP_THRESHOLD) {
            root.sweepDeadCallbacks();
        }
    }

    /** Unlinks every dead node of this pending root's list, keeping the others in order. */
    private void sweepDeadCallbacks() {
        deadCallbacks = 0;
        Object kept = null;
        Object first = null;
        for (Object c = detachCallbacks(); c != null; c = nextOf(c)) {
            if (isDead(c)) {
                continue;
            }
            if (kept == null) {
                first = c;
            } else {
                setNext(kept, c);
            }
            kept = c;
        }
        if (kept != first) {
            setNext(kept, first);
        } else if (kept != null && nextOf(kept) != null) {
            setNext(kept, null); // a lone survivor; a shared node's link is null already and stays unwritten
        }
        callbacks = kept;
    }

    /** Takes this root's callbacks as a null-terminated list, first node first; null if none. */
    private Object detachCallbacks() {
        Object last = callbacks;
        if (last == null) {
            return null;
        }
        callbacks = null;
        Object first = nextOf(last);
        if (first == null) {
            return last;
        }
        setNext(last, null);
        return first;
    }

    @SuppressWarnings("unchecked")
    T fulfilledValue() {
        return (T) value;
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }

    static <P extends Promise<?>> P requireReturned(P promise) {
        return Objects.requireNonNull(promise, "function returned null instead of a promise");
    }

    static boolean isCancellation(byte state, Object result) {
        return state == REJECTED && result instanceof Cancelled;
    }

    /** A rejected root passed through flatMap/map: the same object, noted in the async trace. */
    private static <U> Promise<U> passRejection(Promise<?> rejectedRoot) {
        if (Debug.ENABLED) {
            AsyncTrace.record((Throwable) rejectedRoot.value, AsyncTrace.callSite());
        }
        return cast(rejectedRoot);
    }

    /**
     * Makes pending {@code root} resolved and returns its detached callbacks for the caller to
     * run; when it is cancelled, onCancel callbacks are moved to the front.
     */
    static Object settle(Promise<?> root, byte newState, Object result) {
        root.state = newState;
        root.value = result;
        return takeCallbacks(root);
    }

    /**
     * Detaches the callbacks of {@code root}, just settled, as a list to run: onCancel callbacks
     * first when it was cancelled.
     */
    static Object takeCallbacks(Promise<?> root) {
        // Every settle passes here, before the callbacks are detached: the one place debug mode
        // needs to see rejections, kept out of settle and settleIfPending so that their bytecode,
        // and the JIT's inlining of them, is what it is without debug mode.
        if (Debug.ENABLED) {
            Debug.settled(root);
        }
        return detachToRun(root);
    }

    /** {@link #takeCallbacks} itself: the callbacks of {@code root}, onCancel ones first if cancelled. */
    private static Object detachToRun(Promise<?> root) {
        Object list = root.detachCallbacks();
        if (list != null && isCancellation(root.state, root.value)) {
            list = cancelCallbacksFirst(list);
        }
        return list;
    }

    /**
     * Settles {@code p}'s root from inside a callback, unless it was already resolved, and returns
     * it (or null if it was resolved already). Its callbacks stay attached: the callback returns
     * this root from {@link Callback#fire}, and the drain running it takes them
     * ({@link #takeCallbacks}) and runs them next.
     */
    static Promise<?> settleIfPending(Promise<?> p, byte newState, Object result) {
        Promise<?> root = p.underlying();
        if (root.state != PENDING) {
            return null;
        }
        root.state = newState;
        root.value = result;
        return root;
    }

    /**
     * Makes {@code result} behave as {@code outcome} from inside a callback: copy its outcome if
     * resolved, else turn {@code outcome} into a proxy of {@code result} (see the class notes).
     * Returns the root it settled, as {@link #settleIfPending} does, or null.
     */
    static Promise<?> follow(Promise<?> result, Promise<?> outcome) {
        Promise<?> outer = result.underlying();
        if (outcome == null) {
            return settleIfPending(outer, REJECTED,
                    new NullPointerException("function returned null instead of a promise"));
        }
        Promise<?> inner = outcome.underlying();
        if (outer.state != PENDING || inner == outer) {
            return null;
        }
        if (inner.state != PENDING) {
            if (Debug.ENABLED) {
                Debug.observed(inner);
            }
            return settleIfPending(outer, inner.state, inner.value);
        }
        makeProxy(inner, outer);
        return null;
    }

    /** Turns pending {@code inner} into a proxy of pending {@code outer}; outer takes its callbacks. */
    private static void makeProxy(Promise<?> inner, Promise<?> outer) {
        Object innerLast = inner.callbacks;
        if (innerLast != null) {
            Object outerLast = outer.callbacks;
            if (outerLast != null) {
                // splice into one circle: outer's nodes, then inner's (a lone node is its own first)
                Object outerFirst = nextOf(outerLast);
                if (outerFirst == null) {
                    outerLast = linkable(outerLast);
                    outerFirst = outerLast;
                }
                Object innerFirst = nextOf(innerLast);
                if (innerFirst == null) {
                    innerLast = linkable(innerLast);
                    innerFirst = innerLast;
                }
                setNext(outerLast, innerFirst);
                setNext(innerLast, outerFirst);
            }
            outer.callbacks = innerLast;
            outer.deadCallbacks = (short) Math.min(SWEEP_THRESHOLD, outer.deadCallbacks + inner.deadCallbacks);
        }
        // outer's own input has resolved, so cancelling it now means cancelling what inner waits on
        outer.howToCancel = inner.howToCancel;
        outer.value = inner.value;
        if (Debug.ENABLED) {
            Debug.proxied(inner, outer);
        }
        inner.state = PROXY;
        inner.value = outer;
        inner.callbacks = null;
        inner.howToCancel = NOT_CANCELABLE;
    }

    /** Records that {@code result} now waits on {@code input}, so cancelling it reaches there. */
    static void waitOn(Promise<?> result, Promise<?> input) {
        Promise<?> root = result.underlying();
        if (root.state == PENDING) {
            root.howToCancel = PROPAGATE_ONE;
            root.value = input;
        }
    }

    /** A stable partition of a callback list: OnCancel nodes first. */
    private static Object cancelCallbacksFirst(Object list) {
        if (nextOf(list) == null) {
            return list;
        }
        Object cancelHead = null;
        Object cancelTail = null;
        Object otherHead = null;
        Object otherTail = null;
        for (Object c = list; c != null; ) {
            Object next = nextOf(c);
            setNext(c, null);
            if (c instanceof Callback.OnCancel) {
                if (cancelHead == null) {
                    cancelHead = c;
                } else {
                    setNext(cancelTail, c);
                }
                cancelTail = c;
            } else {
                if (otherHead == null) {
                    otherHead = c;
                } else {
                    setNext(otherTail, c);
                }
                otherTail = c;
            }
            c = next;
        }
        if (cancelHead == null) {
            return otherHead;
        }
        setNext(cancelTail, otherHead);
        return cancelHead;
    }

    /**
     * The trampoline behind flatMap/recover/tryBind on a resolved promise: past
     * {@link Resolution#MAX_NESTING} nested calls, instead of calling the function on an ever
     * deeper Java stack, returns a pending result and queues the call to run when the outermost
     * call or resolution unwinds. So {@code loop(n) = of(x).flatMap(y -> loop(n - 1))}, which
     * OCaml runs as a tail call, does not overflow the stack in Java either.
     */
    private static <U> Promise<U> deferNested(Promise<?> resolvedRoot, Resolution resolution,
            Function<Promise<U>, Callback> node) {
        Promise<U> result = new Promise<>(PENDING, PROPAGATE_ONE, resolvedRoot);
        resolution.deferNested(node.apply(result), resolvedRoot);
        return result;
    }

    /** Runs one node against an already-resolved root, as if the root had just resolved. */
    private static void runNow(Callback node, Promise<?> resolvedRoot) {
        Resolution.current().runNow(node, resolvedRoot);
    }

    @Override
    public String toString() {
        Promise<T> root = underlying();
        return switch (root.state) {
            case FULFILLED -> "Promise[fulfilled: " + root.value + "]";
            case REJECTED -> "Promise[rejected: " + root.value + "]";
            default -> "Promise[pending]";
        };
    }
}
