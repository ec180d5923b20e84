package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkedBodyDecoderTest {
    private static final String BODY = "4\r\nWiki\r\n7;ext=1\r\npedia i\r\nB\r\nn \r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";

    private static String decodeInPieces(String wire, int pieceSize, ChunkedBodyDecoder decoder, long[] consumed) {
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment buf = MemorySegment.ofArray(bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long pos = 0;
        while (pos < bytes.length && !decoder.isDone()) {
            long end = Math.min(bytes.length, pos + pieceSize);
            pos += decoder.decode(buf, pos, end, (b, off, len) -> {
                for (long i = off; i < off + len; i++) {
                    out.write(b.get(ValueLayout.JAVA_BYTE, i));
                }
            });
        }
        consumed[0] = pos;
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void decodesChunksWithExtensionsAndTrailersInAnyPieceSize() {
        for (int piece = 1; piece <= BODY.length(); piece++) {
            ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(1024);
            long[] consumed = new long[1];
            assertEquals("Wikipedia in \r\nchunks.", decodeInPieces(BODY, piece, decoder, consumed), "piece " + piece);
            assertTrue(decoder.isDone());
            assertEquals(BODY.length() - "NEXT".length(), consumed[0], "stops right after the body");
        }
    }

    @Test
    void refusesABodyOverTheLimitWith413() {
        ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(10);
        HttpError error = assertThrows(HttpError.class, () -> decodeInPieces("B\r\n", 100, decoder, new long[1]));
        assertEquals(413, error.status());
    }

    @Test
    void refusesMalformedSizesWith400() {
        HttpError error = assertThrows(HttpError.class,
                () -> decodeInPieces("zz\r\n", 100, new ChunkedBodyDecoder(10), new long[1]));
        assertEquals(400, error.status());
    }

    @Test
    void refusesDataNotFollowedByALineEnd() {
        HttpError error = assertThrows(HttpError.class,
                () -> decodeInPieces("2\r\nabX\r\n", 100, new ChunkedBodyDecoder(10), new long[1]));
        assertEquals(400, error.status());
    }

    @Test
    void isNotDoneBeforeTheLastChunk() {
        ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(100);
        decodeInPieces("3\r\nabc\r\n", 100, decoder, new long[1]);
        assertFalse(decoder.isDone());
    }
}
