package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeadersTest {

    private static Headers fieldsOf(String head) {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        return new RequestHeadParser(8192).parse(MemorySegment.ofArray(bytes), 0, bytes.length).headers();
    }

    @Test
    void namesAndValuesComeInArrivalOrderAsSent() {
        Headers headers = fieldsOf("GET / HTTP/1.1\r\nhOsT: a\r\nX-One:  1 \r\nx-one: 2\r\n\r\n");
        assertEquals(3, headers.size());
        assertEquals("hOsT", headers.name(0));
        assertEquals("a", headers.value(0));
        assertEquals("X-One", headers.name(1));
        assertEquals("1", headers.value(1));
        assertEquals("x-one", headers.name(2));
        assertEquals("2", headers.value(2));
    }

    @Test
    void getFindsTheFirstFieldOfANameInAnyCase() {
        Headers headers = fieldsOf("GET / HTTP/1.1\r\nHost: a\r\nX-One: 1\r\nx-one: 2\r\n\r\n");
        assertEquals("1", headers.get("X-ONE"));
        assertEquals("a", headers.get("host"));
        assertNull(headers.get("X-On"));
        assertNull(headers.get("X-One-More"));
    }

    @Test
    void getComparesNamesAsEqualsIgnoreCaseDoes() {
        Headers headers = fieldsOf("GET / HTTP/1.1\r\nHost: a\r\nX-Kelvin: k\r\n\r\n");
        String kelvinSign = "X-\u212Aelvin"; // lower-cases to 'k', as String.equalsIgnoreCase finds
        assertTrue("X-Kelvin".equalsIgnoreCase(kelvinSign));
        assertEquals("k", headers.get(kelvinSign));
    }

    @Test
    void aValueAskedForTwiceIsTheSameString() {
        Headers headers = fieldsOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertSame(headers.value(0), headers.get("Host"));
        assertSame(headers.name(0), headers.name(0));
    }

    @Test
    void aFieldPastTheLastIsOutOfBounds() {
        Headers headers = fieldsOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThrows(IndexOutOfBoundsException.class, () -> headers.name(1));
        assertThrows(IndexOutOfBoundsException.class, () -> headers.value(-1));
    }

    @Test
    void aNewHeadersIsEmpty() {
        Headers headers = new Headers();
        assertEquals(0, headers.size());
        assertNull(headers.get("Host"));
    }
}
