package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Clock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponsesTest {

    /** A clock the test moves by hand; counts how often its wall clock is read. */
    private static final class HandClock implements Clock {
        long nanos = 5_000_000_000L;
        long wallMillis = 1_700_000_000_250L; // a quarter of a second into a wall second
        int wallReads;

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public long wallTimeMillis() {
            wallReads++;
            return wallMillis;
        }

        void advanceMillis(long millis) {
            nanos += millis * 1_000_000L;
            wallMillis += millis;
        }
    }

    private final HandClock clock = new HandClock();
    private final Responses responses = new Responses();

    /** The encoding as a plain text template, field by field, for comparison. */
    private static String expectedHead(Response response, String framing, String connection, String date) {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.status()).append(' ')
                .append(Responses.reason(response.status())).append("\r\nContent-Type: ")
                .append(response.contentType()).append("\r\n").append(framing);
        for (Response.Field field : response.fields()) {
            head.append(field.name()).append(": ").append(field.value()).append("\r\n");
        }
        return head.append("Date: ").append(date).append("\r\n").append(connection).append("\r\n").toString();
    }

    private static final long NOW_MILLIS = 1_700_000_000_250L;
    private static final String NOW_DATE = "Tue, 14 Nov 2023 22:13:20 GMT";

    @Test
    void encodesStatusTypeLengthFieldsDateAndConnectionInOrder() {
        Response[] cases = {Response.text(200, "text/plain", "Hello, World!"),
            Response.text(404, "text/plain", "not found\n"),
            Response.text(405, "text/plain", "").withField("Allow", "GET, HEAD").withField("X-Two", "a\tb"),
            new Response(200, "application/octet-stream", new byte[1234], null),
            Response.text(503, "text/plain; charset=utf-8", "x".repeat(100_000))};
        String[] connections = {"", "Connection: keep-alive\r\n", "Connection: close\r\n"};
        for (Response response : cases) {
            for (Responses.ConnectionField connection : Responses.ConnectionField.values()) {
                byte[] encoded = responses.encode(response, connection, NOW_MILLIS);
                String expected = expectedHead(response, "Content-Length: " + response.body().length + "\r\n",
                        connections[connection.ordinal()], NOW_DATE)
                        + new String(response.body(), StandardCharsets.ISO_8859_1);
                assertEquals(expected, new String(encoded, StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void encodesAChunkedHeadWithTransferEncodingInsteadOfALength() {
        Response response = Response.chunked(200, "text/plain", List.of(new byte[3])).withField("Allow", "GET");
        byte[] head = responses.chunkedHead(response, Responses.ConnectionField.CLOSE, NOW_MILLIS);
        assertEquals(expectedHead(response, "Transfer-Encoding: chunked\r\n", "Connection: close\r\n", NOW_DATE),
                new String(head, StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest
    @ValueSource(ints = {204, 304})
    void aNoContentOrNotModifiedResponseCarriesNoContentLength(int status) {
        Response response = Response.text(status, "text/plain", "");

        String encoded = new String(responses.encode(response, Responses.ConnectionField.NONE, NOW_MILLIS),
                StandardCharsets.ISO_8859_1);

        assertEquals(expectedHead(response, "", "", NOW_DATE), encoded);
    }

    @Test
    void refillingTheArrayAResponseWasMadeFromChangesNothingTheCacheSends() {
        byte[] body = "first".getBytes(StandardCharsets.US_ASCII);
        Response reused = new Response(200, "text/plain", body, null);
        responses.encodeCached(reused, Responses.ConnectionField.NONE, NOW_MILLIS);
        System.arraycopy("later".getBytes(StandardCharsets.US_ASCII), 0, body, 0, body.length);

        byte[] again = responses.encodeCached(reused, Responses.ConnectionField.CLOSE, NOW_MILLIS);
        byte[] sameVariant = responses.encodeCached(reused, Responses.ConnectionField.NONE, NOW_MILLIS);

        assertTrue(new String(again, StandardCharsets.ISO_8859_1).endsWith("\r\n\r\nfirst"));
        assertTrue(new String(sameVariant, StandardCharsets.ISO_8859_1).endsWith("\r\n\r\nfirst"));
    }

    @Test
    void aConstantResponseIsEncodedOncePerSecond() {
        Response constant = Response.text(200, "text/plain", "Hello, World!");

        byte[] first = responses.encodeCached(constant, Responses.ConnectionField.NONE, NOW_MILLIS);

        assertSame(first, responses.encodeCached(constant, Responses.ConnectionField.NONE, NOW_MILLIS + 500));
        assertNotSame(first, responses.encodeCached(constant, Responses.ConnectionField.NONE, NOW_MILLIS + 1000));
    }

    @Test
    void aResponseWithALargeBodyIsNotKeptByTheCache() {
        Response large = new Response(200, "application/octet-stream", new byte[Responses.CACHED_BODY_BYTES + 1], null);

        byte[] first = responses.encodeCached(large, Responses.ConnectionField.NONE, NOW_MILLIS);

        assertNotSame(first, responses.encodeCached(large, Responses.ConnectionField.NONE, NOW_MILLIS));
    }

    @Test
    void theDateFieldFollowsTheSecond() {
        Response response = Response.text(200, "text/plain", "");
        responses.encode(response, Responses.ConnectionField.NONE, NOW_MILLIS);
        String next = new String(responses.encode(response, Responses.ConnectionField.NONE, NOW_MILLIS + 1000),
                StandardCharsets.ISO_8859_1);
        assertTrue(next.contains("\r\nDate: Tue, 14 Nov 2023 22:13:21 GMT\r\n"), next);
    }

    @Test
    void wallTimeReadsTheWallClockOncePerWallSecond() {
        assertEquals(1_700_000_000_000L, responses.wallTimeMillis(clock, clock.nanoTime()));
        clock.advanceMillis(700); // 950 ms into the same second
        assertEquals(1_700_000_000_000L, responses.wallTimeMillis(clock, clock.nanoTime()));
        assertEquals(1, clock.wallReads);

        clock.advanceMillis(60); // 10 ms into the next second
        assertEquals(1_700_000_001_000L, responses.wallTimeMillis(clock, clock.nanoTime()));
        assertEquals(2, clock.wallReads);
    }

    @Test
    void wallTimeFollowsAStepOfTheWallClockFromTheEndOfTheSecond() {
        responses.wallTimeMillis(clock, clock.nanoTime());
        clock.wallMillis += 3_600_000L; // an operator sets the clock an hour ahead
        assertEquals(1_700_000_000_000L, responses.wallTimeMillis(clock, clock.nanoTime()));

        clock.advanceMillis(750); // the monotonic second read last has ended
        assertEquals(1_700_003_601_000L, responses.wallTimeMillis(clock, clock.nanoTime()));
    }
}
