package dev.weft.promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A lazy, possibly infinite sequence of elements read with promises (Lwt_stream): elements come
 * from a producer that pushes ({@link #create()}, {@link #createBounded(int)}), from a generator
 * called as readers need them ({@link #from}, {@link #fromDirect}), or from a collection.
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b>
 *
 * <p><b>Reading.</b> {@link #get()} fulfils with the next element, consuming it, or with
 * {@link Optional#empty()} at the end of the stream, and keeps doing so once the end was reached;
 * {@link #next()} instead rejects with {@link StreamEmpty} there. Elements are never null. Every
 * operation that takes several elements (e.g. {@link #nget}, {@link #toList}) stops early at the
 * end of the stream. A read waits only when no element is buffered: the stream then asks its
 * source for more. A source failure (a generator that throws or is rejected) rejects the reads
 * waiting for it, and leaves the stream open: the next read asks again.
 *
 * <p><b>Cancellation.</b> Cancelling a pending read cancels only that read: an element is consumed
 * only by the read that returns it, so a cancelled read loses nothing, and the generator call it
 * was waiting on goes on for the other readers.
 *
 * <p><b>Several readers.</b> Each element of a stream object goes to one read: readers waiting at
 * the end of the same stream are served in the order they arrived, one element each. This is a
 * deliberate difference from Lwt, where every reader waiting at the end gets the same next
 * element (ocsigen/lwt#250). To let several readers each see every element, give each its own
 * {@link #clone()}: clones share the elements but not the read position.
 *
 * <p><b>Transformers</b> ({@link #map}, {@link #filter}, {@link #append}, ...) return new lazy
 * streams that read this one when they are read: they consume its elements. Functions with an
 * {@code S} suffix return promises and are run one element at a time; {@link #iterP} and
 * {@link #iterN} run them concurrently. A function that throws rejects the operation's promise.
 *
 * @param <T> the element type
 */
public final class Stream<T> {
    private final StreamSource<T> source;
    /** This stream object's read position: the first unread node, or the queue's tail. */
    private StreamNode<T> node;

    private Stream(StreamSource<T> source, StreamNode<T> node) {
        this.source = source;
        this.node = node;
    }

    private Stream(StreamSource<T> source) {
        this(source, source.queue.last);
    }

    // ---------------------------------------------------------------- creating streams

    /**
     * An unbounded push stream and its producer (Lwt_stream.create). They are handed out side by
     * side because the producer must not keep the stream alive.
     *
     * @param stream the stream readers read
     * @param push the producer that appends to it and closes it
     */
    public record WithPush<T>(Stream<T> stream, StreamPush<T> push) {}

    /**
     * A bounded push stream and its producer (Lwt_stream.create_bounded).
     *
     * @param stream the stream readers read
     * @param push the producer that appends to it, waiting when it is full, and closes it
     */
    public record WithBoundedPush<T>(Stream<T> stream, BoundedStreamPush<T> push) {}

    /** Creates an unbounded push stream (Lwt_stream.create). */
    public static <T> WithPush<T> create() {
        StreamSource.Pushed<T> source = new StreamSource.Pushed<>();
        return new WithPush<>(new Stream<>(source), new StreamPush<>(source));
    }

    /**
     * Creates a push stream holding at most {@code size} unread elements (Lwt_stream.create_bounded);
     * see {@link BoundedStreamPush} for how pushes wait.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public static <T> WithBoundedPush<T> createBounded(int size) {
        StreamSource.Bounded<T> source = new StreamSource.Bounded<>(size);
        return new WithBoundedPush<>(new Stream<>(source), new BoundedStreamPush<>(source));
    }

    /**
     * A stream whose elements {@code generator} makes when a reader needs one (Lwt_stream.from):
     * its promise fulfils with an element, or with empty to end the stream. Only one call is in
     * flight at a time; readers arriving meanwhile wait for it.
     */
    public static <T> Stream<T> from(Supplier<? extends Promise<Optional<T>>> generator) {
        return new Stream<>(new StreamSource.Generator<>(Objects.requireNonNull(generator, "generator")));
    }

    /** Like {@link #from} with a synchronous generator (Lwt_stream.from_direct). */
    public static <T> Stream<T> fromDirect(Supplier<Optional<T>> generator) {
        return new Stream<>(new StreamSource.Direct<>(Objects.requireNonNull(generator, "generator")));
    }

    /** A closed stream holding the elements of {@code elements}, in order (Lwt_stream.of_list). */
    public static <T> Stream<T> of(Iterable<? extends T> elements) {
        WithPush<T> created = create();
        for (T element : elements) {
            created.push().push(element);
        }
        created.push().close();
        return created.stream();
    }

    /** A closed stream holding one element (Lwt_stream.return). */
    public static <T> Stream<T> ofValue(T element) {
        return of(List.of(element));
    }

    /**
     * A stream of the value of {@code promise} (Lwt_stream.return_lwt): one element when it is
     * fulfilled, then the end; if it is rejected, the stream ends empty and the failure is dropped.
     */
    public static <T> Stream<T> ofPromise(Promise<? extends T> promise) {
        WithPush<T> created = create();
        StreamPush<T> push = created.push();
        promise.onAny(value -> {
            push.push(value);
            push.close();
        }, failure -> push.close());
        return created.stream();
    }

    /**
     * A stream reading {@code iterator} lazily, one element per read (Lwt_stream.of_seq): it
     * closes when a read finds the iterator exhausted.
     */
    public static <T> Stream<T> ofIterator(Iterator<? extends T> iterator) {
        return fromDirect(() -> iterator.hasNext() ? Optional.of(iterator.next()) : Optional.empty());
    }

    /**
     * A stream with its own read position over the same elements (Lwt_stream.clone): it reads
     * from where this one is now, and reading either does not move the other.
     *
     * @throws UnsupportedOperationException if this is a bounded push stream (as in Lwt: the
     *     bound counts the reads of one position)
     */
    @Override
    public Stream<T> clone() {
        if (!source.cloneable()) {
            throw new UnsupportedOperationException("Stream.clone: a bounded push stream cannot be cloned; "
                    + "copy its elements into an unbounded stream (create()) and clone that");
        }
        return new Stream<>(source, node);
    }

    // ---------------------------------------------------------------- state

    /** Whether the end of the stream is known: the end marker is queued, perhaps after unread elements. */
    public boolean isClosed() {
        return source.queue.isClosed();
    }

    /**
     * A promise fulfilled when the stream becomes {@link #isClosed() closed}; already fulfilled if
     * it is. Cancelling it does nothing.
     */
    public Promise<Void> closed() {
        return source.queue.closed();
    }

    /** Fulfils with true if the stream has no more elements, waiting until that is known. */
    public Promise<Boolean> isEmpty() {
        return Promise.apply(this::isEmptyNow);
    }

    private Promise<Boolean> isEmptyNow() {
        for (;;) {
            if (!atTail(node)) {
                return Promise.of(node.data == null);
            }
            Promise<Boolean> later = feedThen(this::isEmptyNow);
            if (later != null) {
                return later;
            }
        }
    }

    // ---------------------------------------------------------------- reading one element

    /** Removes and returns the next element, or empty at the end of the stream. */
    public Promise<Optional<T>> get() {
        for (;;) {
            StreamNode<T> n = node;
            if (!atTail(n)) {
                consume(n);
                return Promise.of(Optional.ofNullable(n.data));
            }
            Promise<Optional<T>> later = feedThen(this::get);
            if (later != null) {
                return later;
            }
        }
    }

    /** Removes and returns the next element; rejects with {@link StreamEmpty} at the end. */
    public Promise<T> next() {
        return get().flatMap(element -> element.isPresent()
                ? Promise.of(element.get())
                : Promise.rejected(endReached("next")));
    }

    /** Returns the next element without removing it, or empty at the end of the stream. */
    public Promise<Optional<T>> peek() {
        for (;;) {
            if (!atTail(node)) {
                return Promise.of(Optional.ofNullable(node.data));
            }
            Promise<Optional<T>> later = feedThen(this::peek);
            if (later != null) {
                return later;
            }
        }
    }

    /** Removes the next element, waiting for one if needed; does nothing at the end. */
    public Promise<Void> junk() {
        return get().map(ignored -> null);
    }

    /**
     * Removes every element available now and returns the last one (Lwt_stream.last_new); if none
     * is available, waits for the next one. Rejects with {@link StreamEmpty} at the end.
     */
    public Promise<T> lastNew() {
        List<T> available;
        try {
            available = getAvailable();
        } catch (RuntimeException | Error failure) {
            return Promise.rejected(failure instanceof CompletionException wrapped ? wrapped.getCause() : failure);
        }
        return available.isEmpty() ? next() : Promise.of(available.getLast());
    }

    // ---------------------------------------------------------------- reading several elements

    /** Returns up to {@code n} next elements without removing them; fewer at the end. */
    public Promise<List<T>> npeek(int n) {
        return Promise.apply(() -> npeekFrom(node, new ArrayList<>(), n));
    }

    private Promise<List<T>> npeekFrom(StreamNode<T> start, List<T> found, int n) {
        StreamNode<T> at = start;
        while (found.size() < n) {
            if (atTail(at)) {
                StreamNode<T> resumeAt = at;
                Promise<List<T>> later = feedThen(() -> npeekFrom(resumeAt, found, n));
                if (later != null) {
                    return later;
                }
                continue;
            }
            if (at.data == null) {
                break;
            }
            found.add(at.data);
            at = at.next;
        }
        return Promise.of(found);
    }

    /** Removes and returns up to {@code n} next elements, waiting for them; fewer at the end. */
    public Promise<List<T>> nget(int n) {
        return read(new Collect<>(n, element -> true));
    }

    /** Removes up to {@code n} next elements, waiting for them. */
    public Promise<Void> njunk(int n) {
        return nget(n).map(ignored -> null);
    }

    /**
     * Removes and returns the longest run of next elements that satisfy {@code p}; the first
     * element that does not stays in the stream.
     */
    public Promise<List<T>> getWhile(Predicate<? super T> p) {
        return read(new Collect<>(Integer.MAX_VALUE, p));
    }

    /** Removes the longest run of next elements that satisfy {@code p}. */
    public Promise<Void> junkWhile(Predicate<? super T> p) {
        return getWhile(p).map(ignored -> null);
    }

    /** Removes and returns every element up to the end of the stream. */
    public Promise<List<T>> toList() {
        return read(new Collect<>(Integer.MAX_VALUE, element -> true));
    }

    /**
     * Removes and returns the elements available now, without waiting (Lwt_stream.get_available);
     * a synchronous generator is asked as long as it answers at once.
     *
     * @throws RuntimeException the source's synchronous failure (checked ones wrapped in
     *     {@link CompletionException}); elements read before it are consumed and lost
     */
    public List<T> getAvailable() {
        return getAvailableUpTo(Integer.MAX_VALUE);
    }

    /** Like {@link #getAvailable()}, but returns at most {@code n} elements. */
    public List<T> getAvailableUpTo(int n) {
        List<T> found = new ArrayList<>();
        while (found.size() < n) {
            StreamNode<T> at = node;
            if (atTail(at)) {
                if (!feedNow()) {
                    break;
                }
                continue;
            }
            if (at.data == null) {
                break;
            }
            consume(at);
            found.add(at.data);
        }
        return found;
    }

    /** Removes the elements available now, without waiting (Lwt_stream.junk_available). */
    public void junkAvailable() {
        getAvailable();
    }

    // ---------------------------------------------------------------- consuming to the end

    /** Applies {@code f} to each element in turn, up to the end of the stream. */
    public Promise<Void> iter(Consumer<? super T> f) {
        Fold<T, Void> visit = new Fold<>(null, (ignored, element) -> {
            f.accept(element);
            return null;
        });
        return read(visit).map(ignored -> null);
    }

    /** Folds the elements in order: {@code f(... f(f(initial, e1), e2) ..., en)}. */
    public <A> Promise<A> fold(A initial, BiFunction<? super A, ? super T, ? extends A> f) {
        return read(new Fold<>(initial, f));
    }

    /**
     * Removes and returns the first element satisfying {@code p}, consuming the elements before
     * it; empty if the stream ends first.
     */
    public Promise<Optional<T>> find(Predicate<? super T> p) {
        return read(new Find<>(p));
    }

    /** Calls {@code f} on each element in turn, waiting for each call before reading on. */
    public Promise<Void> iterS(Function<? super T, ? extends Promise<?>> f) {
        return repeat(() -> get().flatMap(element -> element.isEmpty()
                ? Promise.of(true)
                : Promise.apply(() -> f.apply(element.get())).map(ignored -> false)));
    }

    /**
     * Folds the elements in order with an asynchronous function, waiting for each call before
     * reading on.
     */
    public <A> Promise<A> foldS(A initial, BiFunction<? super A, ? super T, ? extends Promise<? extends A>> f) {
        List<A> accumulator = new ArrayList<>(1);
        accumulator.add(initial);
        return repeat(() -> get().flatMap(element -> element.isEmpty()
                ? Promise.of(true)
                : Promise.<A>apply(() -> f.apply(accumulator.getFirst(), element.get())).map(next -> {
                    accumulator.set(0, next);
                    return false;
                }))).map(ignored -> accumulator.getFirst());
    }

    /**
     * Like {@link #find} with an asynchronous predicate: each element is consumed before the
     * predicate runs on it.
     */
    public Promise<Optional<T>> findS(Function<? super T, ? extends Promise<Boolean>> p) {
        List<Optional<T>> found = new ArrayList<>(1);
        return repeat(() -> get().flatMap(element -> {
            if (element.isEmpty()) {
                found.add(element);
                return Promise.of(true);
            }
            return Promise.<Boolean>apply(() -> p.apply(element.get())).map(match -> {
                if (match) {
                    found.add(element);
                }
                return match;
            });
        })).map(ignored -> found.getFirst());
    }

    /**
     * Starts {@code f} on each element as soon as it is read, without waiting for earlier calls
     * (Lwt_stream.iter_p). Fulfils when the end was read and every call was fulfilled; rejects
     * with the failure of the earliest element whose call failed, once every call before it was
     * fulfilled (or with the stream's failure, after every call).
     */
    public Promise<Void> iterP(Function<? super T, ? extends Promise<?>> f) {
        Resolver<Promise<Void>> first = Promise.pending();
        IterP<T> visit = new IterP<>(f, first);
        read(visit).onAny(ignored -> visit.last.resolve(Promise.unit()),
                failure -> visit.last.resolve(Promise.rejected(failure)));
        return flatten(first);
    }

    /**
     * Calls {@code f} on each element with at most {@code maxConcurrency} calls running at once
     * (Lwt_stream.iter_n); calls may finish in any order. Fulfils when the end was read and every
     * call finished; rejects with a call's failure as soon as it is noticed, while waiting for a
     * free slot or at the end.
     *
     * @throws IllegalArgumentException if {@code maxConcurrency} is less than 1
     */
    public Promise<Void> iterN(int maxConcurrency, Function<? super T, ? extends Promise<?>> f) {
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("Stream.iterN: maxConcurrency must be >= 1, got " + maxConcurrency);
        }
        IterN<T> state = new IterN<>(this, maxConcurrency, f);
        return repeat(state::step);
    }

    // ---------------------------------------------------------------- transformers

    /** A stream of {@code f} applied to each element of this one. */
    public <U> Stream<U> map(Function<? super T, ? extends U> f) {
        return from(() -> get().map(element -> element.isEmpty()
                ? Optional.<U>empty()
                : Optional.<U>of(f.apply(element.get()))));
    }

    /** A stream of the values of {@code f}'s promises, one element at a time. */
    public <U> Stream<U> mapS(Function<? super T, ? extends Promise<? extends U>> f) {
        return from(() -> get().flatMap(element -> element.isEmpty()
                ? Promise.of(Optional.<U>empty())
                : Promise.<U>apply(() -> f.apply(element.get())).map(Optional::<U>of)));
    }

    /** A stream of the elements of this one that satisfy {@code p}. */
    public Stream<T> filter(Predicate<? super T> p) {
        return from(() -> repeatUntilFound(() -> get().map(element ->
                element.isEmpty() || p.test(element.get()) ? Optional.of(element) : Optional.empty())));
    }

    /** Like {@link #filter} with an asynchronous predicate, one element at a time. */
    public Stream<T> filterS(Function<? super T, ? extends Promise<Boolean>> p) {
        return from(() -> repeatUntilFound(() -> get().flatMap(element -> element.isEmpty()
                ? Promise.of(Optional.of(element))
                : Promise.<Boolean>apply(() -> p.apply(element.get()))
                        .map(keep -> keep ? Optional.of(element) : Optional.<Optional<T>>empty()))));
    }

    /** A stream of the present results of {@code f} on the elements of this one. */
    public <U> Stream<U> filterMap(Function<? super T, Optional<U>> f) {
        return from(() -> repeatUntilFound(() -> get().map(element -> {
            if (element.isEmpty()) {
                return Optional.of(Optional.<U>empty());
            }
            Optional<U> mapped = f.apply(element.get());
            return mapped.isPresent() ? Optional.of(mapped) : Optional.<Optional<U>>empty();
        })));
    }

    /** Like {@link #filterMap} with an asynchronous function, one element at a time. */
    public <U> Stream<U> filterMapS(Function<? super T, ? extends Promise<Optional<U>>> f) {
        return from(() -> repeatUntilFound(() -> get().flatMap(element -> element.isEmpty()
                ? Promise.of(Optional.of(Optional.<U>empty()))
                : Promise.<Optional<U>>apply(() -> f.apply(element.get())).map(mapped ->
                        mapped.isPresent() ? Optional.of(mapped) : Optional.<Optional<U>>empty()))));
    }

    /** A stream of the elements of the lists {@code f} returns for each element, in order. */
    public <U> Stream<U> mapList(Function<? super T, ? extends List<? extends U>> f) {
        ArrayDeque<U> pending = new ArrayDeque<>();
        return from(() -> {
            if (!pending.isEmpty()) {
                return Promise.of(Optional.of(pending.poll()));
            }
            return repeatUntilFound(() -> get().map(element -> {
                if (element.isEmpty()) {
                    return Optional.of(Optional.<U>empty());
                }
                pending.addAll(f.apply(element.get()));
                return pending.isEmpty() ? Optional.<Optional<U>>empty() : Optional.of(Optional.of(pending.poll()));
            }));
        });
    }

    /** All the elements of {@code first}, then all those of {@code second}. */
    public static <T> Stream<T> append(Stream<? extends T> first, Stream<? extends T> second) {
        Concat<T> concat = new Concat<>(of(List.of(first, second)));
        return from(concat::next);
    }

    /** The elements of each stream of {@code streams} in turn (Lwt_stream.concat). */
    public static <T> Stream<T> concat(Stream<? extends Stream<? extends T>> streams) {
        Concat<T> concat = new Concat<>(streams);
        return from(concat::next);
    }

    /**
     * Pairs of elements read together from {@code first} and {@code second}; ends when either
     * ends (an element read from the other at that point is dropped, as in Lwt).
     */
    public static <A, B> Stream<Pair<A, B>> combine(Stream<? extends A> first, Stream<? extends B> second) {
        return from(() -> {
            Promise<? extends Optional<? extends A>> a = first.get();
            Promise<? extends Optional<? extends B>> b = second.get();
            return a.flatMap(left -> b.map(right -> left.isPresent() && right.isPresent()
                    ? Optional.of(new Pair<A, B>(left.get(), right.get()))
                    : Optional.<Pair<A, B>>empty()));
        });
    }

    /**
     * The elements of all {@code streams} in the order they arrive (Lwt_stream.choose); ends when
     * all have ended. When several have an element ready, the one that waited longest goes first
     * (Lwt picks at random).
     */
    public static <T> Stream<T> choose(List<? extends Stream<? extends T>> streams) {
        Merge<T> merge = new Merge<>(streams);
        return from(merge::next);
    }

    // ---------------------------------------------------------------- the read machinery

    private boolean atTail(StreamNode<T> n) {
        return n == source.queue.last;
    }

    /** Moves this stream past {@code n} if it is the next unread element. */
    private void consume(StreamNode<T> n) {
        if (n == node && n.data != null) {
            node = n.next;
            source.consumed();
        }
    }

    /**
     * At the tail: asks the source for more. Returns null if it answered at once (the caller reads
     * again), else a promise of {@code retry} run once it answered, or of the source's failure.
     */
    private <R> Promise<R> feedThen(Supplier<Promise<R>> retry) {
        Promise<Void> fed = source.feed();
        if (fed.isFulfilled()) {
            return null;
        }
        return fed.flatMap(ignored -> retry.get());
    }

    /** At the tail, without waiting: whether the source appended something at once. */
    private boolean feedNow() {
        Promise<Void> fed = source.feed();
        if (fed.isRejected()) {
            Throwable failure = fed.failure();
            if (failure instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            throw new CompletionException(failure);
        }
        return fed.isFulfilled();
    }

    /**
     * Consumes elements for {@code visitor} until it has enough, refuses one, or the stream ends,
     * waiting at the tail as needed; loops while elements are ready, so it is stack-safe.
     */
    private <R> Promise<R> read(Visitor<T, R> visitor) {
        try {
            for (;;) {
                StreamNode<T> n = node;
                if (visitor.full()) {
                    return Promise.of(visitor.result());
                }
                if (atTail(n)) {
                    Promise<R> later = feedThen(() -> read(visitor));
                    if (later != null) {
                        return later;
                    }
                    continue;
                }
                if (n.data == null || !visitor.wants(n.data)) {
                    return Promise.of(visitor.result());
                }
                consume(n);
                visitor.take(n.data);
            }
        } catch (RuntimeException | Error failure) {
            return Promise.rejected(failure);
        }
    }

    /** What {@link #read} feeds elements to. */
    private abstract static class Visitor<T, R> {
        /** Whether it needs no more elements; asked before each read. */
        boolean full() {
            return false;
        }

        /** Whether to consume {@code element}; false stops the read, leaving it in the stream. */
        boolean wants(T element) {
            return true;
        }

        /** Receives an element just consumed. */
        abstract void take(T element);

        abstract R result();
    }

    private static final class Collect<T> extends Visitor<T, List<T>> {
        private final int limit;
        private final Predicate<? super T> accept;
        private final List<T> taken = new ArrayList<>();

        Collect(int limit, Predicate<? super T> accept) {
            this.limit = limit;
            this.accept = accept;
        }

        @Override
        boolean full() {
            return taken.size() >= limit;
        }

        @Override
        boolean wants(T element) {
            return accept.test(element);
        }

        @Override
        void take(T element) {
            taken.add(element);
        }

        @Override
        List<T> result() {
            return taken;
        }
    }

    private static final class Fold<T, A> extends Visitor<T, A> {
        private final BiFunction<? super A, ? super T, ? extends A> f;
        private A accumulator;

        Fold(A initial, BiFunction<? super A, ? super T, ? extends A> f) {
            this.accumulator = initial;
            this.f = f;
        }

        @Override
        void take(T element) {
            accumulator = f.apply(accumulator, element);
        }

        @Override
        A result() {
            return accumulator;
        }
    }

    private static final class Find<T> extends Visitor<T, Optional<T>> {
        private final Predicate<? super T> p;
        private T found;

        Find(Predicate<? super T> p) {
            this.p = p;
        }

        @Override
        boolean full() {
            return found != null;
        }

        @Override
        void take(T element) {
            if (p.test(element)) {
                found = element;
            }
        }

        @Override
        Optional<T> result() {
            return Optional.ofNullable(found);
        }
    }

    /**
     * iter_p's chain: the result waits for the first call, then for the rest, which waits for the
     * second call, then for its rest, ... and the last rest is the read's own outcome.
     */
    private static final class IterP<T> extends Visitor<T, Void> {
        private final Function<? super T, ? extends Promise<?>> f;
        /** Resolves the "rest" that the latest call's continuation waits for. */
        Resolver<Promise<Void>> last;

        IterP(Function<? super T, ? extends Promise<?>> f, Resolver<Promise<Void>> first) {
            this.f = f;
            this.last = first;
        }

        @Override
        void take(T element) {
            Promise<?> call = Promise.apply(() -> f.apply(element));
            Resolver<Promise<Void>> rest = Promise.pending();
            Promise<Void> afterRest = flatten(rest);
            Resolver<Promise<Void>> previous = last;
            last = rest;
            previous.resolve(call.flatMap(ignored -> afterRest));
        }

        @Override
        Void result() {
            return null;
        }
    }

    /** iter_n's state: the calls running and how many more may start. */
    private static final class IterN<T> {
        private final Stream<T> stream;
        private final Function<? super T, ? extends Promise<?>> f;
        private List<Promise<?>> running = new ArrayList<>();
        private int free;

        IterN(Stream<T> stream, int maxConcurrency, Function<? super T, ? extends Promise<?>> f) {
            this.stream = stream;
            this.free = maxConcurrency;
            this.f = f;
        }

        /** Waits for a free slot, reads one element and starts its call; true at the end. */
        Promise<Boolean> step() {
            Promise<Void> slot = free > 0 ? Promise.unit() : Promise.nchooseSplit(running).map(split -> {
                running = new ArrayList<>(split.pending());
                free += split.fulfilled().size();
                return null;
            });
            return slot.flatMap(ignored -> stream.get()).flatMap(element -> {
                if (element.isEmpty()) {
                    return Promise.join(running).map(done -> true);
                }
                running.add(Promise.apply(() -> f.apply(element.get())));
                free--;
                return Promise.of(false);
            });
        }
    }

    /** The generator of {@link #append} and {@link #concat}: the current stream, then the next. */
    private static final class Concat<T> {
        private final Stream<? extends Stream<? extends T>> streams;
        private Stream<? extends T> current = of(List.of());

        Concat(Stream<? extends Stream<? extends T>> streams) {
            this.streams = streams;
        }

        Promise<Optional<T>> next() {
            return repeatUntilFound(() -> current.get().flatMap(element -> {
                if (element.isPresent()) {
                    return Promise.of(Optional.of(Optional.<T>of(element.get())));
                }
                return streams.get().map(nextStream -> {
                    if (nextStream.isEmpty()) {
                        return Optional.of(Optional.<T>empty());
                    }
                    current = nextStream.get();
                    return Optional.<Optional<T>>empty();
                });
            }));
        }
    }

    /** The generator of {@link #choose}: one pending read per stream still open. */
    private static final class Merge<T> {
        private record Arrival<T>(Stream<? extends T> from, Optional<? extends T> element) {}

        private final List<Promise<Arrival<T>>> reads = new ArrayList<>();

        Merge(List<? extends Stream<? extends T>> streams) {
            for (Stream<? extends T> s : streams) {
                reads.add(readFrom(s));
            }
        }

        private static <T> Promise<Arrival<T>> readFrom(Stream<? extends T> s) {
            return s.get().map(element -> new Arrival<>(s, element));
        }

        Promise<Optional<T>> next() {
            return repeatUntilFound(() -> {
                if (reads.isEmpty()) {
                    return Promise.of(Optional.of(Optional.<T>empty()));
                }
                return Promise.choose(List.copyOf(reads)).map(arrival -> {
                    removeResolved(arrival.from());
                    if (arrival.element().isEmpty()) {
                        return Optional.<Optional<T>>empty();
                    }
                    // the winner reads again at the back of the list, so ready streams take turns
                    reads.add(readFrom(arrival.from()));
                    return Optional.of(Optional.<T>of(arrival.element().get()));
                });
            });
        }

        private void removeResolved(Stream<?> from) {
            for (int i = 0; i < reads.size(); i++) {
                Promise<Arrival<T>> read = reads.get(i);
                if (read.isFulfilled() && read.value().from() == from) {
                    reads.remove(i);
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- loops over promises

    /**
     * Runs {@code step} until its promise fulfils with true; loops while steps resolve at once,
     * so a long run of ready elements does not grow the stack.
     */
    private static Promise<Void> repeat(Supplier<? extends Promise<Boolean>> step) {
        for (;;) {
            Promise<Boolean> done = Promise.apply(step);
            if (done.isPending()) {
                return done.flatMap(finished -> finished ? Promise.unit() : repeat(step));
            }
            if (done.isRejected() || done.value()) {
                return done.map(ignored -> null);
            }
        }
    }

    /** Like {@link #repeat}, for steps that fulfil with the result, or with empty to go on. */
    private static <R> Promise<R> repeatUntilFound(Supplier<? extends Promise<Optional<R>>> step) {
        for (;;) {
            Promise<Optional<R>> found = Promise.apply(step);
            if (found.isPending()) {
                return found.flatMap(result -> result.isPresent()
                        ? Promise.of(result.get())
                        : repeatUntilFound(step));
            }
            if (found.isRejected() || found.value().isPresent()) {
                return found.map(Optional::get);
            }
        }
    }

    private static Promise<Void> flatten(Resolver<Promise<Void>> resolver) {
        return resolver.promise().flatMap(inner -> inner);
    }

    private static StreamEmpty endReached(String operation) {
        return new StreamEmpty("Stream." + operation + ": the stream has ended; use get() to read the end "
                + "as an empty Optional");
    }
}
