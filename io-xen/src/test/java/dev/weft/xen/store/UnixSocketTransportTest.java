package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import dev.weft.xen.sim.SimXenStore;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over a real unix-domain socket (io-unix), as it talks to xenstored's socket: the
 * model daemon listens on one loop and thread, the client runs on another.
 */
class UnixSocketTransportTest {
    private static final long TIMEOUT_SECONDS = 20;

    @TempDir
    Path dir;

    private final Engine daemonEngine = Engines.defaultEngine();
    private final Loop daemonLoop = Loop.builder().name("xenstored").engine(daemonEngine).build();
    private final Engine clientEngine = Engines.defaultEngine();
    private final Loop clientLoop = Loop.builder().name("client").engine(clientEngine).build();
    private SimXenStore daemon;
    private TcpListener listener;
    private final CompletableFuture<Void> sessionEnded = new CompletableFuture<>();
    private XenStore client;

    @BeforeEach
    void start() throws Exception {
        daemonLoop.start();
        clientLoop.start();
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("xenstored.sock"));
        daemonLoop.submit(() -> {
            daemon = new SimXenStore();
            listener = Sockets.on(daemonLoop, daemonEngine).listen(address);
            listener.accept().onSuccess(flow -> daemon.serve(flow, 0).onTermination(() -> sessionEnded.complete(null)));
            return Promise.unit();
        }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        client = clientLoop.submit(() -> Sockets.on(clientLoop, clientEngine).connect(address, Duration.ofSeconds(5))
                .map(flow -> XenStore.over(flow, clientLoop))).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        clientLoop.submit(() -> client.close()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        daemonLoop.submit(() -> {
            listener.close();
            return Promise.unit();
        }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        clientLoop.close();
        daemonLoop.close();
    }

    private <T> T onClient(java.util.function.Supplier<Promise<T>> work) throws Exception {
        return clientLoop.submit(work).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void aValueWrittenOverTheSocketIsReadBack() throws Exception {
        assertEquals("over a socket", onClient(() -> client.write("/sock/k", "over a socket")
                .flatMap(v -> client.read("/sock/k"))));
    }

    @Test
    void watchEventsCrossTheSocket() throws Exception {
        WatchEvent event = onClient(() -> client.watch("/sock/w", "tok").flatMap(watch -> watch.events().next()
                .flatMap(first -> client.write("/sock/w/child", "x"))
                .flatMap(v -> watch.events().next())));
        assertEquals(new WatchEvent("/sock/w/child", "tok"), event);
    }

    @Test
    void transactionsCommitOverTheSocket() throws Exception {
        assertEquals("2", onClient(() -> client.transaction(tx -> tx.write("/sock/t", "2"))
                .flatMap(v -> client.read("/sock/t"))));
    }

    @Test
    void closingTheClientEndsTheDaemonsSession() throws Exception {
        clientLoop.submit(() -> client.close()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        sessionEnded.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, daemonLoop.submit(() -> Promise.of(daemon.connections())).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
}
