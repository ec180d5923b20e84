package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The bound on an async trace (AsyncTrace.append): at most MAX_SITES elements, the innermost sites
 * kept, then one line counting what was elided, then the outermost site; a site already there is
 * not added again. No debug mode needed: append is the pure function the traces are built with.
 */
class AsyncTraceBoundTest {

    private static StackTraceElement site(int n) {
        return new StackTraceElement("app.Chain", "step" + n, "Chain.java", n);
    }

    private static StackTraceElement[] sites(int from, int toExclusive) {
        return IntStream.range(from, toExclusive).mapToObj(AsyncTraceBoundTest::site).toArray(StackTraceElement[]::new);
    }

    @Test
    void aTraceOfMoreSitesThanTheBoundKeepsTheInnermostCountsTheRestAndEndsWithTheOutermost() {
        StackTraceElement[] trace = new StackTraceElement[0];
        for (int n = 1; n <= 100; n++) {
            trace = AsyncTrace.append(trace, new StackTraceElement[] {site(n)});
        }

        int bound = AsyncTrace.MAX_SITES;
        assertEquals(bound, trace.length);
        assertArrayEquals(sites(1, bound - 1), Arrays.copyOf(trace, bound - 2), "the innermost sites, in order");
        StackTraceElement elided = trace[bound - 2];
        assertEquals(AsyncTrace.ELIDED, elided.getClassName());
        assertEquals((100 - (bound - 2) - 1) + " more async sites elided", elided.getMethodName());
        assertEquals(site(100), trace[bound - 1], "the outermost site last");
    }

    @Test
    void appendingSitesAlreadyInTheTraceAddsNothingAndKeepsTheSameArray() {
        StackTraceElement[] trace = AsyncTrace.append(new StackTraceElement[0], sites(1, 4));

        StackTraceElement[] again = AsyncTrace.append(trace, sites(1, 4));

        assertSame(trace, again);
    }

    @Test
    void aBoundedTraceKeepsItsLengthHoweverManySitesFollow() {
        StackTraceElement[] trace = AsyncTrace.append(new StackTraceElement[0], sites(1, 1_001));

        assertEquals(AsyncTrace.MAX_SITES, trace.length);
        assertEquals((1_000 - (AsyncTrace.MAX_SITES - 2) - 1) + " more async sites elided",
                trace[AsyncTrace.MAX_SITES - 2].getMethodName());
    }
}
