package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * Coverage-guided fuzzing of {@link RequestHeadParser} with Jazzer. Under {@code ./weft test} it
 * replays the checked-in inputs in {@code RequestHeadParserFuzzTestInputs/} (regression mode);
 * {@code ./weft fuzz http} fuzzes it for real. See docs/decisions/004-jazzer.md.
 */
class RequestHeadParserFuzzTest {
    private static final int MAX_HEAD_BYTES = 512;
    private static final Set<Integer> STATUSES = Set.of(400, 431, 501, 505);

    /**
     * Feeds the input as a connection would (in reads of a fuzzed size, dropping what the parser
     * consumed, parsing pipelined heads one after another): every input ends in heads or a typed
     * HttpError, never another exception or a hang, and the bytes kept for an unfinished head stay
     * within the head limit.
     */
    @FuzzTest(maxDuration = "10m")
    // libFuzzer dictionary syntax: a line end is written \x0D\x0A
    @DictionaryEntries({"GET ", " HTTP/1.1\\x0D\\x0A", " HTTP/1.0\\x0D\\x0A", "Host: ", "Content-Length: ",
        "Transfer-Encoding: ", "chunked", "Connection: ", "keep-alive", "close", "\\x0D\\x0A\\x0D\\x0A", "http://",
        "OPTIONS * "})
    void everyInputEndsInHeadsOrATypedError(FuzzedDataProvider data) {
        int readSize = data.consumeInt(1, 256);
        byte[] input = data.consumeRemainingAsBytes();
        MemorySegment buf = MemorySegment.ofArray(input);
        RequestHeadParser parser = new RequestHeadParser(MAX_HEAD_BYTES);
        long start = 0;
        long end = 0;
        try {
            while (end < input.length) {
                end = Math.min(input.length, end + readSize);
                start = parseWhatIsComplete(parser, buf, start, end);
                assertTrue(end - start <= MAX_HEAD_BYTES, "kept " + (end - start) + " bytes of an unfinished head");
            }
        } catch (HttpError refused) {
            assertTrue(STATUSES.contains(refused.status()), refused.getMessage());
        }
    }

    private static long parseWhatIsComplete(RequestHeadParser parser, MemorySegment buf, long start, long end) {
        while (true) {
            RequestHead head = parser.parse(buf, start, end);
            int consumed = parser.consumed();
            assertTrue(consumed >= 0 && consumed <= end - start, "consumed " + consumed);
            start += consumed;
            if (head == null) {
                return start;
            }
            assertTrue(consumed <= MAX_HEAD_BYTES, "a head of " + consumed + " bytes was accepted");
            assertNotNull(head.path());
            assertTrue(!head.chunked() || head.contentLength() < 0, "both framings accepted");
        }
    }
}
