package dev.weft.unix.blocking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFlowTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aFileStreamsInChunksUntilEndOfStream() throws Exception {
        byte[] content = new byte[3 * FileFlow.CHUNK + 123];
        new Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("in"), content);
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 2, 8)) {
            FileFlow flow = run(loop, FileFlow.open(pool, file));
            ByteArrayOutputStream read = new ByteArrayOutputStream();

            Flow.Read chunk;
            while ((chunk = run(loop, flow.read())) instanceof Flow.Data data) {
                read.writeBytes(data.bytes().toArray(ValueLayout.JAVA_BYTE));
            }
            run(loop, flow.close());

            assertArrayEquals(content, read.toByteArray());
        }
    }

    @Test
    void writesLandInTheOrderIssued() throws Exception {
        Path file = dir.resolve("out");
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 4, 8)) {
            FileFlow flow = run(loop, FileFlow.open(pool, file, StandardOpenOption.CREATE, StandardOpenOption.WRITE));

            flow.write(bytes("one "));
            flow.writev(List.of(bytes("two "), bytes("three ")));
            Promise<Void> last = flow.write(bytes("four"));
            run(loop, last);
            run(loop, flow.close());

            assertArrayEquals("one two three four".getBytes(), Files.readAllBytes(file));
        }
    }

    @Test
    void writeAllThenReadAllRoundTrips() {
        Path file = dir.resolve("whole");
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 1, 4)) {
            run(loop, FileFlow.writeAll(pool, file, bytes("whole file")));

            assertArrayEquals("whole file".getBytes(), run(loop, FileFlow.readAll(pool, file)));
        }
    }

    @Test
    void readAfterCloseIsRejectedAsClosed() throws Exception {
        Path file = Files.write(dir.resolve("closed"), new byte[10]);
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 1, 4)) {
            FileFlow flow = run(loop, FileFlow.open(pool, file));
            run(loop, flow.close());

            assertInstanceOf(ClosedChannelException.class, flow.read().failure());
        }
    }

    @Test
    void lookupResolvesLocalhostOnThePool() {
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 1, 4)) {
            List<InetAddress> addresses = run(loop, FileFlow.lookup(pool, "localhost"));

            assertFalse(addresses.isEmpty());
        }
    }

    private static <T> T run(Loop loop, Promise<T> promise) {
        return loop.run(loop.withTimeout(PATIENCE, promise));
    }

    private static MemorySegment bytes(String text) {
        return MemorySegment.ofArray(text.getBytes());
    }
}
