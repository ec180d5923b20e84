package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.fork.ForkedJvm;
import example.pending.SocketReadProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A socket read that waits shows in the loop's pending-promise report as a read of that socket,
 * made at {@code SocketFlow.read} for the application's line. Debug mode is read once per JVM, so
 * the probe runs in a forked JVM with {@code -Dweft.debug=true}.
 */
class PendingReadDumpTest {

    @Test
    void aWaitingReadIsReportedWithItsSocketAndTheApplicationLine() throws Exception {
        List<String> lines = ForkedJvm.run(SocketReadProbe.class,
                List.of(ForkedJvm.DEBUG, "--enable-native-access=ALL-UNNAMED"));
        String output = String.join("\n", lines);

        List<String> reads = lines.stream().filter(line -> line.startsWith("GROUP ITS_RESOLVER|")
                && line.contains("SocketFlow.read")).toList();
        assertEquals(1, reads.size(), output);
        String[] fields = reads.get(0).split("\\|", -1);
        assertTrue(fields[2].contains("SocketReadProbe.awaitGreeting"), output);
        assertEquals("1", fields[3], output);
        assertTrue(fields[4].startsWith("bytes to read from SocketFlow[source="), output);
    }
}
