package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * Coverage-guided fuzzing of {@link ChunkedBodyDecoder} with Jazzer. Under {@code ./weft test} it
 * replays the checked-in inputs in {@code ChunkedBodyDecoderFuzzTestInputs/} (regression mode);
 * {@code ./weft fuzz http} fuzzes it for real. See docs/decisions/004-jazzer.md.
 */
class ChunkedBodyDecoderFuzzTest {
    private static final long MAX_BODY_BYTES = 4096;
    private static final long MAX_METADATA_BYTES = 256;
    private static final Set<Integer> STATUSES = Set.of(400, 413, 431);

    /**
     * Feeds the input in reads of a fuzzed size: every input ends in a decoded body, a need for
     * more bytes, or a typed HttpError, never another exception or a hang; the decoder always
     * makes progress, reports only data inside what it was given, and never more than the limit.
     */
    @FuzzTest(maxDuration = "10m")
    // libFuzzer dictionary syntax: a line end is written \x0D\x0A, a quote \", a backslash \\
    @DictionaryEntries({"\\x0D\\x0A", "0\\x0D\\x0A\\x0D\\x0A", ";", "=", "\\\"", "\\\\", "Trailer: ", "ffff"})
    void everyInputEndsInABodyOrATypedError(FuzzedDataProvider data) {
        int readSize = data.consumeInt(1, 256);
        byte[] input = data.consumeRemainingAsBytes();
        MemorySegment buf = MemorySegment.ofArray(input);
        ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(MAX_BODY_BYTES, MAX_METADATA_BYTES);
        long[] decoded = {0};
        long pos = 0;
        try {
            while (pos < input.length && !decoder.isDone()) {
                long from = pos;
                long end = Math.min(input.length, pos + readSize);
                long consumed = decoder.decode(buf, from, end, (bytes, offset, length) -> {
                    assertTrue(offset >= from && length > 0 && offset + length <= end, "data outside the read");
                    decoded[0] += length;
                });
                assertTrue(consumed == end - from || consumed < end - from && decoder.isDone(),
                        "consumed " + consumed + " of " + (end - from) + " before the end of the body");
                pos += consumed;
            }
            assertTrue(decoded[0] <= MAX_BODY_BYTES, "decoded " + decoded[0] + " bytes");
        } catch (HttpError refused) {
            assertTrue(STATUSES.contains(refused.status()), refused.getMessage());
        }
    }
}
