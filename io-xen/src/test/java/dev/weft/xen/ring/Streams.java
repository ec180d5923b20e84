package dev.weft.xen.ring;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Test helpers for flows over rings (vchan, console): send a seeded pseudo-random stream and
 * checksum what arrives; read everything as text.
 */
public final class Streams {
    private static final int CHUNK = 64 * 1024;

    private Streams() {}

    /** What a side saw: how many bytes and their CRC-32. */
    public record Summary(long bytes, long crc) {}

    /** Sends {@code total} bytes from a generator seeded with {@code seed}; fulfilled with their summary. */
    public static Promise<Summary> send(Flow flow, long total, long seed) {
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
    public static Promise<Summary> receive(Flow flow, long total) {
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
    public static Promise<String> readAll(Flow flow) {
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

    /** Reads until {@code length} bytes of text arrived (or the stream ended); fulfilled with the text. */
    public static Promise<String> readText(Flow flow, int length) {
        return readTextFrom(flow, length, new StringBuilder());
    }

    private static Promise<String> readTextFrom(Flow flow, int length, StringBuilder text) {
        if (text.length() >= length) {
            return Promise.of(text.toString());
        }
        return flow.read().flatMap(read -> {
            if (!(read instanceof Flow.Data data)) {
                return Promise.of(text.toString());
            }
            text.append(text(data));
            return readTextFrom(flow, length, text);
        });
    }

    /** The bytes of {@code data} as UTF-8 text. */
    public static String text(Flow.Data data) {
        return new String(data.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code text} in UTF-8, as a heap segment. */
    public static MemorySegment bytes(String text) {
        return MemorySegment.ofArray(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
