package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The samples' {@code --loops N}: a loop thread each, and every connection served. */
@Timeout(120)
class ServerLoopsTest {

    private static final int MAX_FDS = 4096;

    private static void echoOnFreshConnections(int port, int connections) throws IOException {
        for (int i = 0; i < connections; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(("ping" + i % 10).getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping" + i % 10, new String(socket.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void theEchoServerRunsALoopThreadPerLoopBehindReusePortListeners() throws Exception {
        try (ServerProcess server = ServerProcess.start("dev.weft.samples.EchoServer", MAX_FDS, List.of(),
                List.of("--loops", "3"))) {
            echoOnFreshConnections(server.port(), 32);
            assertTrue(server.threadNames().containsAll(Set.of("weft-echo-0", "weft-echo-1", "weft-echo-2")),
                    server.threadNames().toString());
        }
    }

    @Test
    void theEchoServerWithAnAcceptorLoopServesEveryConnection() throws Exception {
        try (ServerProcess server = ServerProcess.start("dev.weft.samples.EchoServer", MAX_FDS, List.of(),
                List.of("--loops", "3", "--spread", "acceptor"))) {
            echoOnFreshConnections(server.port(), 32);
            assertTrue(server.threadNames().containsAll(Set.of("weft-echo-0", "weft-echo-1", "weft-echo-2")),
                    server.threadNames().toString());
        }
    }

    @Test
    void theHttpServerAnswersOnEveryOneOfItsLoops() throws Exception {
        try (ServerProcess server = ServerProcess.start("dev.weft.samples.HttpServerMain", MAX_FDS, List.of(),
                List.of("--loops", "2"))) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/plaintext");
            for (int i = 0; i < 16; i++) {
                // a new client per request opens a new connection, which the kernel may give either loop
                try (HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                    assertEquals("Hello, World!", fresh.send(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                }
            }
            assertTrue(server.threadNames().containsAll(Set.of("weft-http-0", "weft-http-1")),
                    server.threadNames().toString());
        }
    }
}
