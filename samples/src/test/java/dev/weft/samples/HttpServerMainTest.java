package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ./weft serve} as a user runs it: a separate JVM, stopped gracefully by SIGTERM. */
@Timeout(120)
class HttpServerMainTest {

    @Test
    void serverAnswersThenShutsDownGracefullyOnSigterm() throws Exception {
        try (SignalledServer server = SignalledServer.start(HttpServerMain.class, "--port", "0")) {
            String banner = server.banner();
            assertTrue(banner != null && banner.startsWith("Weft HTTP server on http://"), banner);
            String url = banner.substring("Weft HTTP server on ".length(), banner.indexOf(' ', "Weft HTTP server on ".length()));
            try (HttpClient client = HttpClient.newHttpClient()) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals("Hello, World!", response.body());
            }

            server.sigtermAndAwaitGracefulExit();
        }
    }

    /**
     * {@code --header-timeout-ms}: a head still unfinished after it is answered 408. The client
     * waits 5 s for the answer, half the default header timeout, so only the option's 100 ms
     * can have made it.
     */
    @Test
    void aHeadUnfinishedAfterTheHeaderTimeoutOptionIsAnswered408() throws Exception {
        try (ServerProcess server = ServerProcess.start("dev.weft.samples.HttpServerMain", 4096, List.of(),
                List.of("--header-timeout-ms", "100"))) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));

                assertTrue(statusLine(socket.getInputStream()).startsWith("HTTP/1.1 408 "));
            }
        }
    }

    /**
     * {@code --idle-timeout-ms}: a connection that sends no request is closed once it passes.
     * The client waits 5 s, a twelfth of the default idle timeout.
     */
    @Test
    void aConnectionIdleForTheIdleTimeoutOptionIsClosed() throws Exception {
        try (ServerProcess server = ServerProcess.start("dev.weft.samples.HttpServerMain", 4096, List.of(),
                List.of("--idle-timeout-ms", "100"))) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.setSoTimeout(5_000);

                assertEquals(-1, socket.getInputStream().read(), "closed without an answer");
            }
        }
    }

    private static String statusLine(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }
}
