package dev.weft.promise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The implementations behind {@link Promise#join}, {@link Promise#all}, {@link Promise#both},
 * {@link Promise#choose}, {@link Promise#pick}, {@link Promise#nchoose}, {@link Promise#npick} and
 * {@link Promise#nchooseSplit}. Each call makes the result promise, whose cancellation propagates
 * to every input, and one shared state object; the races add one callback node per pending input,
 * while join and all use their state object as the node of every input (a
 * {@link Callback.Shared}), so waiting on n promises allocates nothing per promise but the array
 * of their roots.
 */
final class Combinators {
    private Combinators() {}

    // ---------------------------------------------------------------- join, all, both

    static Promise<Void> join(List<? extends Promise<?>> promises) {
        return Promise.cast(gather(promises, false));
    }

    static <T> Promise<List<T>> all(List<? extends Promise<? extends T>> promises) {
        return Promise.cast(gather(promises, true));
    }

    static <A, B> Promise<Pair<A, B>> both(Promise<? extends A> first, Promise<? extends B> second) {
        Promise<List<Object>> values = all(List.of(first, second));
        return values.map(pair -> new Pair<>(Promise.<A>cast(pair.get(0)), Promise.<B>cast(pair.get(1))));
    }

    /**
     * A join or all in progress, and the one node every pending input calls back: how many inputs
     * are pending, and the first failure. Values are read from the inputs once all are resolved,
     * so the node needs no per-input index and one node serves every input.
     */
    private static final class Gather extends Callback.Shared {
        private final Promise<Object> result;
        /**
         * An all's inputs, whose values it reads at the end (and whose failed one debug mode names
         * in the async trace); null for a join, which reads none.
         */
        private final Promise<?>[] roots;
        private int pending;
        private Throwable firstFailure;

        Gather(Promise<Object> result, Promise<?>[] roots, int pending, Throwable firstFailure) {
            this.result = result;
            this.roots = roots;
            this.pending = pending;
            this.firstFailure = firstFailure;
        }

        @Override
        Promise<?> fire(Promise<?> input) {
            if (input.state != Promise.FULFILLED && firstFailure == null) {
                firstFailure = (Throwable) input.value;
                if (Debug.ENABLED && roots != null) {
                    AsyncTrace.recordInput(firstFailure, result, roots, input);
                }
            }
            if (--pending > 0) {
                return null;
            }
            if (firstFailure != null) {
                return Promise.settleIfPending(result, Promise.REJECTED, firstFailure);
            }
            return Promise.settleIfPending(result, Promise.FULFILLED, roots != null ? outcome(valuesOf(roots)) : null);
        }
    }

    private static Promise<Object> gather(List<? extends Promise<?>> promises, boolean keepValues) {
        Promise<?>[] roots = roots(promises);
        int pending = 0;
        Promise<?> firstRejected = null;
        for (Promise<?> root : roots) {
            if (root.state == Promise.PENDING) {
                pending++;
            } else if (root.state == Promise.REJECTED && firstRejected == null) {
                firstRejected = root;
            }
        }
        Throwable firstFailure = firstRejected == null ? null : (Throwable) firstRejected.value;
        if (Debug.ENABLED && firstFailure != null) {
            AsyncTrace.recordInputHere(firstFailure, roots, firstRejected);
        }
        if (pending == 0) {
            if (firstFailure != null) {
                return Promise.rejected(firstFailure);
            }
            return Promise.of(keepValues ? outcome(valuesOf(roots)) : null);
        }
        Promise<Object> result = new Promise<>(Promise.PENDING, Promise.PROPAGATE_SEVERAL, pendingOnly(roots, pending));
        // a join keeps no roots: it reads no values, and holding them would keep alive the values
        // of inputs fulfilled already until the last input settles
        Gather gather = new Gather(result, keepValues ? roots : null, pending, firstFailure);
        for (Promise<?> root : roots) {
            if (root.state == Promise.PENDING) {
                root.addCallback(gather);
            }
        }
        return result;
    }

    /**
     * The values of {@code roots}, all fulfilled, in order. A root that was pending may since have
     * become a proxy (a bind made it follow another promise), so each is looked up again.
     */
    private static Object[] valuesOf(Promise<?>[] roots) {
        Object[] values = new Object[roots.length];
        for (int i = 0; i < roots.length; i++) {
            values[i] = roots[i].underlying().value;
        }
        return values;
    }

    /** What an all fulfils with: an unmodifiable list of the values, nulls allowed. */
    private static Object outcome(Object[] values) {
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    // ---------------------------------------------------------------- choose, pick

    /** Shared state of a choose or pick: whether a winner was decided. */
    private static final class Race {
        final Promise<Object> result;
        final Promise<?>[] inputs;
        final boolean cancelLosers;
        boolean decided;

        Race(Promise<Object> result, Promise<?>[] inputs, boolean cancelLosers) {
            this.result = result;
            this.inputs = inputs;
            this.cancelLosers = cancelLosers;
        }
    }

    private static final class RaceInput extends Callback {
        private final Race race;

        RaceInput(Race race) {
            this.race = race;
        }

        @Override
        Promise<?> fire(Promise<?> winner) {
            if (race.decided) {
                return null;
            }
            race.decided = true;
            if (Debug.ENABLED && winner.state == Promise.REJECTED) {
                AsyncTrace.recordInput((Throwable) winner.value, race.result, race.inputs, winner);
            }
            noteLosersDead(race.inputs, winner);
            if (race.cancelLosers) {
                cancelAllBut(race.inputs, winner);
            }
            return Promise.settleIfPending(race.result, winner.state, winner.value);
        }

        @Override
        boolean isDead() {
            return race.decided;
        }
    }

    static <T> Promise<T> choose(List<? extends Promise<? extends T>> promises, boolean cancelLosers) {
        Promise<?>[] roots = nonEmptyRoots(promises, cancelLosers ? "pick" : "choose");
        for (Promise<?> root : roots) {
            if (root.state != Promise.PENDING) {
                if (Debug.ENABLED && root.state == Promise.REJECTED) {
                    AsyncTrace.recordInputHere((Throwable) root.value, roots, root);
                }
                if (cancelLosers) {
                    cancelAllBut(roots, root);
                }
                return Promise.cast(root);
            }
        }
        Promise<Object> result = new Promise<>(Promise.PENDING, Promise.PROPAGATE_SEVERAL, roots);
        Race race = new Race(result, roots, cancelLosers);
        for (Promise<?> root : roots) {
            root.addCallback(new RaceInput(race));
        }
        return Promise.cast(result);
    }

    // ---------------------------------------------------------------- nchoose, npick, nchooseSplit

    /** Shared state of nchoose/npick/nchooseSplit. */
    private static final class Harvest {
        final Promise<Object> result;
        final Promise<?>[] inputs;
        final boolean cancelPending;
        final boolean split;
        boolean decided;

        Harvest(Promise<Object> result, Promise<?>[] inputs, boolean cancelPending, boolean split) {
            this.result = result;
            this.inputs = inputs;
            this.cancelPending = cancelPending;
            this.split = split;
        }
    }

    private static final class HarvestInput extends Callback {
        private final Harvest harvest;

        HarvestInput(Harvest harvest) {
            this.harvest = harvest;
        }

        @Override
        Promise<?> fire(Promise<?> source) {
            Harvest h = harvest;
            if (h.decided) {
                return null;
            }
            h.decided = true;
            noteLosersDead(h.inputs, source);
            Promise<?> outcome = harvestNow(h.inputs, h.cancelPending, h.split);
            if (Debug.ENABLED) {
                Debug.observed(outcome); // copied into the result just below: not an unhandled rejection
            }
            return Promise.settleIfPending(h.result, outcome.state, outcome.value);
        }

        @Override
        boolean isDead() {
            return harvest.decided;
        }
    }

    static <T> Promise<List<T>> nchoose(List<? extends Promise<? extends T>> promises, boolean cancelPending) {
        return Promise.cast(harvest(promises, cancelPending, false, cancelPending ? "npick" : "nchoose"));
    }

    static <T> Promise<Split<T>> nchooseSplit(List<? extends Promise<? extends T>> promises) {
        return Promise.cast(harvest(promises, false, true, "nchooseSplit"));
    }

    private static Promise<Object> harvest(List<? extends Promise<?>> promises, boolean cancelPending,
            boolean split, String name) {
        Promise<?>[] roots = nonEmptyRoots(promises, name);
        for (Promise<?> root : roots) {
            if (root.state != Promise.PENDING) {
                return harvestNow(roots, cancelPending, split);
            }
        }
        Promise<Object> result = new Promise<>(Promise.PENDING, Promise.PROPAGATE_SEVERAL, roots);
        Harvest harvest = new Harvest(result, roots, cancelPending, split);
        for (Promise<?> root : roots) {
            root.addCallback(new HarvestInput(harvest));
        }
        return result;
    }

    /**
     * The values of the fulfilled inputs now (or the first failure in input order), computed
     * before cancelling the pending ones so that their cancellation does not count as a failure.
     */
    private static Promise<Object> harvestNow(Promise<?>[] inputs, boolean cancelPending, boolean split) {
        List<Object> fulfilled = new ArrayList<>();
        List<Promise<?>> stillPending = new ArrayList<>();
        Throwable failure = null;
        for (Promise<?> input : inputs) {
            Promise<?> root = input.underlying();
            switch (root.state) {
                case Promise.FULFILLED -> fulfilled.add(root.value);
                case Promise.REJECTED -> failure = failure == null ? (Throwable) root.value : failure;
                default -> stillPending.add(input);
            }
        }
        if (cancelPending) {
            for (Promise<?> p : stillPending) {
                p.cancel();
            }
        }
        if (failure != null) {
            return Promise.rejected(failure);
        }
        List<Object> values = Collections.unmodifiableList(fulfilled);
        return Promise.of(split ? new Split<>(values, Promise.cast(List.copyOf(stillPending))) : values);
    }

    // ---------------------------------------------------------------- shared

    /** The callbacks this race left on the inputs other than {@code winner} are dead now. */
    private static void noteLosersDead(Promise<?>[] inputs, Promise<?> winner) {
        Promise<?> winnerRoot = winner.underlying();
        for (Promise<?> input : inputs) {
            if (input.underlying() != winnerRoot) {
                Promise.callbackDied(input);
            }
        }
    }

    private static void cancelAllBut(Promise<?>[] inputs, Promise<?> winner) {
        Promise<?> winnerRoot = winner.underlying();
        for (Promise<?> input : inputs) {
            if (input.underlying() != winnerRoot) {
                input.cancel();
            }
        }
    }

    private static Promise<?>[] roots(List<? extends Promise<?>> promises) {
        Promise<?>[] roots = new Promise<?>[promises.size()];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = promises.get(i).resolvedRoot();
            if (Debug.ENABLED) {
                Debug.observed(roots[i]); // a combinator consumes its inputs' failures
            }
        }
        return roots;
    }

    private static Promise<?>[] nonEmptyRoots(List<? extends Promise<?>> promises, String name) {
        if (promises.isEmpty()) {
            throw new IllegalArgumentException(name + " of an empty list would never resolve");
        }
        return roots(promises);
    }

    /** The pending ones among {@code roots}: {@code roots} itself when all are (no copy needed). */
    private static Promise<?>[] pendingOnly(Promise<?>[] roots, int pending) {
        if (pending == roots.length) {
            return roots;
        }
        Promise<?>[] result = new Promise<?>[pending];
        int n = 0;
        for (Promise<?> root : roots) {
            if (root.state == Promise.PENDING) {
                result[n++] = root;
            }
        }
        return result;
    }
}
