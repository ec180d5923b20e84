package dev.weft.bench.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.load.LatencyHistogram;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each transport of RingBench does the whole exchange: every request reaches the server (which
 * records its delay) and comes back with the right value, so no row can time work that silently
 * did nothing.
 */
class RingBenchTest {
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private static void assertWholeWorkload(RoundTrips transport, int window) throws Exception {
        transport.swapHistogram();
        WindowLoad.Result result = transport.onClient(() -> WindowLoad.run(transport, window, RUN_NANOS))
                .get(60, TimeUnit.SECONDS);
        LatencyHistogram seenByServer = transport.swapHistogram();

        assertTrue(result.roundTrips() >= window, "round trips: " + result.roundTrips());
        assertEquals(0, result.mismatches());
        assertEquals(result.roundTrips(), seenByServer.count());
    }

    @Test
    void theRingOnTheModelAnswersEveryRequest() throws Exception {
        try (RoundTrips ring = new RingOnModel()) {
            assertWholeWorkload(ring, 128);
            assertWholeWorkload(ring, 1);
        }
    }

    @Test
    void theUnixSocketPairAnswersEveryRequest() throws Exception {
        try (RoundTrips socket = new UnixSocketPair()) {
            assertWholeWorkload(socket, 128);
            assertWholeWorkload(socket, 1);
        }
    }
}
