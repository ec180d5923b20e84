package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How often the HTTP sample copies a request body: once, from the lent read buffers into the
 * body's array, for a body that fits the first array (up to 64 KiB) however many reads bring it;
 * a larger one, its array grown as it comes, still arrives whole. Counted with the thread's allocated bytes, which the loop and the connection add only a few
 * hundred to.
 */
@Timeout(30)
class RequestBodyCopiesTest {
    private static final int BODY_BYTES = 60_000;
    private static final int READS = 6;
    private static final HttpLimits LIMITS =
            new HttpLimits(1024, 1 << 20, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
    private static final Response SMALL = Response.text(200, "text/plain", "ok");

    private final Loop loop = Loop.builder().virtualTime().build();
    /** Shared by the warm-up and the counted run, so the counted one finds its arrays pooled. */
    private final ByteArrayPool buffers = new ByteArrayPool(64 * 1024, 4);
    private final Responses responses = new Responses();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    @Test
    void aContentLengthBodyInManyReadsIsCopiedOnceIntoTheRequest() {
        byte[][] received = new byte[1][];
        HttpHandler keepBody = request -> {
            received[0] = request.body();
            return Promise.of(SMALL);
        };
        serve(scriptedPost(), keepBody); // warm-up: classes loaded, the parser's arrays grown

        ScriptedFlow flow = scriptedPost();
        long allocated = allocatedWhile(() -> serve(flow, keepBody));

        assertTrue(flow.written().startsWith("HTTP/1.1 200 OK\r\n"), flow.written());
        assertArrayEquals(body(), received[0]);
        assertTrue(allocated < BODY_BYTES * 3L / 2, "allocated " + allocated + " bytes for a body of " + BODY_BYTES
                + ": more than one copy of it");
    }

    @Test
    void bodiesLargerThanTheFirstArrayArriveWholeWithContentLengthAndChunked() {
        byte[] large = new byte[5 * HttpConnection.FIRST_BODY_BYTES / 2 + 7];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) ('a' + i % 26);
        }
        String body = new String(large, StandardCharsets.ISO_8859_1);
        List<byte[]> received = new ArrayList<>();
        HttpHandler keepBody = request -> {
            received.add(request.body());
            return Promise.of(SMALL);
        };
        ScriptedFlow flow = new ScriptedFlow();
        String stream = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + large.length + "\r\n\r\n" + body
                + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(large.length - 1000) + "\r\n" + body.substring(0, large.length - 1000) + "\r\n"
                + Integer.toHexString(1000) + "\r\n" + body.substring(large.length - 1000) + "\r\n0\r\n\r\n";
        for (int at = 0; at < stream.length(); at += 7001) { // reads that cut heads, sizes and data anywhere
            flow.send(stream.substring(at, Math.min(stream.length(), at + 7001)));
        }

        serve(flow.end(), keepBody);

        assertEquals(2, received.size(), flow.written());
        assertArrayEquals(large, received.get(0), "the Content-Length body");
        assertArrayEquals(large, received.get(1), "the chunked body");
    }

    private void serve(ScriptedFlow flow, HttpHandler handler) {
        loop.run(new HttpConnection(flow, loop, loop.clock(), handler, LIMITS, responses, buffers).serve());
    }

    /** A POST of {@link #BODY_BYTES} bytes, its body split over {@link #READS} reads, then the end of the stream. */
    private static ScriptedFlow scriptedPost() {
        ScriptedFlow flow = new ScriptedFlow();
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n");
        String body = new String(body(), StandardCharsets.ISO_8859_1);
        int step = BODY_BYTES / READS;
        for (int at = 0; at < BODY_BYTES; at += step) {
            flow.send(body.substring(at, Math.min(BODY_BYTES, at + step)));
        }
        return flow.end();
    }

    private static byte[] body() {
        byte[] body = new byte[BODY_BYTES];
        Arrays.fill(body, (byte) 'b');
        return body;
    }

    private static long allocatedWhile(Runnable work) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        work.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
