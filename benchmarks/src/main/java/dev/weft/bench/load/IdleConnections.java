package dev.weft.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N idle TCP connections to a server and holds them, so that a script can read the server's
 * memory with that many connections open. Runs on the calling thread only.
 *
 * <p>Bounded: it opens at most {@code --count} connections within {@code --open-seconds}, gives up
 * on one after {@code --connect-timeout-millis}, holds them for at most {@code --hold-seconds}, then
 * closes them and exits; loopback only. Once all are open it prints {@code idle_connections=K requested=N} (K is
 * less than N if the server stopped accepting).
 *
 * <p>Usage: {@code IdleConnections --port N [--host 127.0.0.1] [--count 10000] [--open-seconds 60]
 * [--hold-seconds 60] [--connect-timeout-millis 5000]}
 */
public final class IdleConnections {

    private IdleConnections() {}

    /**
     * Opens the connections, reports how many are open, holds them, and closes them.
     *
     * @param args the options above
     * @throws InterruptedException if interrupted while holding
     * @throws IOException if closing a connection fails
     */
    public static void main(String[] args) throws InterruptedException, IOException {
        CommandLine cl = CommandLine.parse(args);
        InetSocketAddress target = cl.loopbackTarget();
        int count = Math.toIntExact(cl.integer("count", 10_000));
        int connectTimeout = Math.toIntExact(cl.integer("connect-timeout-millis", 5_000));
        long holdMillis = cl.integer("hold-seconds", 60) * 1_000;
        long openDeadline = System.nanoTime() + cl.integer("open-seconds", 60) * 1_000_000_000L;

        List<Socket> open = new ArrayList<>(count);
        try {
            for (int i = 0; i < count && System.nanoTime() < openDeadline; i++) {
                Socket socket = new Socket();
                socket.connect(target, connectTimeout);
                open.add(socket);
            }
        } catch (IOException e) {
            System.err.println("stopped opening after " + open.size() + " connections: " + e);
        }
        System.out.println("idle_connections=" + open.size() + " requested=" + count);
        System.out.flush();
        // Holding is the point: the script reads the server's memory meanwhile, then stops this tool.
        Thread.sleep(holdMillis);
        for (Socket socket : open) {
            socket.close();
        }
    }
}
