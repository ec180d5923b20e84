package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkedBodyDecoderTest {
    private static final String BODY = "4\r\nWiki\r\n7;ext=1\r\npedia i\r\nB ; a ; b = \"q\\\\\\\"x\" ;c=t\r\nn \r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";

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
            ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(1024, 1024);
            long[] consumed = new long[1];
            assertEquals("Wikipedia in \r\nchunks.", decodeInPieces(BODY, piece, decoder, consumed), "piece " + piece);
            assertTrue(decoder.isDone());
            assertEquals(BODY.length() - "NEXT".length(), consumed[0], "stops right after the body");
        }
    }

    @Test
    void refusesABodyOverTheLimitWith413() {
        ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(10, 100);
        HttpError error = assertThrows(HttpError.class, () -> decodeInPieces("B\r\n", 100, decoder, new long[1]));
        assertEquals(413, error.status());
    }

    @Test
    void refusesMalformedSizesWith400() {
        HttpError error = assertThrows(HttpError.class,
                () -> decodeInPieces("zz\r\n", 100, new ChunkedBodyDecoder(10, 100), new long[1]));
        assertEquals(400, error.status());
    }

    @Test
    void refusesDataNotFollowedByALineEnd() {
        HttpError error = assertThrows(HttpError.class,
                () -> decodeInPieces("2\r\nabX\r\n", 100, new ChunkedBodyDecoder(10, 100), new long[1]));
        assertEquals(400, error.status());
    }

    @Test
    void isNotDoneBeforeTheLastChunk() {
        ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(100, 100);
        decodeInPieces("3\r\nabc\r\n", 100, decoder, new long[1]);
        assertFalse(decoder.isDone());
    }

    private static int status(String wire, long maxMetadataBytes) {
        return assertThrows(HttpError.class,
                () -> decodeInPieces(wire, 100, new ChunkedBodyDecoder(100, maxMetadataBytes), new long[1])).status();
    }

    static Stream<Arguments> malformedFraming() {
        return Stream.of(
            Arguments.of("extension without a semicolon", "3 zz\r\nabc\r\n0\r\n\r\n"),
            Arguments.of("whitespace before the line end", "3 \r\nabc\r\n0\r\n\r\n"),
            Arguments.of("extension without a name", "3;=x\r\nabc\r\n0\r\n\r\n"),
            Arguments.of("extension value not a token", "3;a=b@c\r\nabc\r\n0\r\n\r\n"),
            Arguments.of("unterminated quoted value", "3;a=\"b\r\nabc\r\n0\r\n\r\n"),
            Arguments.of("NUL in an extension", "3;a\u0000b\r\nabc\r\n0\r\n\r\n"),
            Arguments.of("bare CR in an extension", "3;a\rb\r\nabc\r\n0\r\n\r\n"),
            Arguments.of("bare LF ending the size line", "3\nabc\r\n0\r\n\r\n"),
            Arguments.of("bare LF after chunk data", "3\r\nabc\n0\r\n\r\n"),
            Arguments.of("NUL in a trailer", "0\r\nX-T: a\u0000b\r\n\r\n"),
            Arguments.of("bare CR in a trailer", "0\r\nX-T: a\rb\r\n\r\n"),
            Arguments.of("bare LF ending a trailer", "0\r\nX-T: a\n\r\n"),
            Arguments.of("folded trailer", "0\r\nX-T: a\r\n b\r\n\r\n"),
            Arguments.of("trailer without a colon", "0\r\nX-T\r\n\r\n"),
            Arguments.of("bare LF ending the body", "0\r\n\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFraming")
    void refusesFramingOutsideTheGrammarWith400(String what, String wire) {
        assertEquals(400, status(wire, 100));
    }

    @Test
    void boundsAnEndlessChunkExtensionWith431() {
        assertEquals(431, status("1;" + "a".repeat(200), 100));
    }

    @Test
    void boundsAnEndlessTrailerSectionWith431() {
        assertEquals(431, status("0\r\n" + "X-T: v\r\n".repeat(30), 100));
    }
}
