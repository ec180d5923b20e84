package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
