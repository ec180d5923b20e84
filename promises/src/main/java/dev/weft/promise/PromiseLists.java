package dev.weft.promise;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Promise-returning operations over a {@link List}: Lwt's {@code Lwt_list}. <b>Threading: call
 * these on the thread that owns the promises</b> (the loop's thread), like every {@link Promise}
 * method; the list must not change while an operation walks it. Collection first, function last;
 * each method names its Lwt counterpart.
 *
 * <p>Methods ending in {@code S} are sequential: they call the function on one element at a time,
 * calling it on the next only after the previous element's promise is fulfilled, and stop at the
 * first rejection (or at the first decisive answer, for {@code forAllS}, {@code existsS} and
 * {@code findS}). Cancelling their result cancels the promise of the element being waited on.
 * They use constant Java stack whatever the list length and whether the function's promises are
 * already resolved or not.
 *
 * <p>Methods ending in {@code P} are concurrent: they call the function on every element at once,
 * in list order, then wait for all the promises like {@link Promise#all}: the result resolves only
 * when every element's promise has, and is rejected with the first failure (Lwt's map-like
 * {@code _p} functions may reject earlier; see docs/promises.md). Cancelling their result cancels
 * every element's promise still pending.
 *
 * <p>An exception thrown by the function, or a null promise returned by it, rejects the result;
 * no method here throws because of the function. Result lists are unmodifiable, keep input order
 * (except the {@code revMap} methods) and may hold nulls.
 */
public final class PromiseLists {
    private PromiseLists() {}

    /**
     * A function of an element and its index in the list, as {@link #iteriS}, {@link #mapiP} and
     * the other {@code i} methods take.
     *
     * @param <E> the element type
     * @param <R> the result type
     */
    @FunctionalInterface
    public interface IndexedFunction<E, R> {
        /**
         * Applies this function.
         *
         * @param index the element's position in the list, from 0
         * @param element the element
         * @return the result
         */
        R apply(int index, E element);
    }

    // ---------------------------------------------------------------- iter

    /** Calls {@code f} on each element in turn, each after the previous one's promise fulfils (Lwt_list.iter_s). */
    public static <E> Promise<Void> iterS(List<E> list, Function<? super E, ? extends Promise<?>> f) {
        Objects.requireNonNull(f, "f");
        return iteriS(list, (i, e) -> f.apply(e));
    }

    /** Calls {@code f} on every element at once, then waits for all (Lwt_list.iter_p); rejects like {@link Promise#join}. */
    public static <E> Promise<Void> iterP(List<E> list, Function<? super E, ? extends Promise<?>> f) {
        Objects.requireNonNull(f, "f");
        return iteriP(list, (i, e) -> f.apply(e));
    }

    /** Like {@link #iterS}, passing each element's index too (Lwt_list.iteri_s). */
    public static <E> Promise<Void> iteriS(List<E> list, IndexedFunction<? super E, ? extends Promise<?>> f) {
        return new Each<E>(list, f).start();
    }

    /** Like {@link #iterP}, passing each element's index too (Lwt_list.iteri_p). */
    public static <E> Promise<Void> iteriP(List<E> list, IndexedFunction<? super E, ? extends Promise<?>> f) {
        return Promise.join(startAll(list, f));
    }

    // ---------------------------------------------------------------- map

    /** The values of {@code f} on each element, called in turn (Lwt_list.map_s). */
    public static <E, R> Promise<List<R>> mapS(List<E> list, Function<? super E, ? extends Promise<? extends R>> f) {
        Objects.requireNonNull(f, "f");
        return mapiS(list, (i, e) -> f.apply(e));
    }

    /** The values of {@code f} on each element, all called at once (Lwt_list.map_p). */
    public static <E, R> Promise<List<R>> mapP(List<E> list, Function<? super E, ? extends Promise<? extends R>> f) {
        Objects.requireNonNull(f, "f");
        return mapiP(list, (i, e) -> f.apply(e));
    }

    /** Like {@link #mapS}, passing each element's index too (Lwt_list.mapi_s). */
    public static <E, R> Promise<List<R>> mapiS(List<E> list,
            IndexedFunction<? super E, ? extends Promise<? extends R>> f) {
        return new Collect<E, R>(list, f, false).start();
    }

    /** Like {@link #mapP}, passing each element's index too (Lwt_list.mapi_p). */
    public static <E, R> Promise<List<R>> mapiP(List<E> list,
            IndexedFunction<? super E, ? extends Promise<? extends R>> f) {
        return Promise.all(startAll(list, f));
    }

    /** Like {@link #mapS}, with the values in reverse list order (Lwt_list.rev_map_s). */
    public static <E, R> Promise<List<R>> revMapS(List<E> list, Function<? super E, ? extends Promise<? extends R>> f) {
        Objects.requireNonNull(f, "f");
        return new Collect<E, R>(list, (i, e) -> f.apply(e), true).start();
    }

    /** Like {@link #mapP}, with the values in reverse list order (Lwt_list.rev_map_p). */
    public static <E, R> Promise<List<R>> revMapP(List<E> list, Function<? super E, ? extends Promise<? extends R>> f) {
        return PromiseLists.<E, R>mapP(list, f).map(PromiseLists::reversed);
    }

    // ---------------------------------------------------------------- fold

    /**
     * Folds from the first element to the last: {@code f(...f(f(init, e0), e1)..., en)}, each
     * call after the previous one's promise fulfils (Lwt_list.fold_left_s).
     */
    public static <E, A> Promise<A> foldLeftS(List<E> list, A init,
            BiFunction<? super A, ? super E, ? extends Promise<? extends A>> f) {
        Objects.requireNonNull(f, "f");
        return new Fold<E, A>(list.iterator(), init, (acc, e) -> f.apply(acc, e)).start();
    }

    /**
     * Folds from the last element to the first: {@code f(e0, f(e1, ...f(en, init)))}, each call
     * after the previous one's promise fulfils (Lwt_list.fold_right_s).
     */
    public static <E, A> Promise<A> foldRightS(List<E> list, A init,
            BiFunction<? super E, ? super A, ? extends Promise<? extends A>> f) {
        Objects.requireNonNull(f, "f");
        return new Fold<E, A>(reversed(list).iterator(), init, (acc, e) -> f.apply(e, acc)).start();
    }

    // ---------------------------------------------------------------- scanning and searching

    /** Whether {@code p} holds for every element, tested in turn up to the first false (Lwt_list.for_all_s). */
    public static <E> Promise<Boolean> forAllS(List<E> list, Function<? super E, ? extends Promise<Boolean>> p) {
        return new Search<E>(list, p, false).start().map(search -> !search.found);
    }

    /**
     * Whether {@code p} holds for every element, all tested at once (Lwt_list.for_all_p). Waits
     * for every test even after a false one.
     */
    public static <E> Promise<Boolean> forAllP(List<E> list, Function<? super E, ? extends Promise<Boolean>> p) {
        return PromiseLists.<E, Boolean>mapP(list, p).map(answers -> !contains(answers, false));
    }

    /** Whether {@code p} holds for some element, tested in turn up to the first true (Lwt_list.exists_s). */
    public static <E> Promise<Boolean> existsS(List<E> list, Function<? super E, ? extends Promise<Boolean>> p) {
        return new Search<E>(list, p, true).start().map(search -> search.found);
    }

    /**
     * Whether {@code p} holds for some element, all tested at once (Lwt_list.exists_p). Waits
     * for every test even after a true one.
     */
    public static <E> Promise<Boolean> existsP(List<E> list, Function<? super E, ? extends Promise<Boolean>> p) {
        return PromiseLists.<E, Boolean>mapP(list, p).map(answers -> contains(answers, true));
    }

    /**
     * The first element for which {@code p} holds, tested in turn (Lwt_list.find_s); rejected with
     * {@link NoSuchElementException} (Lwt's Not_found) if there is none.
     */
    public static <E> Promise<E> findS(List<E> list, Function<? super E, ? extends Promise<Boolean>> p) {
        return new Search<E>(list, p, true).start().flatMap(search -> search.found
                ? Promise.of(search.hit)
                : Promise.rejected(new NoSuchElementException(
                        "findS: no element of the list satisfies the predicate")));
    }

    /** The elements for which {@code p} holds, tested in turn (Lwt_list.filter_s). */
    public static <E> Promise<List<E>> filterS(List<E> list, Function<? super E, ? extends Promise<Boolean>> p) {
        return new Sort<E>(list, p).start().map(sort -> Collections.unmodifiableList(sort.matching));
    }

    /** The elements for which {@code p} holds, all tested at once (Lwt_list.filter_p). */
    public static <E> Promise<List<E>> filterP(List<E> list, Function<? super E, ? extends Promise<Boolean>> p) {
        return PromiseLists.<E, Boolean>mapP(list, p).map(answers -> sort(list, answers).first());
    }

    /** The present values of {@code f} on each element, called in turn (Lwt_list.filter_map_s). */
    public static <E, R> Promise<List<R>> filterMapS(List<E> list,
            Function<? super E, ? extends Promise<? extends Optional<? extends R>>> f) {
        Objects.requireNonNull(f, "f");
        return new Collect<E, Optional<? extends R>>(list, (i, e) -> f.apply(e), false).start()
                .map(PromiseLists::present);
    }

    /** The present values of {@code f} on each element, all called at once (Lwt_list.filter_map_p). */
    public static <E, R> Promise<List<R>> filterMapP(List<E> list,
            Function<? super E, ? extends Promise<? extends Optional<? extends R>>> f) {
        return PromiseLists.<E, Optional<? extends R>>mapP(list, f).map(PromiseLists::present);
    }

    /**
     * The elements for which {@code p} holds ({@link Pair#first()}) and the others
     * ({@link Pair#second()}), tested in turn (Lwt_list.partition_s).
     */
    public static <E> Promise<Pair<List<E>, List<E>>> partitionS(List<E> list,
            Function<? super E, ? extends Promise<Boolean>> p) {
        return new Sort<E>(list, p).start().map(sort -> new Pair<>(
                Collections.unmodifiableList(sort.matching), Collections.unmodifiableList(sort.rest)));
    }

    /**
     * The elements for which {@code p} holds ({@link Pair#first()}) and the others
     * ({@link Pair#second()}), all tested at once (Lwt_list.partition_p).
     */
    public static <E> Promise<Pair<List<E>, List<E>>> partitionP(List<E> list,
            Function<? super E, ? extends Promise<Boolean>> p) {
        return PromiseLists.<E, Boolean>mapP(list, p).map(answers -> sort(list, answers));
    }

    // ---------------------------------------------------------------- concurrent: start every call

    /** Calls {@code f} on every element in list order; a throw or a null becomes a rejected promise. */
    private static <E, R> List<Promise<R>> startAll(List<E> list,
            IndexedFunction<? super E, ? extends Promise<? extends R>> f) {
        Objects.requireNonNull(f, "f");
        List<Promise<R>> started = new ArrayList<>(list.size());
        int index = 0;
        for (E element : list) {
            started.add(call(f, index++, element));
        }
        return started;
    }

    /** Lwt.apply for an indexed function: the promise it returns, or a rejection for what it threw. */
    private static <E, R> Promise<R> call(IndexedFunction<? super E, ? extends Promise<? extends R>> f,
            int index, E element) {
        try {
            return Promise.cast(Promise.requireReturned(f.apply(index, element)));
        } catch (Throwable failure) {
            return Promise.rejected(failure);
        }
    }

    /** Elements whose answer is true first, the others second; a null answer throws NPE (rejects). */
    private static <E> Pair<List<E>, List<E>> sort(List<E> list, List<Boolean> answers) {
        List<E> matching = new ArrayList<>();
        List<E> rest = new ArrayList<>();
        int i = 0;
        for (E element : list) {
            if (answers.get(i++)) {
                matching.add(element);
            } else {
                rest.add(element);
            }
        }
        return new Pair<>(Collections.unmodifiableList(matching), Collections.unmodifiableList(rest));
    }

    private static <R> List<R> present(List<Optional<? extends R>> options) {
        List<R> values = new ArrayList<>();
        for (Optional<? extends R> option : options) {
            option.ifPresent(values::add);
        }
        return Collections.unmodifiableList(values);
    }

    /** Whether {@code answers} holds {@code answer}; a null answer throws NPE (rejects), as in the S forms. */
    private static boolean contains(List<Boolean> answers, boolean answer) {
        boolean seen = false;
        for (Boolean a : answers) {
            seen |= a == answer;
        }
        return seen;
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        Collections.reverse(copy);
        return Collections.unmodifiableList(copy);
    }

    // ---------------------------------------------------------------- sequential: the walk

    /**
     * One sequential traversal. {@link #run} calls the function on elements in a plain loop for as
     * long as their promises are already fulfilled, and suspends only on a pending one by
     * returning {@code pending.flatMap(this)}; when that promise fulfils, {@link #apply} resumes
     * the loop. So resolved promises cost no stack depth, and each resumption returns to the
     * resolution work list after at most one loop. The outer promise of the first suspension is
     * the one the caller holds; each later suspension's promise becomes a proxy of it
     * ({@link Promise#flatMap}), so a long walk stays one promise long.
     *
     * <p>Not thread-safe: it is used by one walk at a time, on the promises' thread.
     *
     * @param <E> the element type
     * @param <X> the type the function's promises fulfil with
     * @param <R> the type of the walk's result
     */
    private abstract static class Walk<E, X, R> implements Function<X, Promise<R>> {
        private final Iterator<E> elements;
        private int index = -1;
        /** The element whose promise is being waited on. */
        private E current;

        Walk(Iterator<E> elements) {
            this.elements = elements;
        }

        /** Calls the user's function on one element. */
        abstract Promise<? extends X> call(int index, E element);

        /** Takes the value of one element's promise; false stops the walk before the next element. */
        abstract boolean accept(E element, X outcome);

        /** The walk's result, once it stopped or ran out of elements. */
        abstract Promise<R> finish();

        /** Runs the walk from the first element; throws nothing, whatever the callbacks do. */
        final Promise<R> start() {
            try {
                return run();
            } catch (Throwable failure) {
                return Promise.rejected(failure);
            }
        }

        /** Resumes after the current element's pending promise fulfilled with {@code outcome}. */
        @Override
        public final Promise<R> apply(X outcome) {
            return accept(current, outcome) ? run() : finish();
        }

        private Promise<R> run() {
            while (elements.hasNext()) {
                current = elements.next();
                index++;
                Promise<? extends X> promise = safely(index, current);
                if (promise.isPending()) {
                    return promise.flatMap(this);
                }
                if (promise.isRejected()) {
                    return Promise.cast(promise);
                }
                if (!accept(current, promise.value())) {
                    break;
                }
            }
            return finish();
        }

        private Promise<? extends X> safely(int i, E element) {
            try {
                return Promise.requireReturned(call(i, element));
            } catch (Throwable failure) {
                return Promise.rejected(failure);
            }
        }
    }

    /** iterS, iteriS: visit every element, keep nothing. */
    private static final class Each<E> extends Walk<E, Object, Void> {
        private final IndexedFunction<? super E, ? extends Promise<?>> f;

        Each(List<E> list, IndexedFunction<? super E, ? extends Promise<?>> f) {
            super(list.iterator());
            this.f = Objects.requireNonNull(f, "f");
        }

        @Override
        Promise<?> call(int index, E element) {
            return f.apply(index, element);
        }

        @Override
        boolean accept(E element, Object outcome) {
            return true;
        }

        @Override
        Promise<Void> finish() {
            return Promise.unit();
        }
    }

    /** mapS, mapiS, revMapS: keep every value. */
    private static final class Collect<E, R> extends Walk<E, R, List<R>> {
        private final IndexedFunction<? super E, ? extends Promise<? extends R>> f;
        private final boolean reverse;
        private final List<R> values = new ArrayList<>();

        Collect(List<E> list, IndexedFunction<? super E, ? extends Promise<? extends R>> f, boolean reverse) {
            super(list.iterator());
            this.f = Objects.requireNonNull(f, "f");
            this.reverse = reverse;
        }

        @Override
        Promise<? extends R> call(int index, E element) {
            return f.apply(index, element);
        }

        @Override
        boolean accept(E element, R outcome) {
            values.add(outcome);
            return true;
        }

        @Override
        Promise<List<R>> finish() {
            if (reverse) {
                Collections.reverse(values);
            }
            return Promise.of(Collections.unmodifiableList(values));
        }
    }

    /** foldLeftS, foldRightS: thread an accumulator through the calls. */
    private static final class Fold<E, A> extends Walk<E, A, A> {
        private final BiFunction<? super A, ? super E, ? extends Promise<? extends A>> f;
        private A acc;

        Fold(Iterator<E> elements, A init, BiFunction<? super A, ? super E, ? extends Promise<? extends A>> f) {
            super(elements);
            this.f = f;
            this.acc = init;
        }

        @Override
        Promise<? extends A> call(int index, E element) {
            return f.apply(acc, element);
        }

        @Override
        boolean accept(E element, A outcome) {
            acc = outcome;
            return true;
        }

        @Override
        Promise<A> finish() {
            return Promise.of(acc);
        }
    }

    /** forAllS, existsS, findS: stop at the first element whose answer is {@code target}. */
    private static final class Search<E> extends Walk<E, Boolean, Search<E>> {
        private final Function<? super E, ? extends Promise<Boolean>> p;
        private final boolean target;
        boolean found;
        E hit;

        Search(List<E> list, Function<? super E, ? extends Promise<Boolean>> p, boolean target) {
            super(list.iterator());
            this.p = Objects.requireNonNull(p, "p");
            this.target = target;
        }

        @Override
        Promise<Boolean> call(int index, E element) {
            return p.apply(element);
        }

        @Override
        boolean accept(E element, Boolean answer) {
            if (answer == target) {
                found = true;
                hit = element;
                return false;
            }
            return true;
        }

        @Override
        Promise<Search<E>> finish() {
            return Promise.of(this);
        }
    }

    /** filterS, partitionS: sort each element by its answer. */
    private static final class Sort<E> extends Walk<E, Boolean, Sort<E>> {
        private final Function<? super E, ? extends Promise<Boolean>> p;
        final List<E> matching = new ArrayList<>();
        final List<E> rest = new ArrayList<>();

        Sort(List<E> list, Function<? super E, ? extends Promise<Boolean>> p) {
            super(list.iterator());
            this.p = Objects.requireNonNull(p, "p");
        }

        @Override
        Promise<Boolean> call(int index, E element) {
            return p.apply(element);
        }

        @Override
        boolean accept(E element, Boolean answer) {
            (answer ? matching : rest).add(element);
            return true;
        }

        @Override
        Promise<Sort<E>> finish() {
            return Promise.of(this);
        }
    }
}
