package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serial;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the promise core over generated inputs: the monad laws for flatMap over resolved
 * and pending promises, and the invariants of random programs of bind/map/recover/resolve/cancel
 * and the combinators all/join/choose over the program's own promises.
 * Inputs come from a {@link Random} seeded by the case number, so a failing case names its seed
 * and reruns identically (see docs/decisions/002-property-tests.md for why not a library).
 */
class PromisePropertyTest {
    private static final Kind[] KINDS = Kind.values();

    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    static LongStream programSeeds() {
        return LongStream.range(0, 500);
    }

    private static Kind kind(Random random) {
        return KINDS[random.nextInt(KINDS.length)];
    }

    // ---------------------------------------------------------------- shapes of promises

    /** How a generated promise gets its outcome: already, or later when the world is run. */
    enum Kind { FULFILLED, REJECTED, FULFILLED_LATER, REJECTED_LATER }

    /** A failure compared by its code, so the two sides of a law can be compared. */
    static final class Boom extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        Boom(int code) {
            super("boom " + code);
        }
    }

    /** The pending resolutions of one side of a law, run in the order they were created. */
    static final class World {
        private final ArrayDeque<Runnable> later = new ArrayDeque<>();

        Promise<Integer> make(Kind kind, int v) {
            return switch (kind) {
                case FULFILLED -> Promise.of(v);
                case REJECTED -> Promise.rejected(new Boom(v));
                case FULFILLED_LATER -> {
                    Resolver<Integer> r = Promise.pending();
                    later.add(() -> r.resolve(v));
                    yield r.promise();
                }
                case REJECTED_LATER -> {
                    Resolver<Integer> r = Promise.pending();
                    later.add(() -> r.reject(new Boom(v)));
                    yield r.promise();
                }
            };
        }

        Function<Integer, Promise<Integer>> function(Kind kind, int k) {
            return x -> make(kind, x * 3 + k);
        }

        void run() {
            while (!later.isEmpty()) {
                later.poll().run();
            }
        }
    }

    static String outcome(Promise<?> p) {
        if (p.isPending()) {
            return "pending";
        }
        return p.isFulfilled() ? "fulfilled " + p.value() : "rejected " + p.failure().getMessage();
    }

    /** Builds both sides in their own worlds; they agree now, and again once every pending resolution ran. */
    private static void assertEquivalent(Function<World, Promise<Integer>> left, Function<World, Promise<Integer>> right) {
        World lw = new World();
        World rw = new World();
        Promise<Integer> l = left.apply(lw);
        Promise<Integer> r = right.apply(rw);
        assertEquals(outcome(l), outcome(r), "before resolution");
        lw.run();
        rw.run();
        assertEquals(outcome(l), outcome(r), "after resolution");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void leftIdentity(long seed) {
        Random random = new Random(seed);
        int a = random.nextInt();
        Kind fKind = kind(random);
        int k = random.nextInt();
        assertEquivalent(w -> Promise.of(a).flatMap(w.function(fKind, k)),
                w -> w.function(fKind, k).apply(a));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void rightIdentity(long seed) {
        Random random = new Random(seed);
        Kind mKind = kind(random);
        int v = random.nextInt();
        assertEquivalent(w -> w.make(mKind, v).flatMap(Promise::of), w -> w.make(mKind, v));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void associativity(long seed) {
        Random random = new Random(seed);
        Kind mKind = kind(random);
        int v = random.nextInt();
        Kind fKind = kind(random);
        int fk = random.nextInt();
        Kind gKind = kind(random);
        int gk = random.nextInt();
        assertEquivalent(
                w -> w.make(mKind, v).flatMap(w.function(fKind, fk)).flatMap(w.function(gKind, gk)),
                w -> w.make(mKind, v).flatMap(x -> w.function(fKind, fk).apply(x).flatMap(w.function(gKind, gk))));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mapIsFlatMapOfOf(long seed) {
        Random random = new Random(seed);
        Kind mKind = kind(random);
        int v = random.nextInt();
        int k = random.nextInt();
        assertEquivalent(w -> w.make(mKind, v).map(x -> x + k), w -> w.make(mKind, v).flatMap(x -> Promise.of(x + k)));
    }

    // ---------------------------------------------------------------- random programs

    /** One step of a random program; {@code pick} chooses a promise or resolver modulo the pool size. */
    sealed interface Op {}

    record NewTask() implements Op {}

    record NewWait() implements Op {}

    record Bind(int pick, Kind kind) implements Op {}

    record MapOp(int pick) implements Op {}

    record RecoverOp(int pick) implements Op {}

    record Listen(int pick) implements Op {}

    record Resolve(int pick) implements Op {}

    record Reject(int pick) implements Op {}

    record Cancel(int pick) implements Op {}

    /** all or join (as {@code join}) of three of the program's promises, possibly the same one twice. */
    record AllOp(int a, int b, int c, boolean join) implements Op {}

    record ChooseOp(int a, int b) implements Op {}

    /** A random program of 1 to 60 operations. */
    static List<Op> program(Random random) {
        int length = 1 + random.nextInt(60);
        List<Op> ops = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(1001);
            ops.add(switch (random.nextInt(12)) {
                case 0 -> new NewTask();
                case 1 -> new NewWait();
                case 2 -> new Bind(pick, kind(random));
                case 3 -> new MapOp(pick);
                case 4 -> new RecoverOp(pick);
                case 5 -> new Listen(pick);
                case 6 -> new Resolve(pick);
                case 7 -> new Reject(pick);
                case 8 -> new AllOp(pick, random.nextInt(1001), random.nextInt(1001), false);
                case 9 -> new AllOp(pick, random.nextInt(1001), random.nextInt(1001), true);
                case 10 -> new ChooseOp(pick, random.nextInt(1001));
                default -> new Cancel(pick);
            });
        }
        return ops;
    }

    /** A promise of the program, with how many times its own termination callback ran. */
    static final class Tracked {
        final Promise<Integer> promise;
        final int[] terminations = {0};
        String firstOutcome;

        Tracked(Promise<Integer> promise) {
            this.promise = promise;
            promise.onTermination(() -> terminations[0]++);
        }
    }

    /** A callback registered by the program and how often it ran. */
    record Listener(Tracked on, int[] runs) {}

    /** An all or join of {@code inputs} and the tracked promise it returned. */
    record Gathered(List<Tracked> inputs, Tracked result, boolean join) {}

    /** A leaf the program can resolve, and whether it is a task. */
    record Leaf(Resolver<Integer> resolver, boolean task) {}

    /** The state of one random program run. */
    static final class Program {
        final List<Tracked> promises = new ArrayList<>();
        final List<Leaf> leaves = new ArrayList<>();
        final List<Listener> listeners = new ArrayList<>();
        final List<Gathered> gathered = new ArrayList<>();
        int next;

        Tracked track(Promise<Integer> p) {
            Tracked t = new Tracked(p);
            promises.add(t);
            return t;
        }

        void leaf(boolean task) {
            Resolver<Integer> r = task ? Promise.task() : Promise.pending();
            leaves.add(new Leaf(r, task));
            track(r.promise());
        }

        Promise<Integer> make(Kind kind) {
            int v = next++;
            return switch (kind) {
                case FULFILLED -> Promise.of(v);
                case REJECTED -> Promise.rejected(new Boom(v));
                case FULFILLED_LATER, REJECTED_LATER -> {
                    leaf(kind == Kind.FULFILLED_LATER);
                    yield leaves.get(leaves.size() - 1).resolver().promise();
                }
            };
        }

        Tracked promise(int pick) {
            return promises.get(pick % promises.size());
        }

        void run(Op op) {
            if (promises.isEmpty() && !(op instanceof NewTask) && !(op instanceof NewWait)) {
                leaf(true);
            }
            switch (op) {
                case NewTask t -> leaf(true);
                case NewWait w -> leaf(false);
                case Bind b -> track(promise(b.pick()).promise.flatMap(x -> make(b.kind())));
                case MapOp m -> track(promise(m.pick()).promise.map(x -> x + 1));
                case RecoverOp r -> track(promise(r.pick()).promise.recover(e -> Promise.of(-1)));
                case Listen l -> {
                    Tracked on = promise(l.pick());
                    int[] runs = {0};
                    on.promise.onAny(v -> runs[0]++, e -> runs[0]++);
                    listeners.add(new Listener(on, runs));
                }
                case Resolve r -> settle(r.pick(), true);
                case Reject r -> settle(r.pick(), false);
                case Cancel c -> cancel(c.pick());
                case AllOp a -> gather(List.of(promise(a.a()), promise(a.b()), promise(a.c())), a.join());
                case ChooseOp c -> track(Promise.choose(List.of(promise(c.a()).promise, promise(c.b()).promise)));
            }
        }

        /** all (as the sum of the values) or join (as 0) of {@code inputs}, remembered for the checks. */
        private void gather(List<Tracked> inputs, boolean join) {
            List<Promise<Integer>> promises = inputs.stream().map(t -> t.promise).toList();
            Promise<Integer> result = join
                    ? Promise.join(promises).map(v -> 0)
                    : Promise.all(promises).map(values -> values.stream().mapToInt(Integer::intValue).sum());
            gathered.add(new Gathered(inputs, track(result), join));
        }

        private void settle(int pick, boolean fulfil) {
            Leaf leaf = leaves.get(pick % leaves.size());
            Promise<Integer> p = leaf.resolver().promise();
            if (p.isPending() || p.isCancelled()) {
                if (fulfil) {
                    leaf.resolver().resolve(next++);
                } else {
                    leaf.resolver().reject(new Boom(next++));
                }
                assertTrue(p.isCancelled() || !p.isPending(), "resolve settles a pending promise");
            } else if (fulfil) {
                assertThrows(IllegalStateException.class, () -> leaf.resolver().resolve(0));
            } else {
                assertThrows(IllegalStateException.class, () -> leaf.resolver().reject(new Boom(0)));
            }
        }

        private void cancel(int pick) {
            if (!leaves.isEmpty() && pick % 2 == 0) {
                Leaf leaf = leaves.get(pick % leaves.size());
                Promise<Integer> p = leaf.resolver().promise();
                boolean wasPending = p.isPending();
                p.cancel();
                if (wasPending && leaf.task()) {
                    assertTrue(p.isCancelled(), "a cancelled pending task is rejected with Cancelled");
                } else if (wasPending) {
                    assertTrue(p.isPending(), "a pending() promise cannot be cancelled");
                }
                return;
            }
            promise(pick).promise.cancel();
        }

        void checkInvariants() {
            for (Tracked t : promises) {
                int expected = t.promise.isPending() ? 0 : 1;
                assertEquals(expected, t.terminations[0], "a promise's callback ran once iff it resolved");
                if (!t.promise.isPending()) {
                    String now = outcome(t.promise);
                    if (t.firstOutcome == null) {
                        t.firstOutcome = now;
                    }
                    assertEquals(t.firstOutcome, now, "a promise resolves once");
                }
            }
            for (Listener l : listeners) {
                assertEquals(l.on().promise.isPending() ? 0 : 1, l.runs()[0], "each listener ran once iff resolved");
            }
            for (Gathered g : gathered) {
                checkGathered(g);
            }
        }

        /** all/join resolve once every input has, fulfilled with their values or rejected like one. */
        private static void checkGathered(Gathered g) {
            boolean inputsSettled = g.inputs().stream().noneMatch(t -> t.promise.isPending());
            assertEquals(inputsSettled, !g.result().promise.isPending(), "all/join resolved iff every input did");
            if (!inputsSettled) {
                return;
            }
            if (g.inputs().stream().allMatch(t -> t.promise.isFulfilled())) {
                int expected = g.join() ? 0 : g.inputs().stream().mapToInt(t -> t.promise.value()).sum();
                assertEquals(expected, g.result().promise.value(), "all's values are its inputs' values");
            } else {
                Throwable failure = g.result().promise.failure();
                assertTrue(g.inputs().stream().anyMatch(t -> t.promise.isRejected() && t.promise.failure() == failure),
                        "all/join rejects with one of its inputs' failures");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("programSeeds")
    void everyCallbackRunsExactlyOnceIffItsPromiseResolved(long seed) {
        List<Op> program = program(new Random(seed));
        Program p = new Program();
        for (Op op : program) {
            p.run(op);
            p.checkInvariants();
        }
    }
}
