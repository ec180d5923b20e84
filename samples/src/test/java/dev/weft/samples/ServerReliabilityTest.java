package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reliability of the HTTP sample server ({@code ./weft serve}) in a child JVM: clients that never
 * read are closed by the write timeout with the server's memory bounded, and storms of resets and
 * half-closes in the middle of requests leave its fd count where it was.
 */
@Timeout(300)
class ServerReliabilityTest {
    private static final int NON_READING = 100;
    private static final int BODY = 64 * 1024;
    /** 64 MiB per client: far more than the kernel buffers of one connection hold. */
    private static final int MAX_REQUESTS = 1024;
    /** The server's heap is capped, so a leak or an unbounded queue fails as OutOfMemoryError. */
    private static final List<String> SERVER_JVM = List.of("-Xmx256m");
    /**
     * Resident memory bound for the server with the non-reading clients: the 256 MiB heap, the
     * JIT, metaspace, GC structures, and one 64 KiB off-heap read buffer per blocked connection;
     * measured 243 to 288 MiB on this machine (docs/performance.md).
     */
    private static final long RSS_BOUND_KIB = 400 * 1024;
    /**
     * How long the clients may take to be closed, counted once all are connected: 2 to 5 s here
     * when idle, about 10 s with the machine loaded (the clients push megabytes each before their
     * writes block); a connection still open after this is not a slow one.
     */
    private static final Duration SENDERS_DEADLINE = Duration.ofSeconds(60);
    /** The clients still sending that a failure describes one by one. */
    private static final int REPORTED_CLIENTS = 10;

    /**
     * Each client sends POST /echo requests and never reads, until its write fails. It can only
     * fail because the server closed the connection: the server stops reading once its answer
     * waits, the kernel buffers fill, the client's write blocks, and the server's write timeout
     * (1 s here) must close it. A server without one leaves the sender blocked for ever (the
     * wait runs out and the failure names each connection still open, with the kernel's view of
     * both its ends); one that queued without bound would run out of its capped heap.
     */
    @Test
    void clientsThatNeverReadAreClosedByTheWriteTimeoutWithTheServersMemoryBounded() throws Exception {
        try (ServerProcess server = ServerProcess.start("dev.weft.samples.HttpServerMain", 4096, SERVER_JVM,
                List.of("--write-timeout-ms", "1000"))) {
            long fdsBefore = server.openFds();
            byte[] request = EchoRequests.post(new byte[BODY]);
            long start = System.nanoTime();
            List<NonReadingClient> clients = new ArrayList<>();
            for (int i = 0; i < NON_READING; i++) {
                Socket socket = connect(server.port());
                socket.setReceiveBufferSize(16 * 1024);
                clients.add(NonReadingClient.start(i, socket, request, start));
            }
            long peakRss = 0;
            long deadline = System.nanoTime() + SENDERS_DEADLINE.toNanos();
            for (NonReadingClient client : clients) {
                client.awaitClosed(deadline);
                peakRss = Math.max(peakRss, server.residentKib());
            }
            List<NonReadingClient> stillSending = clients.stream().filter(c -> !c.closedByServer()).toList();
            String stuck = stillSending.isEmpty() ? "" : stuckReport(stillSending, clients, server);
            for (NonReadingClient client : clients) {
                client.socket().close();
            }

            assertTrue(stillSending.isEmpty(), stuck);
            assertTrue(server.isAlive(), server.stderr());
            assertTrue(peakRss < RSS_BOUND_KIB, "server RSS " + peakRss + " KiB with " + NON_READING + " non-reading clients");
            System.out.println("non-reading clients: " + NON_READING + ", server peak RSS " + peakRss + " KiB, slowest close "
                    + slowestCloseMillis(clients) + " ms");
            assertEquals(fdsBefore, awaitFds(server, fdsBefore), "fds after the clients went");
        }
    }

    /**
     * One client that sends {@code request} until its write fails, on a virtual thread of its own:
     * how much it sent, and when (after the test's start) the server closed it.
     */
    private record NonReadingClient(int index, Socket socket, Thread sender, AtomicLong bytesSent,
            AtomicLong closedAfterNanos) {
        static NonReadingClient start(int index, Socket socket, byte[] request, long testStart) {
            AtomicLong sent = new AtomicLong();
            AtomicLong closedAfter = new AtomicLong(-1);
            Thread sender = Thread.ofVirtual().name("non-reading-" + index).start(() -> {
                try {
                    for (int i = 0; i < MAX_REQUESTS; i++) {
                        socket.getOutputStream().write(request);
                        sent.addAndGet(request.length);
                    }
                } catch (IOException closed) {
                    closedAfter.set(System.nanoTime() - testStart);
                }
            });
            return new NonReadingClient(index, socket, sender, sent, closedAfter);
        }

        void awaitClosed(long deadlineNanos) throws InterruptedException {
            sender.join(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())));
        }

        boolean closedByServer() {
            return closedAfterNanos.get() >= 0;
        }
    }

    /**
     * What a failure needs to tell where the fault is: for each client still sending, how much it
     * sent, where its sender blocks, and the kernel's view of both ends of its connection (the
     * server's end still open and held by the server: its write timeout did not close it; the
     * server's end gone while the client's write still blocks: the client side missed the close);
     * then the server's stderr, and its thread dump on the test's stderr.
     */
    private static String stuckReport(List<NonReadingClient> stuck, List<NonReadingClient> all, ServerProcess server)
            throws IOException {
        StringBuilder report = new StringBuilder();
        report.append(stuck.size()).append(" of ").append(all.size()).append(" non-reading clients not closed by the server ")
                .append(SENDERS_DEADLINE.toSeconds()).append(" s after the last connected; ")
                .append(stuck.size() == all.size() ? "none was closed" : "the others within " + slowestCloseMillis(all) + " ms")
                .append("; the server has ").append(server.openFds()).append(" fds open\n");
        for (NonReadingClient client : stuck.subList(0, Math.min(stuck.size(), REPORTED_CLIENTS))) {
            int clientPort = client.socket().getLocalPort();
            Optional<TcpTable.Entry> serverEnd = TcpTable.find(server.port(), clientPort);
            report.append("  client #").append(client.index()).append(" (port ").append(clientPort).append(") sent ")
                    .append(client.bytesSent().get()).append(" B\n    client end: ")
                    .append(TcpTable.find(clientPort, server.port()).map(Object::toString).orElse("gone"))
                    .append("\n    server end: ").append(serverEnd.map(Object::toString).orElse("gone"));
            if (serverEnd.isPresent()) {
                report.append(server.holdsSocket(serverEnd.get().inode()) ? ", held by the server" : ", held by no fd of the server");
            }
            StackTraceElement[] stack = client.sender().getStackTrace();
            report.append("\n    sender: ").append(Arrays.toString(Arrays.copyOf(stack, Math.min(stack.length, 8)))).append('\n');
        }
        if (stuck.size() > REPORTED_CLIENTS) {
            report.append("  and ").append(stuck.size() - REPORTED_CLIENTS).append(" more\n");
        }
        report.append("server stderr:\n").append(server.stderr());
        System.err.println("ServerReliabilityTest: server thread dump when the wait ran out:\n" + server.threadDump());
        return report.toString();
    }

    private static long slowestCloseMillis(List<NonReadingClient> clients) {
        return TimeUnit.NANOSECONDS.toMillis(clients.stream().mapToLong(c -> c.closedAfterNanos().get()).max().orElse(-1));
    }

    @Test
    void resetsAndHalfClosesInTheMiddleOfRequestsLeaveTheFdCountFlat() throws Exception {
        try (ServerProcess server = ServerProcess.start("dev.weft.samples.HttpServerMain", 4096, List.of(), List.of())) {
            assertEquals("HTTP/1.1 200 OK", statusOfGet(server.port()));
            long fdsBefore = server.openFds();
            byte[] request = EchoRequests.post(new byte[4096]);
            for (int i = 0; i < 1000; i++) {
                try (Socket socket = connect(server.port())) {
                    socket.getOutputStream().write(request, 0, request.length / 2);
                    if (i % 2 == 0) {
                        socket.setSoLinger(true, 0); // close sends RST
                    } else {
                        socket.shutdownOutput(); // FIN mid-body: the server answers 400 and closes
                        assertTrue(readsToTheEnd(socket));
                    }
                }
            }
            assertEquals("HTTP/1.1 200 OK", statusOfGet(server.port()));
            assertEquals(fdsBefore, awaitFds(server, fdsBefore), "fds before and after the storm");
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** Reads to end of stream or reset; false if the peer was still silent after the timeout. */
    private static boolean readsToTheEnd(Socket socket) throws IOException {
        byte[] sink = new byte[64 * 1024];
        InputStream in = socket.getInputStream();
        try {
            while (in.read(sink) >= 0) {
                // what the server sent before closing
            }
            return true;
        } catch (SocketTimeoutException silent) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /**
     * The server's fd count once it is back to {@code expected}, or what it is after 10 s: the
     * server closes its side when it processes the close, a moment after the client's.
     */
    private static long awaitFds(ServerProcess server, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long fds = server.openFds();
        while (fds != expected && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling a count in another process: there is nothing to wait on
            fds = server.openFds();
        }
        return fds;
    }

    private static String statusOfGet(int port) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .lines().findFirst().orElse("");
        }
    }
}
