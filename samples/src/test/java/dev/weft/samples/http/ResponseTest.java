package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseTest {

    @Test
    void aContentTypeHoldingALineEndIsRefusedSoItCannotSplitTheResponse() {
        assertThrows(IllegalArgumentException.class,
                () -> Response.text(200, "text/plain\r\nSet-Cookie: session=stolen", "body"));
    }

    @Test
    void aFieldValueHoldingALineEndIsRefusedSoItCannotSplitTheResponse() {
        Response response = Response.text(200, "text/plain", "body");
        assertThrows(IllegalArgumentException.class, () -> response.withField("Location", "/a\r\nSet-Cookie: x=y"));
    }

    @Test
    void aChunkedResponseWithANullChunkIsRefusedWhenMadeSoTheHandlerGetsA500() {
        List<byte[]> chunks = Arrays.asList(new byte[] {'a'}, null);
        assertThrows(NullPointerException.class, () -> new Response(200, "text/plain", new byte[0], chunks));
    }

    @Test
    void theBodyIsTheResponsesOwnCopyWhateverIsDoneToTheArraysGivenOrTaken() {
        byte[] given = {'a', 'b'};
        Response response = new Response(200, "text/plain", given, null);

        given[0] = 'x';
        response.body()[1] = 'y';

        assertArrayEquals(new byte[] {'a', 'b'}, response.body());
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -200, 0, 99, 600, 999, 1000, Integer.MAX_VALUE})
    void aStatusThatIsNotThreeDigitsOfAFinalClassIsRefusedNamingIt(int status) {
        assertRefusedNaming(status, () -> Response.text(status, "text/plain", "body"));
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 101, 103, 199})
    void anInterimStatusIsRefusedSinceAHandlersResponseIsTheFinalOne(int status) {
        assertRefusedNaming(status, () -> Response.text(status, "text/plain", ""));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 404, 599})
    void aFinalStatusIsKept(int status) {
        assertEquals(status, Response.text(status, "text/plain", "body").status());
    }

    @ParameterizedTest
    @ValueSource(ints = {204, 205, 304})
    void aStatusThatHasNoContentRefusesABodySoItsBytesCannotBeReadAsTheNextResponse(int status) {
        assertRefusedNaming(status, () -> Response.text(status, "text/plain", "HTTP/1.1 200 OK\r\n"));
    }

    @ParameterizedTest
    @ValueSource(ints = {204, 205, 304})
    void aStatusThatHasNoContentRefusesChunks(int status) {
        assertRefusedNaming(status, () -> Response.chunked(status, "text/plain", List.of(new byte[] {'x'})));
    }

    private static void assertRefusedNaming(int status, Executable making) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, making);
        assertTrue(refused.getMessage().contains("status " + status + " "), refused.getMessage());
    }
}
