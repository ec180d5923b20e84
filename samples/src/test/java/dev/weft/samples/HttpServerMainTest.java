package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
}
