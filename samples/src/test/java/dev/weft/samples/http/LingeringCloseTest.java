package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.Sockets;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * After refusing a request the server lingers, over real loopback sockets on both engines: a
 * client still sending when the error goes out reads the error instead of a reset. Without the
 * linger, the server would close with unread bytes in its socket, the kernel would answer with
 * RST, and the client's next write or read would fail.
 */
@Timeout(60)
class LingeringCloseTest {
    private Loop loop;
    private int port;

    private void start(EngineKind kind) throws Exception {
        Engine engine = Engines.open(kind);
        loop = Loop.builder().name("linger-test").engine(engine).build();
        loop.start();
        HttpServer server = loop.submit(() -> {
            var listener = Sockets.on(loop, engine)
                    .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenOptions.DEFAULT);
            return Promise.of(HttpServer.start(loop, listener, new HelloRoutes(), HttpLimits.defaults()));
        }).get(30, TimeUnit.SECONDS);
        port = ((InetSocketAddress) server.address()).getPort();
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aClientStillSendingAnOversizedHeadReadsThe431(EngineKind kind) throws Exception {
        start(kind);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Big: ".getBytes(StandardCharsets.US_ASCII));
            byte[] more = new byte[64 * 1024];
            Arrays.fill(more, (byte) 'y');
            for (int i = 0; i < 16; i++) {
                out.write(more); // 1 MiB in all: long after the server answered at 8 KiB
            }
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), response);
            assertTrue(response.contains("Connection: close\r\n"), response);
        }
    }
}
