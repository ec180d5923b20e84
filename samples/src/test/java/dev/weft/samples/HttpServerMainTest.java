package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ./weft serve} as a user runs it: a separate JVM, stopped gracefully by SIGTERM. */
@Timeout(120)
class HttpServerMainTest {

    @Test
    void serverAnswersThenShutsDownGracefullyOnSigterm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process server = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), HttpServerMain.class.getName(), "--port", "0"))
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String banner = out.readLine();
            assertTrue(banner != null && banner.startsWith("Weft HTTP server on http://"), banner);
            String url = banner.substring("Weft HTTP server on ".length(), banner.indexOf(' ', "Weft HTTP server on ".length()));
            try (HttpClient client = HttpClient.newHttpClient()) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals("Hello, World!", response.body());
            }
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
}
