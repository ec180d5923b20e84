package dev.weft.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's table of TCP sockets (/proc/net/tcp and tcp6, Linux): the state and queues of one
 * end of a loopback connection, seen from outside both processes. A test whose client waits for
 * a server uses it to say which side still holds the connection when the wait runs out.
 */
final class TcpTable {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String[] STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};
    private static final String[] TIMERS = {"none", "retransmit", "keepalive", "time-wait", "zero-window probe"};

    private TcpTable() {}

    /**
     * One socket: its ports, state, bytes in its send queue ({@code txQueue}: not yet acknowledged
     * by the peer) and receive queue ({@code rxQueue}: not yet read by its owner), the timer the
     * kernel runs for it, and its inode (what /proc/PID/fd links name as {@code socket:[inode]}).
     */
    record Entry(int localPort, int remotePort, String state, long txQueue, long rxQueue, String timer, long inode) {
        @Override
        public String toString() {
            return state + " send-queue " + txQueue + " B, receive-queue " + rxQueue + " B, timer " + timer
                    + ", inode " + inode;
        }
    }

    /** The socket with these ports (either address family), if the kernel still has one. */
    static Optional<Entry> find(int localPort, int remotePort) throws IOException {
        for (Path table : TABLES) {
            if (!Files.exists(table)) {
                continue;
            }
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(1, lines.size())) {
                Entry entry = parse(line.trim().split("\\s+"));
                if (entry.localPort() == localPort && entry.remotePort() == remotePort) {
                    return Optional.of(entry);
                }
            }
        }
        return Optional.empty();
    }

    /** Fields: sl, local addr:port, remote addr:port, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode. */
    private static Entry parse(String[] fields) {
        String[] queues = fields[4].split(":");
        int state = Integer.parseInt(fields[3], 16);
        int timer = Integer.parseInt(fields[5].split(":")[0], 16);
        return new Entry(port(fields[1]), port(fields[2]),
                state < STATES.length ? STATES[state] : "state " + state,
                Long.parseLong(queues[0], 16), Long.parseLong(queues[1], 16),
                timer < TIMERS.length ? TIMERS[timer] : "timer " + timer, Long.parseLong(fields[9]));
    }

    private static int port(String addressAndPort) {
        return Integer.parseInt(addressAndPort.substring(addressAndPort.lastIndexOf(':') + 1), 16);
    }
}
