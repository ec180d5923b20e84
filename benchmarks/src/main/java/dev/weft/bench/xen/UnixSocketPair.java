package dev.weft.bench.xen;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/**
 * The same exchange over a Unix-domain stream socket between two loops on io-unix's epoll engine:
 * 16-byte messages {@code {u64 seq; u64 value}}, answered in order. Both ends batch what one read
 * produces into one write, as the ring batches a poll's worth of entries into one push.
 */
final class UnixSocketPair extends RoundTrips {
    private static final int MESSAGE = 16;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final EpollEngine clientEngine = new EpollEngine();
    private final EpollEngine serverEngine = new EpollEngine();
    private final Loop clientLoop = Loop.builder().name("socket-client").engine(clientEngine).build();
    private final Loop serverLoop = Loop.builder().name("socket-server").engine(serverEngine).build();
    private final Path directory = Files.createTempDirectory("weft-bench-xen");
    private final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("pair.sock"));
    private End client;

    UnixSocketPair() throws Exception {
        serverLoop.start();
        clientLoop.start();
        serverLoop.submit(() -> {
            TcpListener listener = Sockets.on(serverLoop, serverEngine).listen(address);
            listener.accept().onSuccess(flow -> {
                listener.close();
                new End(flow, this::answer, this::serverSignalled).readLoop();
            });
            return Promise.unit();
        }).get(10, TimeUnit.SECONDS);
        clientLoop.submit(() -> Sockets.on(clientLoop, clientEngine).connect(address, Duration.ofSeconds(10))
                .map(flow -> {
                    client = new End(flow, null, this::clientSignalled);
                    client.readLoop();
                    return flow;
                })).get(10, TimeUnit.SECONDS);
    }

    @Override
    Promise<Long> request(long value) {
        return client.request(value);
    }

    @Override
    Loop clientLoop() {
        return clientLoop;
    }

    @Override
    Loop serverLoop() {
        return serverLoop;
    }

    @Override
    String name() {
        return "unix socket (io-unix epoll)";
    }

    @Override
    public void close() throws IOException {
        clientLoop.close();
        serverLoop.close();
        Files.deleteIfExists(address.getPath());
        Files.deleteIfExists(directory);
    }

    /**
     * One end of the socket. As the client ({@code server == null}) it sends requests and matches
     * responses in order; as the server it answers every request with {@code server}'s value.
     */
    private static final class End {
        private final SocketFlow flow;
        private final LongUnaryOperator server;
        private final Runnable wrote;
        private final ArrayDeque<Resolver<Long>> waiting = new ArrayDeque<>();
        private final MemorySegment partial = MemorySegment.ofArray(new long[2]);
        private int partialBytes;
        /** Messages produced while handling one read, sent together after it. */
        private final ArrayDeque<MemorySegment> freeBuffers = new ArrayDeque<>();
        private MemorySegment out;
        private int outBytes;
        private boolean batching;
        private long seq;

        End(SocketFlow flow, LongUnaryOperator server, Runnable wrote) {
            this.flow = flow;
            this.server = server;
            this.wrote = wrote;
        }

        Promise<Long> request(long value) {
            Resolver<Long> resolver = Promise.pending();
            waiting.add(resolver);
            put(value);
            if (!batching) {
                flush();
            }
            return resolver.promise();
        }

        Promise<Void> readLoop() {
            return flow.read().flatMap(read -> switch (read) {
                case Flow.Data(MemorySegment bytes) -> {
                    batching = true;
                    consume(bytes);
                    batching = false;
                    flush();
                    yield readLoop();
                }
                case Flow.EndOfStream end -> flow.close();
            });
        }

        private void consume(MemorySegment bytes) {
            long offset = 0;
            long size = bytes.byteSize();
            while (offset < size) {
                int take = (int) Math.min(MESSAGE - partialBytes, size - offset);
                MemorySegment.copy(bytes, offset, partial, partialBytes, take);
                partialBytes += take;
                offset += take;
                if (partialBytes == MESSAGE) {
                    partialBytes = 0;
                    handle(partial.get(U64, 8));
                }
            }
        }

        private void handle(long value) {
            if (server != null) {
                put(server.applyAsLong(value));
            } else {
                waiting.poll().resolve(value);
            }
        }

        private void put(long value) {
            if (out == null) {
                out = freeBuffers.isEmpty() ? Arena.ofAuto().allocate(64 * 1024, 8) : freeBuffers.poll();
                outBytes = 0;
            }
            out.set(U64, outBytes, seq++);
            out.set(U64, outBytes + 8, value);
            outBytes += MESSAGE;
            if (outBytes == out.byteSize()) {
                flush();
            }
        }

        private void flush() {
            if (out == null) {
                return;
            }
            MemorySegment buffer = out;
            out = null;
            wrote.run();
            flow.write(buffer.asSlice(0, outBytes)).onSuccess(v -> freeBuffers.add(buffer));
        }
    }
}
