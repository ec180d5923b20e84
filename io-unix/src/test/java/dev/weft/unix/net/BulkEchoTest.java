package dev.weft.unix.net;

import static dev.weft.unix.net.Net.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * One GiB through an echo server on each engine, checksummed at both ends: no byte lost,
 * duplicated or reordered across partial reads, partial writes and queued writes.
 */
class BulkEchoTest {

    private static final long TOTAL = 1L << 30;
    private static final int CHUNK = 1 << 20;
    /** A prime number of chunk offsets, so consecutive chunks differ and reordering changes the checksum. */
    private static final int SHIFTS = 251;

    @SocketTest
    void aGibibyteThroughAnEchoServerArrivesIntact(EngineKind kind) {
        try (Net net = Net.open(kind, 256 * 1024); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            MemorySegment pattern = Net.offHeap(CHUNK + SHIFTS);
            byte[] random = new byte[CHUNK + SHIFTS];
            new Random(42).nextBytes(random);
            MemorySegment.copy(MemorySegment.ofArray(random), 0, pattern, 0, random.length);
            Promise<SocketFlow> accepted = listener.accept();
            SocketFlow client = net.run(net.sockets.connect(listener.localAddress(), Net.PATIENCE));
            Promise<Void> echo = echo(net.run(accepted));
            CRC32C sent = new CRC32C();
            CRC32C received = new CRC32C();
            long[] receivedBytes = {0};

            Promise<Void> sending = send(client, pattern, 0, sent).flatMap(v -> client.shutdown(Flow.Direction.WRITE));
            Promise<Void> receiving = receive(client, received, receivedBytes);
            net.run(Promise.join(java.util.List.of(sending, receiving, echo)));

            assertEquals(TOTAL, receivedBytes[0]);
            assertEquals(sent.getValue(), received.getValue());
        }
    }

    /** Echoes until end of stream, then half-closes: read, write back, wait for the kernel, read again. */
    private static Promise<Void> echo(SocketFlow server) {
        return server.read().flatMap(read -> switch (read) {
            case Flow.Data data -> server.write(data.bytes()).flatMap(v -> echo(server));
            case Flow.EndOfStream end -> server.shutdown(Flow.Direction.WRITE).flatMap(v -> server.close());
        });
    }

    private static Promise<Void> send(SocketFlow client, MemorySegment pattern, long offset, CRC32C sent) {
        if (offset == TOTAL) {
            return Promise.unit();
        }
        MemorySegment chunk = pattern.asSlice((offset / CHUNK) % SHIFTS, CHUNK);
        sent.update(chunk.asByteBuffer());
        return client.write(chunk).flatMap(v -> send(client, pattern, offset + CHUNK, sent));
    }

    private static Promise<Void> receive(SocketFlow client, CRC32C received, long[] count) {
        return client.read().flatMap(read -> switch (read) {
            case Flow.Data data -> {
                received.update(data.bytes().asByteBuffer());
                count[0] += data.bytes().byteSize();
                yield receive(client, received, count);
            }
            case Flow.EndOfStream end -> client.close();
        });
    }
}
