package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The promise core's allocation claims, read from the JVM's per-thread allocated-bytes counter,
 * which is exact (it counts bytes handed out, not samples). Each body runs {@value #CALLS} times
 * after a warm-up that loads every class it touches; a bound is per call, plus a fixed 64 KiB of
 * slack for what the JVM may allocate on this thread meanwhile (a few hundred bytes seen), well
 * below the 160 KB that even one extra 16-byte object per call would add. Sizes assume the default layout of a 64-bit HotSpot with a
 * heap under 32 GiB (12-byte headers, 4-byte references), which is what the tests run with.
 */
class AllocationTest {
    private static final int CALLS = 10_000;
    private static final long SLACK_BYTES = 65_536;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void aFulfilledPromiseIs24Bytes() {
        Object value = "v";
        long bytes = allocatedBy(() -> Promise.of(value));
        assertAtMost(24, bytes);
    }

    @Test
    void aPendingPromiseWithItsResolverIs24Bytes() {
        long bytes = allocatedBy(Promise::pending);
        assertAtMost(24, bytes);
    }

    @Test
    void aBindOnAFulfilledPromiseAllocatesNothingBeyondItsFunction() {
        Promise<String> fulfilled = Promise.of("v");
        Promise<String> next = Promise.of("w");
        Function<String, Promise<String>> f = x -> next;
        long bytes = allocatedBy(() -> fulfilled.flatMap(f));
        assertAtMost(0, bytes);
    }

    @Test
    void aBindOnAPendingPromiseAllocatesOne32ByteObject() {
        Promise<String> pending = Promise.<String>pending().promise();
        Promise<String> next = Promise.of("w");
        Function<String, Promise<String>> f = x -> next;
        long bytes = allocatedBy(() -> pending.flatMap(f));
        assertAtMost(32, bytes);
    }

    @Test
    void aMapOnAPendingPromiseAllocatesOne32ByteObject() {
        Promise<String> pending = Promise.<String>pending().promise();
        Function<String, String> f = x -> x;
        long bytes = allocatedBy(() -> pending.map(f));
        assertAtMost(32, bytes);
    }

    @Test
    void allOfPendingPromisesAllocatesNothingPerInputButARootsSlot() {
        int calls = 100;
        // fresh inputs for every call (warm-up and measured), made before counting starts
        Iterator<List<Promise<String>>> inputs = IntStream.range(0, 2 * calls)
                .mapToObj(i -> freshPendingPromises(1_000)).toList().iterator();
        // per call: the roots array (16 + 4,000 B), the result promise (24) and the shared node
        // (32); a node per input would add 24,000 B
        long bytes = allocatedBy(() -> Promise.all(inputs.next()), calls);
        assertAtMost(4_100, bytes, calls);
    }

    @Test
    void aPauseRoundTripWithOneOnSuccessAllocatesOnlyItsPromise() {
        java.util.function.Consumer<Void> f = ignored -> { };
        long bytes = allocatedBy(() -> {
            Promise<Void> paused = Promise.pause().onSuccess(f);
            LoopHooks.wakeupPaused();
            return paused;
        });
        assertAtMost(24, bytes);
    }

    @Test
    void aPauseThenRoundTripAllocatesNothing() {
        Runnable task = () -> { };
        long bytes = allocatedBy(() -> {
            Promise.pauseThen(task);
            return LoopHooks.wakeupPaused();
        });
        assertAtMost(0, bytes);
    }

    private static List<Promise<String>> freshPendingPromises(int n) {
        List<Promise<String>> promises = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            promises.add(Promise.<String>pending().promise());
        }
        return promises;
    }

    /**
     * Bytes this thread allocated calling {@code body} {@value #CALLS} times, after a warm-up.
     * Results are kept, so that the JIT cannot elide an allocation whose object nobody uses.
     */
    private static long allocatedBy(Supplier<?> body) {
        return allocatedBy(body, CALLS);
    }

    private static long allocatedBy(Supplier<?> body, int calls) {
        Object[] kept = new Object[calls];
        repeat(body, kept);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        repeat(body, kept);
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    private static void repeat(Supplier<?> body, Object[] kept) {
        for (int i = 0; i < kept.length; i++) {
            kept[i] = body.get();
        }
    }

    private static void assertAtMost(long bytesPerCall, long measured) {
        assertAtMost(bytesPerCall, measured, CALLS);
    }

    private static void assertAtMost(long bytesPerCall, long measured, int calls) {
        long bound = bytesPerCall * calls + SLACK_BYTES;
        assertTrue(measured <= bound, () -> measured + " bytes for " + calls + " calls, more than "
                + bytesPerCall + " per call (+" + SLACK_BYTES + " slack): " + (double) measured / calls + " per call");
    }
}
