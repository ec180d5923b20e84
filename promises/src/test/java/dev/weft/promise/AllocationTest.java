package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
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

    /**
     * Bytes this thread allocated calling {@code body} {@value #CALLS} times, after a warm-up.
     * Results are kept, so that the JIT cannot elide an allocation whose object nobody uses.
     */
    private static long allocatedBy(Supplier<?> body) {
        Object[] kept = new Object[CALLS];
        repeat(body, kept);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        repeat(body, kept);
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    private static void repeat(Supplier<?> body, Object[] kept) {
        for (int i = 0; i < CALLS; i++) {
            kept[i] = body.get();
        }
    }

    private static void assertAtMost(long bytesPerCall, long measured) {
        long bound = bytesPerCall * CALLS + SLACK_BYTES;
        assertTrue(measured <= bound, () -> measured + " bytes for " + CALLS + " calls, more than "
                + bytesPerCall + " per call (+" + SLACK_BYTES + " slack): " + (double) measured / CALLS + " per call");
    }
}
