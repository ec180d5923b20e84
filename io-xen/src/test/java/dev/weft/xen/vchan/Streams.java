package dev.weft.xen.vchan;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.zip.CRC32;

/** Test helpers: send a seeded pseudo-random stream over a flow, and checksum what arrives. */
final class Streams {
    private static final int CHUNK = 64 * 1024;

    private Streams() {}

    /** What a side saw: how many bytes and their CRC-32. */
    record Summary(long bytes, long crc) {}

    /** Sends {@code total} bytes from a generator seeded with {@code seed}; fulfilled with their summary. */
    static Promise<Summary> send(Flow flow, long total, long seed) {
        return sendFrom(flow, total, new Random(seed), new byte[CHUNK], new CRC32(), 0);
    }

    private static Promise<Summary> sendFrom(Flow flow, long total, Random random, byte[] chunk, CRC32 crc, long sent) {
        if (sent == total) {
            return Promise.of(new Summary(sent, crc.getValue()));
        }
        int n = (int) Math.min(chunk.length, total - sent);
        random.nextBytes(chunk);
        crc.update(chunk, 0, n);
        return flow.write(MemorySegment.ofArray(chunk).asSlice(0, n))
                .flatMap(v -> sendFrom(flow, total, random, chunk, crc, sent + n));
    }

    /** Reads until {@code total} bytes arrived (or the stream ended); fulfilled with their summary. */
    static Promise<Summary> receive(Flow flow, long total) {
        return receiveFrom(flow, total, new CRC32(), 0);
    }

    private static Promise<Summary> receiveFrom(Flow flow, long total, CRC32 crc, long received) {
        if (received >= total) {
            return Promise.of(new Summary(received, crc.getValue()));
        }
        return flow.read().flatMap(read -> {
            if (!(read instanceof Flow.Data data)) {
                return Promise.of(new Summary(received, crc.getValue()));
            }
            crc.update(data.bytes().asByteBuffer());
            return receiveFrom(flow, total, crc, received + data.bytes().byteSize());
        });
    }

    /** Reads until end-of-stream; fulfilled with everything read, as text. */
    static Promise<String> readAll(Flow flow) {
        return readAllFrom(flow, new StringBuilder());
    }

    private static Promise<String> readAllFrom(Flow flow, StringBuilder text) {
        return flow.read().flatMap(read -> {
            if (!(read instanceof Flow.Data data)) {
                return Promise.of(text.toString());
            }
            text.append(text(data));
            return readAllFrom(flow, text);
        });
    }

    static String text(Flow.Data data) {
        return new String(data.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    static MemorySegment bytes(String text) {
        return MemorySegment.ofArray(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
