package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./weft echo-server}'s graceful shutdown over TCP: in process with the signal replaced by
 * what it triggers ({@link EchoServer.TcpEcho#stop}), and as a user runs it, a child JVM stopped
 * by SIGTERM.
 */
@Timeout(120)
class EchoShutdownTest {
    private static final String[] ARGS = {"--port", "0", "--loops", "2", "--grace-ms", "20000"};

    @Test
    void shutdownClosesIdleConnectionsRefusesNewOnesAndReleasesEveryFd() throws Exception {
        closeAnIdleConnectionThenRefuse(); // the JDK's client classes and lazy fds, before counting
        long fdsBefore = OpenFds.count();

        EchoServer.TcpEcho server = closeAnIdleConnectionThenRefuse();

        assertTrue(server.group().isClosed());
        assertEquals(fdsBefore, OpenFds.count(), "every socket, epoll and eventfd is released");
    }

    private static EchoServer.TcpEcho closeAnIdleConnectionThenRefuse() throws IOException {
        EchoServer.TcpEcho server = EchoServer.serveTcp(EchoServer.options(ARGS));
        InetSocketAddress address = (InetSocketAddress) server.address();
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));

            server.stop();

            assertEquals(-1, client.getInputStream().read(), "the idle connection was closed");
            assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close());
        }
        return server;
    }

    @Test
    void theEchoServerExitsWithStatusZeroAfterSigterm() throws Exception {
        try (SignalledServer server = SignalledServer.start(EchoServer.class, "--port", "0", "--loops", "2")) {
            assertTrue(server.banner() != null && server.banner().startsWith("Weft echo server on "), server.banner());

            server.sigtermAndAwaitGracefulExit();
        }
    }
}
