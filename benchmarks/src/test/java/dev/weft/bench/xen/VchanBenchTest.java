package dev.weft.bench.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each transport of VchanBench does the whole work it is timed for: every byte of a transfer
 * arrives, and every ping-pong reply comes back equal to its message, so no row can time work
 * that silently did nothing.
 */
class VchanBenchTest {
    private static final long BYTES = 3 << 20;

    private static void assertWholeWorkload(FlowPair pair) throws Exception {
        MemorySegment chunk = Arena.ofAuto().allocate(64 * 1024, 8);
        var drained = pair.onServer(flow -> FlowLoad.drain(flow, BYTES));
        var sent = pair.onClient(flow -> FlowLoad.send(flow, BYTES, chunk));
        assertEquals(BYTES, drained.get(60, TimeUnit.SECONDS));
        assertEquals(BYTES, sent.get(60, TimeUnit.SECONDS));

        pair.onServer(FlowLoad::echo);
        FlowLoad.PingPongResult result = pair.onClient(flow -> FlowLoad.pingPong(flow,
                TimeUnit.MILLISECONDS.toNanos(200))).get(60, TimeUnit.SECONDS);
        assertTrue(result.roundTrips() > 0, "round trips: " + result.roundTrips());
        assertEquals(0, result.mismatches());
    }

    @Test
    void theVchanOnTheModelCarriesEveryByteAndEchoesEveryMessage() throws Exception {
        try (FlowPair vchan = new VchanOnModel(64 * 1024)) {
            assertWholeWorkload(vchan);
        }
    }

    @Test
    void theTcpLoopbackCarriesEveryByteAndEchoesEveryMessage() throws Exception {
        try (FlowPair tcp = new TcpLoopback()) {
            assertWholeWorkload(tcp);
        }
    }
}
