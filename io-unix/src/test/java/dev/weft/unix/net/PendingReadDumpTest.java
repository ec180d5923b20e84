package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.pending.SocketReadProbe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A socket read that waits shows in the loop's pending-promise report as a read of that socket,
 * made at {@code SocketFlow.read} for the application's line. Debug mode is read once per JVM, so
 * the probe runs in a forked JVM with {@code -Dweft.debug=true}.
 */
class PendingReadDumpTest {

    @Test
    void aWaitingReadIsReportedWithItsSocketAndTheApplicationLine() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Dweft.debug=true", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SocketReadProbe.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "forked JVM did not finish");
        assertEquals(0, process.exitValue(), output);

        List<String> reads = output.lines().filter(line -> line.startsWith("GROUP ITS_RESOLVER|")
                && line.contains("SocketFlow.read")).toList();
        assertEquals(1, reads.size(), output);
        String[] fields = reads.get(0).split("\\|", -1);
        assertTrue(fields[2].contains("SocketReadProbe.awaitGreeting"), output);
        assertEquals("1", fields[3], output);
        assertTrue(fields[4].startsWith("bytes to read from SocketFlow[source="), output);
    }
}
