package dev.weft.promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A pool of reusable elements such as connections (Lwt_pool): {@link #use} lends an idle element,
 * or creates one while fewer than {@code maxSize} exist, or waits (FIFO) for one to be returned.
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b>
 *
 * <p>The life of an element, as in Lwt except that a disposal cannot be cancelled:
 * <ul>
 *   <li>A reused element, idle or handed over by a returning user, is first {@code validate}d. If
 *   validation says false, it is disposed and a new element is created for this user. If it
 *   throws or is rejected, the element is disposed, one new element is created for the oldest
 *   other waiter if there is one (or that waiter gets the factory's failure), and this user's
 *   {@code use} fails with the validation failure. A newly created element is not validated.</li>
 *   <li>When the user's function succeeds, the element goes back to the oldest waiter or to the
 *   idle queue. When it fails (or throws), {@code check} decides: true keeps the element, false
 *   disposes it; {@code use} then fails with the function's failure.</li>
 *   <li>The count of elements is raised before the factory runs and lowered if it fails, so a
 *   failed creation frees its slot; {@code use} is then rejected with the factory's failure. It is
 *   lowered after {@code dispose}'s promise is fulfilled; cancelling a {@code use} does not
 *   cancel a disposal under way.</li>
 *   <li>{@link #clear()} disposes the idle elements now and marks those in use, which are disposed
 *   when returned instead of going back to the pool.</li>
 * </ul>
 * Lwt quirk kept: the replacement made for a waiter after a failed validation does not raise the
 * count, so the pool may then hold one element more than the count says.
 *
 * @param <T> the pooled element
 */
public final class Pool<T> {
    private final int maxSize;
    private final Supplier<? extends Promise<T>> factory;
    private final Function<? super T, ? extends Promise<Boolean>> validate;
    private final Predicate<? super T> check;
    private final Function<? super T, ? extends Promise<Void>> dispose;
    private final ArrayDeque<T> idle = new ArrayDeque<>();
    private final WaitQueue<T, Void> waiters = new WaitQueue<>();
    /** Shared by the elements lent out since the last clear; set when the pool is cleared. */
    private Generation generation = new Generation();
    private int count;

    /** Whether the pool was cleared while an element of this generation was lent out. */
    private static final class Generation {
        boolean cleared;
    }

    private Pool(int maxSize, Supplier<? extends Promise<T>> factory,
            Function<? super T, ? extends Promise<Boolean>> validate, Predicate<? super T> check,
            Function<? super T, ? extends Promise<Void>> dispose) {
        this.maxSize = maxSize;
        this.factory = factory;
        this.validate = validate;
        this.check = check;
        this.dispose = dispose;
    }

    /**
     * A pool of at most {@code maxSize} elements made by {@code factory}, that keeps every element,
     * validates nothing and disposes of nothing.
     */
    public static <T> Pool<T> create(int maxSize, Supplier<? extends Promise<T>> factory) {
        return create(maxSize, factory, element -> Promise.of(true), element -> true,
                element -> Promise.unit());
    }

    /**
     * A pool of at most {@code maxSize} elements (Lwt_pool.create).
     *
     * @param factory makes a new element
     * @param validate says, before an element is reused, whether it is still usable
     * @param check says, after a user's function failed with an element, whether to keep it
     *     (Lwt's check takes a callback; here it is a plain predicate, and one that throws counts
     *     as false, its exception going to the async-exception hook)
     * @param dispose releases an element the pool drops
     */
    public static <T> Pool<T> create(int maxSize, Supplier<? extends Promise<T>> factory,
            Function<? super T, ? extends Promise<Boolean>> validate, Predicate<? super T> check,
            Function<? super T, ? extends Promise<Void>> dispose) {
        return new Pool<>(maxSize, factory, validate, check, dispose);
    }

    /**
     * Runs {@code f} with an element of the pool and returns its outcome (Lwt_pool.use); the
     * element is returned or disposed as the class notes say. Cancelling the result while waiting
     * for an element withdraws from the queue.
     */
    public <R> Promise<R> use(Function<? super T, ? extends Promise<? extends R>> f) {
        return acquire().flatMap(element -> useAcquired(element, f));
    }

    /**
     * Disposes the idle elements one by one (the most recently returned first, as Lwt does) and
     * makes the elements in use be disposed when returned; the next {@code use} gets a new
     * element. Waiters are not affected.
     */
    public Promise<Void> clear() {
        List<T> elements = new ArrayList<>(idle);
        idle.clear();
        generation.cleared = true;
        generation = new Generation();
        return disposeFrom(elements, elements.size() - 1);
    }

    /** How many users are waiting for an element. */
    public int waitQueueLength() {
        return waiters.size();
    }

    private Promise<Void> disposeFrom(List<T> elements, int i) {
        if (i < 0) {
            return Promise.unit();
        }
        return disposeElement(elements.get(i)).flatMap(ignored -> disposeFrom(elements, i - 1));
    }

    private <R> Promise<R> useAcquired(T element, Function<? super T, ? extends Promise<? extends R>> f) {
        Generation lentIn = generation;
        Promise<R> outcome = Promise.<R>apply(() -> f.apply(element))
                .recover(failure -> checkAndRelease(element, lentIn.cleared)
                        .flatMap(ignored -> Promise.<R>rejected(failure)));
        return outcome.flatMap(ignored -> {
            if (lentIn.cleared) {
                return disposeElement(element).flatMap(done -> outcome);
            }
            release(element);
            return outcome;
        });
    }

    private Promise<T> acquire() {
        if (!idle.isEmpty()) {
            return validateAndReturn(idle.poll());
        }
        if (count < maxSize) {
            return createElement();
        }
        return waiters.add().flatMap(this::validateAndReturn);
    }

    private Promise<T> createElement() {
        // counted before the factory runs so that concurrent users cannot exceed maxSize
        count++;
        return Promise.<T>apply(factory).recover(failure -> {
            count--;
            return Promise.rejected(failure);
        });
    }

    private Promise<T> validateAndReturn(T element) {
        return Promise.<Boolean>apply(() -> validate.apply(element)).tryBind(
                valid -> valid
                        ? Promise.of(element)
                        : disposeElement(element).flatMap(ignored -> createElement()),
                failure -> disposeElement(element).flatMap(ignored -> {
                    replaceDisposed();
                    return Promise.<T>rejected(failure);
                }));
    }

    /** After a failed validation: makes an element for the oldest waiter, if any. */
    private void replaceDisposed() {
        WaitQueue.Waiter<T, Void> waiter = waiters.poll();
        if (waiter == null) {
            // no one waits: creating now could only lose the factory's failure
            return;
        }
        Promise.<T>apply(factory).onAny(waiter.resolver::resolveLater, waiter.resolver::rejectLater);
    }

    private Promise<Void> checkAndRelease(T element, boolean cleared) {
        boolean keep;
        try {
            keep = check.test(element);
        } catch (RuntimeException | Error failure) {
            keep = false;
            LoopHooks.reportAsyncException(failure);
        }
        if (cleared || !keep) {
            return disposeElement(element);
        }
        release(element);
        return Promise.unit();
    }

    private void release(T element) {
        WaitQueue.Waiter<T, Void> waiter = waiters.poll();
        if (waiter == null) {
            idle.add(element);
        } else {
            waiter.resolver.resolveLater(element);
        }
    }

    /**
     * Disposes {@code element}, then lowers the count. The disposal is not cancelable from the
     * user's chain: a {@code use} cancelled meanwhile would otherwise cancel it and never give
     * the slot back (Lwt's is cancelable; the pool then shrinks for good).
     */
    private Promise<Void> disposeElement(T element) {
        return Promise.noCancel(Promise.<Void>apply(() -> dispose.apply(element))).map(ignored -> {
            count--;
            return null;
        });
    }
}
