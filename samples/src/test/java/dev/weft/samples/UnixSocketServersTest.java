package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.samples.http.HelloRoutes;
import dev.weft.samples.http.HttpLimits;
import dev.weft.samples.http.HttpServer;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sample servers behind a Unix domain socket (as behind a reverse proxy on the same host), on
 * both engines: they serve its connections as they serve TCP ones. TCP_NODELAY, which they set on
 * every TCP connection, does not exist for a Unix socket; asking for it must not cost the
 * connection.
 */
@Timeout(60)
class UnixSocketServersTest {
    @TempDir
    Path directory;
    private Loop loop;

    @AfterEach
    void closeLoop() {
        if (loop != null) {
            loop.close();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void theHttpServerAnswersOverAUnixSocket(EngineKind kind) throws Exception {
        UnixDomainSocketAddress address = listenWith(kind, listener ->
                HttpServer.start(loop, listener, new HelloRoutes(), HttpLimits.defaults()));

        String response = exchange(address, "GET /plaintext HTTP/1.1\r\nHost: u\r\nConnection: close\r\n\r\n");

        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.endsWith("Hello, World!"), response);
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void theEchoServerEchoesOverAUnixSocket(EngineKind kind) throws Exception {
        UnixDomainSocketAddress address = listenWith(kind, listener -> Promise.async(() -> EchoServer.acceptLoop(listener)));

        assertEquals("ping", exchange(address, "ping"));
    }

    /** Starts a loop on {@code kind} with a listener at a fresh path, and {@code server} on it. */
    private UnixDomainSocketAddress listenWith(EngineKind kind, Consumer<TcpListener> server) throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("server.sock"));
        loop = Loop.builder().name("unix-server").engine(Engines.open(kind)).build();
        loop.start();
        loop.call(() -> {
            server.accept(Sockets.on(loop).listen(address));
            return null;
        }).get(30, TimeUnit.SECONDS);
        return address;
    }

    /** Sends {@code request}, shuts the sending side, and reads what comes back until the server closes. */
    private static String exchange(UnixDomainSocketAddress address, String request) throws IOException {
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(address);
            client.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            client.shutdownOutput();
            return new String(readAll(client), StandardCharsets.US_ASCII);
        }
    }

    private static byte[] readAll(SocketChannel client) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (client.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return out.toByteArray();
    }
}
