package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Sockets.on(loop): the engine comes from the loop, and a loop that cannot watch sockets is refused. */
class SocketsOnLoopTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @SocketTest
    void socketsFromTheLoopAloneConnect(EngineKind kind) {
        try (Loop loop = Loop.builder().engine(Engines.open(kind)).build()) {
            Sockets sockets = Sockets.on(loop);
            TcpListener listener = sockets.listen(LOOPBACK);

            SocketFlow client = loop.run(loop.withTimeout(PATIENCE, Promise.both(listener.accept(),
                    sockets.connect(listener.localAddress(), PATIENCE)).map(pair -> pair.second())));

            assertEquals(listener.localAddress(), client.remoteAddress());
        }
    }

    @Test
    void aHelperInsideACallbackFindsTheLoopWithoutBeingPassedIt() {
        try (Loop loop = Loop.builder().engine(Engines.defaultEngine()).build()) {
            TcpListener listener = loop.run(Promise.pause().map(v -> listenOnLoopback()));

            assertTrue(listener.localAddress() instanceof InetSocketAddress bound && bound.getPort() > 0);
        }
    }

    private static TcpListener listenOnLoopback() {
        return Sockets.on(Loop.current().orElseThrow()).listen(LOOPBACK);
    }

    @Test
    void aLoopWithoutReadinessSourcesIsRefusedWithTheEnginesToUse() {
        try (Loop loop = Loop.create()) {
            UnsupportedEngineException refused = assertThrows(UnsupportedEngineException.class, () -> Sockets.on(loop));

            assertEquals("PureEngine", refused.engineName());
            assertTrue(refused.getMessage().contains("EpollEngine or a NioEngine"), refused.getMessage());
            assertTrue(refused.getMessage().contains("Engines.defaultEngine()"), refused.getMessage());
        }
    }

    @Test
    void aVirtualTimeLoopIsRefusedToo() {
        try (Loop loop = Loop.builder().virtualTime().build()) {
            UnsupportedEngineException refused = assertThrows(UnsupportedEngineException.class,
                    () -> Sockets.on(loop, FlowOptions.DEFAULT));

            assertEquals("VirtualTimeEngine", refused.engineName());
        }
    }

    @Test
    void aRefusedLoopLeaksNoFileDescriptorAndStillRunsAndCloses() throws IOException {
        Loop warmUp = Loop.create();
        assertThrows(UnsupportedEngineException.class, () -> Sockets.on(warmUp)); // the JDK's one-time loads
        warmUp.close();
        long before = openFds();

        for (int i = 0; i < 100; i++) {
            try (Loop loop = Loop.create()) {
                assertThrows(UnsupportedEngineException.class, () -> Sockets.on(loop));
                assertEquals("ran", loop.run(Promise.pause().map(v -> "ran")));
            }
        }

        assertEquals(before, openFds());
    }

    @Test
    void theOldFormWithTheLoopsEngineStillWorks() {
        Engine engine = Engines.defaultEngine();
        try (Loop loop = Loop.builder().engine(engine).build()) {
            TcpListener listener = Sockets.on(loop, engine).listen(LOOPBACK);

            assertTrue(listener.localAddress() instanceof InetSocketAddress);
        }
    }

    @Test
    void theOldFormWithAnotherEngineIsRefusedAndLeaksNothing() throws IOException {
        try (Loop loop = Loop.builder().engine(Engines.defaultEngine()).build();
                Engine other = Engines.defaultEngine()) {
            long before = openFds();

            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> Sockets.on(loop, other, FlowOptions.DEFAULT));

            assertTrue(refused.getMessage().contains("Sockets.on(loop)"), refused.getMessage());
            assertEquals(before, openFds());
        }
    }

    /** Every fd this process holds (the directory listing's own fd counts the same each time). */
    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
