package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
        long fdsBefore = openFds();

        EchoServer.TcpEcho server = closeAnIdleConnectionThenRefuse();

        assertTrue(server.group().isClosed());
        assertEquals(fdsBefore, openFds(), "every socket, epoll and eventfd is released");
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
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process server = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), EchoServer.class.getName(), "--port", "0",
                "--loops", "2"))
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String banner = out.readLine();
            assertTrue(banner != null && banner.startsWith("Weft echo server on "), banner);
            new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "server did not stop after SIGTERM");
            String rest = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(rest.contains("SIGTERM: shutting down gracefully"), rest);
            assertTrue(rest.contains("stopped"), rest);
            assertEquals(0, server.exitValue(), rest);
        } finally {
            server.destroyForcibly();
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
