package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.fork.ForkedJvm;
import example.pending.SocketWaitsProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In debug mode a socket's pending write, end of writes, accept and datagram receive are each
 * reported by {@code dumpPending()} with the socket and the readiness they wait for, and the
 * application line behind them (as reads are: PendingReadDumpTest). Debug mode is read once per
 * JVM, so the probe runs in a forked JVM.
 */
class PendingSocketWaitsDumpTest {

    @Test
    void writesTheEndOfWritesAcceptsAndDatagramReceivesAreReportedWithTheirSocket() throws Exception {
        List<String> lines = ForkedJvm.run(SocketWaitsProbe.class,
                List.of(ForkedJvm.DEBUG, "--enable-native-access=ALL-UNNAMED"));
        String output = String.join("\n", lines);

        assertGroup(lines, output, "SocketWaitsProbe.sendUnread", "room to write to SocketFlow[",
                "waiting to be writable");
        assertGroup(lines, output, "SocketWaitsProbe.endWrites", "the end of writes to SocketFlow[",
                "bytes queued in 1 writes");
        assertGroup(lines, output, "SocketWaitsProbe.awaitSecondClient", "a connection to accept on ",
                "waiting to be readable");
        assertGroup(lines, output, "SocketWaitsProbe.awaitDatagram", "a datagram to receive on ",
                "waiting to be readable");
    }

    /** One group called from {@code caller} whose example starts with {@code start} and holds {@code detail}. */
    private static void assertGroup(List<String> lines, String output, String caller, String start, String detail) {
        List<String[]> groups = lines.stream().filter(line -> line.startsWith("GROUP ITS_RESOLVER|"))
                .map(line -> line.split("\\|", -1))
                .filter(fields -> fields[2].contains(caller) && fields[4].startsWith(start)).toList();
        assertEquals(1, groups.size(), "one group from " + caller + " waiting on " + start + " in:\n" + output);
        assertTrue(groups.getFirst()[4].contains(detail), output);
    }
}
