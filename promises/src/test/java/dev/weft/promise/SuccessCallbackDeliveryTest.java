package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code onSuccess} callback runs exactly once if its promise is fulfilled and never
 * otherwise, whatever happens inside other callbacks while promises drain: callbacks added to a
 * promise that holds a lone success consumer, to one being drained, or to one just resolved;
 * promises resolved, rejected and cancelled from inside callbacks; binds whose functions return
 * pending promises (proxies splicing two lists). Random programs from seeded {@link Random}s, so
 * a failing seed reruns identically.
 */
class SuccessCallbackDeliveryTest {
    private static final int NESTING = 3;

    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    private record Registered(Promise<Integer> promise, AtomicInteger runs) {}

    private final List<Promise<Integer>> promises = new ArrayList<>();
    private final List<Resolver<Integer>> resolvers = new ArrayList<>();
    private final List<Registered> registered = new ArrayList<>();

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everySuccessCallbackRunsOnceIffItsPromiseIsFulfilled(long seed) {
        Random random = new Random(seed);
        newResolver(random);
        for (int step = 0; step < 60; step++) {
            act(random, 0);
        }
        // by index: the callbacks this runs may add resolvers, which get resolved too
        for (int i = 0; i < resolvers.size(); i++) {
            if (resolvers.get(i).promise().isPending()) {
                resolvers.get(i).resolve(0);
            }
        }

        for (Registered r : registered) {
            assertEquals(r.promise().isFulfilled() ? 1 : 0, r.runs().get(),
                    "seed " + seed + ": a success callback on a promise now " + r.promise());
        }
    }

    private void act(Random random, int depth) {
        switch (random.nextInt(7)) {
            case 0 -> newResolver(random);
            case 1, 2 -> listen(random, depth);
            case 3 -> settle(random);
            case 4 -> pick(random).cancel();
            case 5 -> {
                Promise<Integer> target = pick(random);
                promises.add(pick(random).flatMap(v -> target));
            }
            default -> otherNode(random);
        }
    }

    private void newResolver(Random random) {
        Resolver<Integer> resolver = random.nextBoolean() ? Promise.task() : Promise.pending();
        resolvers.add(resolver);
        promises.add(resolver.promise());
    }

    /** An onSuccess whose body may act again, so that actions happen inside a drain. */
    private void listen(Random random, int depth) {
        Promise<Integer> promise = pick(random);
        AtomicInteger runs = new AtomicInteger();
        registered.add(new Registered(promise, runs));
        int actions = depth < NESTING ? random.nextInt(3) : 0;
        long bodySeed = random.nextLong();
        promise.onSuccess(v -> {
            runs.incrementAndGet();
            Random body = new Random(bodySeed);
            for (int i = 0; i < actions; i++) {
                act(body, depth + 1);
            }
        });
    }

    private void settle(Random random) {
        Resolver<Integer> resolver = resolvers.get(random.nextInt(resolvers.size()));
        if (resolver.promise().isPending()) {
            if (random.nextInt(5) == 0) {
                resolver.reject(new IllegalStateException("rejected by the program"));
            } else {
                resolver.resolve(1);
            }
        }
    }

    /** A node of another kind, so that lone consumers get linked behind and before them. */
    private void otherNode(Random random) {
        Promise<Integer> promise = pick(random);
        switch (random.nextInt(3)) {
            case 0 -> promises.add(promise.map(v -> v + 1));
            case 1 -> promise.onFailure(failure -> { });
            default -> promise.onCancel(() -> { });
        }
    }

    private Promise<Integer> pick(Random random) {
        return promises.get(random.nextInt(promises.size()));
    }
}
