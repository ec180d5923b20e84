package dev.weft.unix.signal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.fork.ForkedJvm;
import example.pending.SignalDumpProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PendingDumps#printOnSignal} in debug mode, in a forked JVM (debug mode is read once per
 * JVM): a real SIGUSR1 prints the listing itself, the running loop's pending sleep with its
 * deadline and the application line behind it, not only the hint that PendingDumpsTest sees.
 */
class PendingDumpsDebugTest {

    @Test
    void aSignalToADebugModeServerPrintsItsPendingPromisesGrouped() throws Exception {
        List<String> lines = ForkedJvm.run(SignalDumpProbe.class,
                List.of(ForkedJvm.DEBUG, "--enable-native-access=ALL-UNNAMED"));
        String output = String.join("\n", lines);

        assertFalse(output.contains("NO REPORT"), output);
        assertTrue(output.contains("Pending promises of loop 'served-0'"), output);
        assertTrue(output.contains("1 x made at dev.weft.loop.Loop.sleep("), output);
        assertTrue(output.contains("SignalDumpProbe.awaitIdleClient"), output);
        assertTrue(output.contains("sleep timer due in"), output);
        assertFalse(output.contains("-Dweft.debug=true"), "debug mode is on: no hint\n" + output);
    }
}
