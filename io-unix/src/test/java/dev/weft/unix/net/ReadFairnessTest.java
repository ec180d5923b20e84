package dev.weft.unix.net;

import static dev.weft.unix.net.Net.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;

/**
 * A reader chained on {@link SocketFlow#read()} (or reading with {@link SocketFlow#readChunks})
 * whose peer keeps the socket full is answered at once only {@link SocketFlow#READS_PER_READINESS}
 * times in a row; then its read waits for the
 * engine, so another connection that became readable meanwhile is served within two such bursts
 * instead of after the whole backlog.
 */
class ReadFairnessTest {
    private static final int READ_BUFFER = 512;
    /** Sixty-four full read buffers, all in the kernel before the bulk reader starts. */
    private static final int BULK = 64 * READ_BUFFER;

    /** Reads until {@code total} bytes arrived, counting reads and bytes. */
    private static Promise<Void> drain(SocketFlow flow, long total, long[] readsAndBytes) {
        return flow.read().flatMap(read -> {
            readsAndBytes[0]++;
            if (read instanceof Flow.Data(var bytes)) {
                readsAndBytes[1] += bytes.byteSize();
                return readsAndBytes[1] >= total ? Promise.unit() : drain(flow, total, readsAndBytes);
            }
            return Promise.unit();
        });
    }

    @SocketTest
    void aReaderWhosePeerKeepsItsSocketFullLetsAnotherReadyConnectionBeServed(EngineKind kind) {
        try (Net net = Net.open(kind, READ_BUFFER); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] bulk = net.connectedPair(listener);
            SocketFlow[] other = net.connectedPair(listener);
            Promise<Flow.Read> otherRead = other[1].read(); // nothing sent yet: waits for the engine
            net.run(bulk[0].write(Net.offHeap(BULK)));

            long[] bulkReadsAndBytes = {0, 0};
            Promise<Void> drained = drain(bulk[1], BULK, bulkReadsAndBytes); // starts at once, on this thread
            long[] bulkReadsWhenOtherServed = {-1};
            otherRead.onSuccess(read -> bulkReadsWhenOtherServed[0] = bulkReadsAndBytes[0]);
            assertTrue(other[0].write(Net.text("x")).isFulfilled(), "the kernel took the other peer's byte at once");
            net.run(drained);
            net.run(otherRead);

            assertServedWithinTwoBursts(bulkReadsWhenOtherServed[0], bulkReadsAndBytes, "reads");
        }
    }

    @SocketTest
    void aChunkReadingWhosePeerKeepsItsSocketFullLetsAnotherReadyConnectionBeServed(EngineKind kind) {
        try (Net net = Net.open(kind, READ_BUFFER); TcpListener listener = net.sockets.listen(ANY_LOOPBACK)) {
            SocketFlow[] bulk = net.connectedPair(listener);
            SocketFlow[] other = net.connectedPair(listener);
            long[] bulkChunksAndBytes = {0, 0};
            long[] bulkChunksWhenOtherServed = {-1};
            Promise<Void> otherReading = other[1].readChunks(bytes -> {
                bulkChunksWhenOtherServed[0] = bulkChunksAndBytes[0];
                return Flow.ChunkHandler.STOP;
            });
            net.run(bulk[0].write(Net.offHeap(BULK)));

            Promise<Void> drained = bulk[1].readChunks(bytes -> { // starts at once, on this thread
                bulkChunksAndBytes[0]++;
                bulkChunksAndBytes[1] += bytes.byteSize();
                return bulkChunksAndBytes[1] >= BULK ? Flow.ChunkHandler.STOP : Flow.ChunkHandler.READ_ON;
            });
            assertTrue(other[0].write(Net.text("x")).isFulfilled(), "the kernel took the other peer's byte at once");
            net.run(drained);
            net.run(otherReading);

            assertServedWithinTwoBursts(bulkChunksWhenOtherServed[0], bulkChunksAndBytes, "chunks");
        }
    }

    /**
     * The bulk side got every byte, and the other connection was served after at most two bursts
     * of the bulk side's reads ({@code bulkCountAndBytes}: reads or chunks so far, bytes so far).
     */
    private static void assertServedWithinTwoBursts(long bulkCountWhenOtherServed, long[] bulkCountAndBytes, String unit) {
        assertEquals(BULK, bulkCountAndBytes[1], "the bulk side got every byte");
        long bound = 2L * SocketFlow.READS_PER_READINESS + 1;
        assertTrue(bulkCountWhenOtherServed >= 0 && bulkCountWhenOtherServed <= bound,
                "the other connection was served after " + bulkCountWhenOtherServed + " of the bulk side's "
                        + bulkCountAndBytes[0] + " " + unit + ", more than two bursts (" + bound + ")");
    }
}
