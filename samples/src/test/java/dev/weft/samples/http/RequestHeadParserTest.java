package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestHeadParserTest {
    private static final String WRK_GET = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

    private static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static RequestHead parseAll(String request) {
        MemorySegment buf = bytes(request);
        return new RequestHeadParser(8192).parse(buf, 0, buf.byteSize());
    }

    private static int status(String request) {
        return assertThrows(HttpError.class, () -> parseAll(request)).status();
    }

    @Test
    void parsesAMinimalHttp11Get() {
        RequestHead head = parseAll(WRK_GET);
        assertEquals("GET", head.method());
        assertEquals("/plaintext", head.target());
        assertEquals(1, head.minorVersion());
        assertEquals("127.0.0.1:8080", head.headers().get("host"));
        assertTrue(head.keepAlive());
        assertFalse(head.hasBody());
    }

    @Test
    void aRequestDifferingFromTheLastOnlyInTheMiddleOfItsStringsIsReadAsSent() {
        // same lengths, same first and last bytes: the recent-strings table's same slots
        String first = "GET /a-x HTTP/1.1\r\nHost: one.example\r\nX-Id: 1-2\r\n\r\n";
        String second = "GET /b-x HTTP/1.1\r\nHost: owe.example\r\nX-Id: 1-3\r\n\r\n";
        MemorySegment buf = bytes(first + second);
        RequestHeadParser parser = new RequestHeadParser(8192);
        parser.parse(buf, 0, buf.byteSize());

        RequestHead head = parser.parse(buf, parser.consumed(), buf.byteSize());

        assertEquals("/b-x", head.target());
        assertEquals("owe.example", head.headers().get("host"));
        assertEquals("1-3", head.headers().get("x-id"));
    }

    @Test
    void reportsTheHeadLengthSoPipelinedRequestsCanFollow() {
        String two = WRK_GET + "GET /json HTTP/1.1\r\nHost: x\r\n\r\n";
        MemorySegment buf = bytes(two);
        RequestHeadParser parser = new RequestHeadParser(8192);
        RequestHead first = parser.parse(buf, 0, buf.byteSize());
        int firstLength = parser.consumed();
        RequestHead second = parser.parse(buf, firstLength, buf.byteSize());
        assertEquals("/plaintext", first.target());
        assertEquals(WRK_GET.length(), firstLength);
        assertEquals("/json", second.target());
        assertEquals(two.length(), firstLength + parser.consumed());
    }

    @Test
    void returnsNullUntilTheHeadIsComplete() {
        MemorySegment buf = bytes(WRK_GET);
        RequestHeadParser parser = new RequestHeadParser(8192);
        for (int end = 0; end < WRK_GET.length(); end++) {
            assertNull(parser.parse(buf, 0, end), "complete at " + end + " bytes?");
        }
        assertNotNull(parser.parse(buf, 0, WRK_GET.length()));
    }

    @Test
    void everySplitOfAPipelinedStreamYieldsTheSameRequests() {
        String stream = WRK_GET + "POST /submit HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
                + "GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            MemorySegment buf = bytes(stream);
            RequestHeadParser parser = new RequestHeadParser(8192);
            StringBuilder targets = new StringBuilder();
            long consumed = 0;
            long available = 0;
            while (consumed < stream.length()) {
                available = Math.min(stream.length(), available + 1 + random.nextInt(20));
                RequestHead head;
                while ((head = parser.parse(buf, consumed, available)) != null) {
                    targets.append(head.target()).append(' ');
                    consumed += parser.consumed();
                }
            }
            assertEquals("/plaintext /submit /json ", targets.toString());
        }
    }

    @Test
    void acceptsBareLineFeedsAndSkipsLeadingBlankLines() {
        RequestHead head = parseAll("\r\n\nGET / HTTP/1.1\nHost: a\n\n");
        assertEquals("/", head.target());
    }

    @Test
    void trimsWhitespaceAroundFieldValues() {
        RequestHead head = parseAll("GET / HTTP/1.1\r\nHost: a\r\nX-Thing: \t spaced out \t\r\n\r\n");
        assertEquals("spaced out", head.headers().get("x-thing"));
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() {
        assertFalse(parseAll("GET / HTTP/1.0\r\n\r\n").keepAlive());
        assertTrue(parseAll("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive());
    }

    @Test
    void http11KeepsAliveUnlessAskedToClose() {
        assertFalse(parseAll("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").keepAlive());
    }

    @Test
    void readsContentLengthAndChunked() {
        assertEquals(12, parseAll("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n").contentLength());
        assertTrue(parseAll("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").chunked());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
            Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
            Arguments.of("folded line", "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
            Arguments.of("bare CR", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
            Arguments.of("no target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            Arguments.of("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
            Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
            Arguments.of("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
            Arguments.of("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            Arguments.of("signed length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400),
            Arguments.of("negative length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", 400),
            Arguments.of("length past a long", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
            Arguments.of("length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", 400),
            Arguments.of("chunked then a length", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400),
            Arguments.of("conflicting lengths", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
            Arguments.of("length and chunked", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            Arguments.of("gzip coding alone", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
            Arguments.of("gzip before chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            Arguments.of("chunked twice in one field",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
            Arguments.of("chunked in two fields",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            Arguments.of("chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
            Arguments.of("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", 400),
            Arguments.of("relative target", "GET plaintext HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            Arguments.of("asterisk for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            Arguments.of("control char in value", "GET / HTTP/1.1\r\nHost: a\u0001b\r\n\r\n", 400),
            Arguments.of("binary method", "G\u0000T / HTTP/1.1\r\nHost: a\r\n\r\n", 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesMalformedRequestsWithATypedStatus(String what, String request, int expected) {
        assertEquals(expected, status(request));
    }

    @Test
    void refusesAnOversizedHeadWith431BeforeItEnds() {
        String big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(9000);
        MemorySegment buf = bytes(big);
        HttpError error = assertThrows(HttpError.class, () -> new RequestHeadParser(8192).parse(buf, 0, buf.byteSize()));
        assertEquals(431, error.status());
    }

    @Test
    void refusesTooManyFieldsWith431() {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < RequestHeadParser.MAX_FIELDS; i++) {
            request.append("X-").append(i).append(": v\r\n");
        }
        request.append("\r\n");
        MemorySegment buf = bytes(request.toString());
        HttpError error = assertThrows(HttpError.class,
                () -> new RequestHeadParser(1 << 20).parse(buf, 0, buf.byteSize()));
        assertEquals(431, error.status());
    }

    @Test
    void randomBytesEitherParseOrFailWithHttpErrorOnly() {
        Random random = new Random(7);
        byte[] alphabet = "GET /HTP1.\r\n: HostContent-Length0123456789chunkedTransfer-Encoding\t\u0000\u007f\u00ff"
                .getBytes(StandardCharsets.ISO_8859_1);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] junk = new byte[random.nextInt(120)];
            for (int i = 0; i < junk.length; i++) {
                junk[i] = alphabet[random.nextInt(alphabet.length)];
            }
            MemorySegment buf = MemorySegment.ofArray(junk);
            try {
                new RequestHeadParser(64).parse(buf, 0, junk.length);
            } catch (HttpError expected) {
                assertTrue(expected.status() >= 400 && expected.status() < 600);
            }
        }
    }

    @Test
    void skippedBlankLinesAreConsumedSoTheCallerDropsThem() {
        RequestHeadParser parser = new RequestHeadParser(8192);
        MemorySegment buf = bytes("\r\n\r\n\r");
        assertNull(parser.parse(buf, 0, buf.byteSize()));
        assertEquals(4, parser.consumed(), "the lone CR may still start a CRLF");
    }

    @Test
    void blankLinesCountAgainstTheHeadLimit() {
        RequestHeadParser parser = new RequestHeadParser(64);
        MemorySegment blank = bytes("\r\n".repeat(16));
        for (int i = 0; i < 2; i++) {
            assertNull(parser.parse(blank, 0, blank.byteSize()));
            assertEquals(32, parser.consumed());
        }
        HttpError error = assertThrows(HttpError.class, () -> parser.parse(blank, 0, blank.byteSize()));
        assertEquals(431, error.status());
    }

    @Test
    void aFewBlankLinesBeforeAHeadAreAllowed() {
        RequestHeadParser parser = new RequestHeadParser(64);
        MemorySegment buf = bytes("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals("/", parser.parse(buf, 0, buf.byteSize()).target());
        assertEquals(buf.byteSize(), parser.consumed());
    }

    @Test
    void refusesBareCarriageReturnsBeforeTheHeadIsComplete() {
        RequestHeadParser parser = new RequestHeadParser(8192);
        MemorySegment buf = bytes("GET / HTTP/1.1\r\r\r\r");
        HttpError error = assertThrows(HttpError.class, () -> parser.parse(buf, 0, buf.byteSize()));
        assertEquals(400, error.status());
    }

    @Test
    void aHeadEqualToThePreviousOneIsHandedOutAgain() {
        MemorySegment buf = bytes(WRK_GET + WRK_GET);
        RequestHeadParser parser = new RequestHeadParser(8192);
        RequestHead first = parser.parse(buf, 0, buf.byteSize());

        RequestHead second = parser.parse(buf, parser.consumed(), buf.byteSize());

        assertSame(first, second);
    }

    @Test
    void aHeadWithThePreviousFieldsSharesTheirHeadersButNotTheTarget() {
        MemorySegment buf = bytes(WRK_GET + WRK_GET.replace("/plaintext", "/json"));
        RequestHeadParser parser = new RequestHeadParser(8192);
        RequestHead first = parser.parse(buf, 0, buf.byteSize());

        RequestHead second = parser.parse(buf, parser.consumed(), buf.byteSize());

        assertEquals("/json", second.target());
        assertSame(first.headers(), second.headers());
    }

    @Test
    void aHeadNotEndedWithinTheLimitIs431WhateverFollows() {
        String big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(100) + "\r?\r\n\r\n";
        MemorySegment buf = bytes(big);
        HttpError error = assertThrows(HttpError.class, () -> new RequestHeadParser(64).parse(buf, 0, buf.byteSize()));
        assertEquals(431, error.status());
    }

    @Test
    void acceptsAnAbsoluteFormTarget() {
        RequestHead head = parseAll("GET http://example.com/plaintext?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assertEquals("http://example.com/plaintext?x=1", head.target());
        assertEquals("/plaintext", head.path());
        assertEquals("/", parseAll("GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").path());
        assertEquals("/", parseAll("GET http://example.com?q=/x HTTP/1.1\r\nHost: example.com\r\n\r\n").path());
    }

    @Test
    void errorTextsDoNotEchoTheClientsFieldValues() {
        String[] requests = {
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5<script>\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: <script>\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: <script>, chunked\r\n\r\n",
        };
        for (String request : requests) {
            HttpError error = assertThrows(HttpError.class, () -> parseAll(request));
            assertFalse(error.getMessage().contains("script"), error.getMessage());
        }
    }
    @Test
    void aHeadOfExactlyTheLimitIsReadAndOneByteMoreIs431HoweverItArrives() {
        int limit = 300;
        for (String end : new String[] {"\r\n\r\n", "\n\n", "\r\n\n"}) {
            for (String blankLines : new String[] {"", "\r\n"}) {
                for (int extra = 0; extra <= 1; extra++) {
                    String start = blankLines + "GET / HTTP/1.1\r\nHost: a\r\nX: ";
                    String head = start + "y".repeat(limit + extra - start.length() - end.length()) + end;
                    String input = head + "GET / HTTP/1.1\r\n"; // the next pipelined head begins
                    int expected = extra == 0 ? 200 : 431;
                    for (int cut = 1; cut <= input.length(); cut++) {
                        assertEquals(expected, statusOf(limit, input, cut),
                                "head of " + head.length() + " bytes cut at " + cut);
                    }
                }
            }
        }
    }

    /**
     * What parsing {@code input} in two reads split at {@code cut} comes to: 200 once a head is
     * returned, the error's status if refused, 0 if still incomplete.
     */
    private static int statusOf(int limit, String input, int cut) {
        RequestHeadParser parser = new RequestHeadParser(limit);
        MemorySegment all = bytes(input);
        long start = 0;
        try {
            for (long end : new long[] {cut, all.byteSize()}) {
                if (parser.parse(all, start, end) != null) {
                    return 200;
                }
                start += parser.consumed();
            }
            return 0;
        } catch (HttpError e) {
            return e.status();
        }
    }
}
