package dev.weft.unix.net;

import static dev.weft.unix.net.Net.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.ConnectionException;
import dev.weft.unix.EngineKind;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.StandardSocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Ten thousand clients reset their connections (SO_LINGER 0, then close) while the server is
 * writing to them: the server sees each reset as a typed {@link ConnectionException}, closes the
 * connection, keeps serving, and the process ends with exactly the sockets it started with.
 */
class ResetStormTest {

    private static final int CONNECTIONS = 10_000;
    private static final int CONCURRENT = 64;

    @SocketTest
    void tenThousandResetConnectionsLeakNoFileDescriptor(EngineKind kind) throws IOException {
        try (Net net = Net.open(kind); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            long socketsBefore = openSockets();
            Server server = new Server(net, listener);
            MemorySegment request = Net.offHeap(16 * 1024);

            List<Promise<?>> lanes = new ArrayList<>();
            for (int lane = 0; lane < CONCURRENT; lane++) {
                lanes.add(clients(net, listener, request, lane));
            }
            net.run(Promise.join(lanes));
            net.run(server.allClosed.promise());
            net.loop.runOnce(0); // NIO releases closed channels' sockets at the next select

            assertEquals(CONNECTIONS, server.closed);
            assertEquals(0, server.untypedFailures, "every failure the server saw was a ConnectionException");
            assertTrue(server.resets > 0, "the server saw resets");
            assertEquals(socketsBefore, openSockets(), "sockets open before and after");
        }
    }

    /** Client connections {@code lane}, {@code lane + CONCURRENT}, ...: connect, send, read a little, reset. */
    private static Promise<Void> clients(Net net, TcpListener listener, MemorySegment request, int index) {
        if (index >= CONNECTIONS) {
            return Promise.unit();
        }
        return net.sockets.connect(listener.localAddress(), Net.PATIENCE).flatMap(client -> {
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
            return client.write(request)
                    .flatMap(v -> client.read())
                    .flatMap(read -> client.close());
        }).flatMap(v -> clients(net, listener, request, index + CONCURRENT));
    }

    /** Accepts forever; writes to each connection until it fails, reading alongside; closes it on the first failure. */
    private static final class Server {
        final Resolver<Void> allClosed = Promise.pending();
        final MemorySegment response = Net.offHeap(64 * 1024);
        int closed;
        int resets;
        int untypedFailures;

        Server(Net net, TcpListener listener) {
            acceptLoop(listener);
        }

        private Promise<Void> acceptLoop(TcpListener listener) {
            return listener.accept().flatMap(connection -> {
                serve(connection);
                return acceptLoop(listener);
            });
        }

        private void serve(SocketFlow connection) {
            // A small send buffer keeps the test about resets, not about copying megabytes per connection.
            connection.setOption(StandardSocketOptions.SO_SNDBUF, 8 * 1024);
            writeLoop(connection).onFailure(failure -> fail(connection, failure));
            readLoop(connection).onFailure(failure -> fail(connection, failure));
        }

        private Promise<Void> writeLoop(SocketFlow connection) {
            return connection.write(response).flatMap(v -> writeLoop(connection));
        }

        private Promise<Void> readLoop(SocketFlow connection) {
            return connection.read().flatMap(read -> read instanceof Flow.Data
                    ? readLoop(connection)
                    : Promise.rejected(new IllegalStateException("end of stream instead of a reset")));
        }

        private void fail(SocketFlow connection, Throwable failure) {
            if (connection.isClosed()) {
                return; // the other loop's failure already closed it
            }
            if (failure instanceof ConnectionException) {
                resets++;
            } else {
                untypedFailures++;
            }
            connection.close();
            if (++closed == CONNECTIONS) {
                allClosed.resolve(null);
            }
        }
    }

    private static long openSockets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false; // the fd of the directory listing itself, closed meanwhile
                }
            }).count();
        }
    }
}
