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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
     * Each client sends POST /echo requests and never reads, until its write fails. It can only
     * fail because the server closed the connection: the server stops reading once its answer
     * waits, the kernel buffers fill, the client's write blocks, and the server's write timeout
     * (1 s here) must close it. A server without one leaves the sender blocked for ever (the join
     * fails); one that queued without bound would run out of its capped heap.
     */
    @Test
    void clientsThatNeverReadAreClosedByTheWriteTimeoutWithTheServersMemoryBounded() throws Exception {
        try (ServerProcess server = ServerProcess.start("dev.weft.samples.HttpServerMain", 4096, SERVER_JVM,
                List.of("--write-timeout-ms", "1000"))) {
            long fdsBefore = server.openFds();
            byte[] request = EchoRequests.post(new byte[BODY]);
            List<Socket> clients = new ArrayList<>();
            List<Thread> senders = new ArrayList<>();
            AtomicInteger closedByServer = new AtomicInteger();
            for (int i = 0; i < NON_READING; i++) {
                Socket socket = connect(server.port());
                socket.setReceiveBufferSize(16 * 1024);
                clients.add(socket);
                senders.add(Thread.ofVirtual().start(() -> sendUntilClosed(socket, request, closedByServer)));
            }
            long peakRss = 0;
            for (Thread sender : senders) {
                sender.join(TimeUnit.MINUTES.toMillis(2));
                peakRss = Math.max(peakRss, server.residentKib());
            }
            for (Socket socket : clients) {
                socket.close();
            }

            assertEquals(NON_READING, closedByServer.get(), "every non-reading client was closed by the server");
            assertTrue(server.isAlive(), server.stderr());
            assertTrue(peakRss < RSS_BOUND_KIB, "server RSS " + peakRss + " KiB with " + NON_READING + " non-reading clients");
            System.out.println("non-reading clients: " + NON_READING + ", server peak RSS " + peakRss + " KiB");
            assertEquals(fdsBefore, server.awaitFds(fdsBefore), "fds after the clients went");
        }
    }

    private static void sendUntilClosed(Socket socket, byte[] request, AtomicInteger closedByServer) {
        try {
            for (int i = 0; i < MAX_REQUESTS; i++) {
                socket.getOutputStream().write(request);
            }
        } catch (IOException closed) {
            closedByServer.incrementAndGet();
        }
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
            assertEquals(fdsBefore, server.awaitFds(fdsBefore), "fds before and after the storm");
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

    private static String statusOfGet(int port) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .lines().findFirst().orElse("");
        }
    }
}
