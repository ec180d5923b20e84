package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Clock;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP pipeline over a scripted flow, on a loop in virtual time: timeouts of seconds run in
 * microseconds and always the same way.
 */
@Timeout(30)
class HttpConnectionTest {
    private static final String GET = "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final HttpLimits LIMITS =
            new HttpLimits(1024, 64, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
    private static final long LINGER_SECONDS = HttpConnection.LINGER.toSeconds();

    private final Loop loop = Loop.builder().virtualTime().build();
    private final ScriptedFlow flow = new ScriptedFlow();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private HttpConnection connection(HttpHandler handler) {
        return new HttpConnection(flow, loop, loop.clock(), handler, LIMITS, new Responses(), new ByteArrayPool(64, 4));
    }

    /** Serves the scripted input to the end and returns the virtual seconds it took. */
    private long serve() {
        return serve(new HelloRoutes());
    }

    private long serve(HttpHandler handler) {
        long start = loop.clock().nanoTime();
        loop.run(connection(handler).serve());
        return Duration.ofNanos(loop.clock().nanoTime() - start).toSeconds();
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void answersPlaintextAndKeepsTheConnectionOpen() {
        flow.send(GET).end();
        serve();
        String out = flow.written();
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.contains("Content-Type: text/plain\r\n"), out);
        assertTrue(out.contains("Content-Length: 13\r\n"), out);
        assertTrue(out.contains("\r\nDate: "), out);
        assertTrue(out.endsWith("\r\n\r\nHello, World!"), out);
        assertFalse(out.contains("Connection: close"), out);
        assertTrue(flow.isClosed(), "closed after the client's end of stream");
    }

    @Test
    void readsTheClockOncePerReadWhenTheAnswerGoesOutAtOnce() {
        int[] reads = {0};
        Clock counting = new Clock() {
            @Override
            public long nanoTime() {
                reads[0]++;
                return loop.clock().nanoTime();
            }

            @Override
            public long wallTimeMillis() {
                reads[0]++;
                return loop.clock().wallTimeMillis();
            }
        };
        flow.send(GET).send(GET).send(GET).end();
        loop.run(new HttpConnection(flow, loop, counting, new HelloRoutes(), LIMITS, new Responses(),
                new ByteArrayPool(64, 4)).serve());
        assertEquals(3, count(flow.written(), "HTTP/1.1 200 OK"), flow.written());
        // the first wait's deadline, one per read, and the Date's wall second (wall and monotonic once)
        assertEquals(1 + 3 + 2, reads[0]);
    }

    @Test
    void answersPipelinedRequestsInOrderWithOneWrite() {
        flow.send(GET + "GET /json HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").end();
        serve();
        String out = flow.written();
        int plain = out.indexOf("Hello, World!");
        int json = out.indexOf("{\"message\":\"Hello, World!\"}");
        int missing = out.indexOf("HTTP/1.1 404 Not Found");
        assertTrue(plain > 0 && json > plain && missing > json, out);
        assertEquals(1, flow.writes());
    }

    @Test
    void answersAThousandPipelinedRequestsOfOneReadInOrderWithOneWrite() {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            batch.append("GET /plaintext?n=").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        flow.send(batch.toString()).end();

        serve();

        assertEquals(1000, count(flow.written(), "Hello, World!"));
        assertEquals(1, flow.writes());
    }

    @Test
    void answersEveryRequestWhenThousandsOfReadsAreReadyAtOnce() {
        for (int i = 0; i < 5000; i++) {
            flow.send(GET);
        }
        flow.end();

        serve();

        assertEquals(5000, count(flow.written(), "Hello, World!"));
        assertEquals(5000, flow.writes(), "one write per read: each read's answers go out before the next read");
    }

    @Test
    void parsesARequestThatArrivesOneByteAtATime() {
        for (char c : GET.toCharArray()) {
            flow.send(String.valueOf(c));
        }
        flow.end();
        serve();
        assertEquals(1, count(flow.written(), "HTTP/1.1 200 OK"));
    }

    @Test
    void answersMalformedRequestsWith400AndCloses() {
        flow.send("GET / HTTP/1.1\r\nHost : x\r\n\r\n" + GET);
        serve();
        String out = flow.written();
        assertTrue(out.startsWith("HTTP/1.1 400 Bad Request\r\n"), out);
        assertTrue(out.contains("Connection: close\r\n"), out);
        assertEquals(1, count(out, "HTTP/1.1"), "nothing after the error is answered");
        assertTrue(flow.isClosed());
    }

    @Test
    void answersAnOversizedHeadWith431() {
        flow.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(2000));
        serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), flow.written());
        assertTrue(flow.isClosed());
    }

    @Test
    void answersAnOversizedBodyWith413() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n");
        serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 413 Content Too Large\r\n"), flow.written());
    }

    @Test
    void echoesAContentLengthBodySentInPieces() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello").send(" world").end();
        serve();
        assertTrue(flow.written().endsWith("Content-Length: 11\r\n" + dateLine() + "\r\nhello world"), flow.written());
    }

    private String dateLine() {
        String out = flow.written();
        int start = out.indexOf("Date: ");
        return out.substring(start, out.indexOf("\r\n", start) + 2);
    }

    @Test
    void echoesAChunkedBody() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").end();
        serve();
        assertTrue(flow.written().endsWith("hello world"), flow.written());
    }

    @Test
    void sendsAChunkedResponse() {
        flow.send("GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n").end();
        serve();
        String out = flow.written();
        assertTrue(out.contains("Transfer-Encoding: chunked\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\n7\r\nHello, \r\n8\r\nchunked \r\n6\r\nWorld!\r\n0\r\n\r\n"), out);
    }

    @Test
    void answersHeadWithoutABody() {
        flow.send("HEAD /plaintext HTTP/1.1\r\nHost: x\r\n\r\n").end();
        serve();
        String out = flow.written();
        assertTrue(out.contains("Content-Length: 13\r\n"), out);
        assertFalse(out.contains("Hello"), out);
    }

    @Test
    void closesAfterARequestThatAsksForIt() {
        flow.send("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + GET);
        serve();
        String out = flow.written();
        assertEquals(1, count(out, "HTTP/1.1 200 OK"));
        assertTrue(out.contains("Connection: close\r\n"), out);
        assertTrue(flow.isClosed());
    }

    @Test
    void closesHttp10ConnectionsAfterOneResponse() {
        flow.send("GET /plaintext HTTP/1.0\r\n\r\n");
        serve();
        assertTrue(flow.written().contains("Connection: close\r\n"));
        assertTrue(flow.isClosed());
    }

    @Test
    void answersAHandlerFailureWith500AndGoesOn() {
        assertFirstOfTwoIsAnswered500AndTheSecond200(request -> Promise.rejected(new IllegalStateException("handler bug")));
    }

    @Test
    void aHandlerThatThrowsAnErrorIsAnswered500AndGoesOnAsForAnException() {
        assertFirstOfTwoIsAnswered500AndTheSecond200(request -> {
            throw new NoClassDefFoundError("a handler class that failed to load");
        });
    }

    @Test
    void aHandlerThatMakesAResponseWithoutABodyIsAnswered500AndGoesOn() {
        assertFirstOfTwoIsAnswered500AndTheSecond200(request -> Promise.of(new Response(200, "text/plain", null, null)));
    }

    @Test
    void aHandlerThatMakesAResponseWithAStatusOfFourDigitsIsAnswered500AndGoesOn() {
        assertFirstOfTwoIsAnswered500AndTheSecond200(request -> Promise.of(Response.text(1000, "text/plain", "x")));
    }

    /** Serves two GETs, the first answered by {@code first}, the second by the hello routes. */
    private void assertFirstOfTwoIsAnswered500AndTheSecond200(HttpHandler first) {
        flow.send(GET + GET).end();
        int[] calls = {0};
        serve(request -> calls[0]++ == 0 ? first.handle(request) : new HelloRoutes().handle(request));
        String out = flow.written();
        assertTrue(out.startsWith("HTTP/1.1 500 Internal Server Error\r\n"), out);
        assertEquals(1, count(out, "HTTP/1.1 200 OK"), out);
    }

    @Test
    void runningOutOfMemoryMidRequestIsAnswered503AndLingersInsteadOfClosingOnUnreadInput() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + GET);
        long seconds = serve(request -> {
            throw new OutOfMemoryError("Java heap space (thrown by the test)");
        });
        String out = flow.written();
        assertTrue(out.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), out);
        assertTrue(out.contains("Connection: close\r\n"), out);
        assertTrue(flow.isClosed());
        assertEquals(LINGER_SECONDS, seconds, "closed after the linger, not at once with the GET unread");
    }

    @Test
    void aHandlerWhosePromiseFailsWithAVmErrorIsAnswered503LikeAHandlerThatThrowsOne() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + GET);
        serve(request -> Promise.rejected(new OutOfMemoryError("Java heap space (thrown by the test)")));
        String out = flow.written();
        assertTrue(out.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), out);
        assertTrue(flow.isClosed());
    }

    @Test
    void waitsForAHandlerThatAnswersLater() {
        flow.send(GET + GET).end();
        long seconds = serve(request -> loop.sleep(Duration.ofSeconds(3))
                .flatMap(v -> new HelloRoutes().handle(request)));
        assertEquals(2, count(flow.written(), "HTTP/1.1 200 OK"));
        assertEquals(6, seconds);
    }

    @Test
    void aResponseThatArrivesAfterTheConnectionWasAbandonedIsDroppedWithoutAFailure() {
        Resolver<Response> late = Promise.pending(); // not cancelable: abandoning the connection cannot stop it
        flow.send(GET);
        Promise<Void> served = connection(request -> late.promise()).serve();
        served.cancel();
        assertTrue(flow.isClosed());

        late.resolve(Response.text(200, "text/plain", "too late"));

        Promise<Boolean> answer = flow.lastAnswer();
        assertFalse(answer.isRejected(), () -> "the late answer failed: " + answer.failure());
        assertEquals(false, answer.value(), "and stops the reading");
        assertEquals("", flow.written());
    }

    @Test
    void answersASlowlorisHeadWith408AfterTheHeaderTimeout() {
        flow.send("GET /plaintext HTTP/1.1\r\nHo");
        long seconds = serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 408 Request Timeout\r\n"), flow.written());
        assertTrue(flow.isClosed());
        assertEquals(10 + HttpConnection.LINGER.toSeconds(), seconds, "408 at 10 s, then the linger");
    }

    @Test
    void closesAnIdleKeepAliveConnectionAfterTheIdleTimeoutWithoutAnswering() {
        flow.send(GET);
        long seconds = serve();
        assertEquals(1, count(flow.written(), "HTTP/1.1"));
        assertTrue(flow.isClosed());
        assertEquals(60, seconds);
    }

    @Test
    void sendsContinueBeforeReadingABodyThatExpectsIt() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        HttpConnection connection = connection(new HelloRoutes());
        Promise<Void> served = connection.serve();
        loop.runOnce(0);
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", flow.written());
        flow.send("hi").end();
        loop.run(served);
        assertTrue(flow.written().endsWith("\r\n\r\nhi"), flow.written());
    }

    @Test
    void drainClosesAnIdleConnectionAtOnce() {
        flow.send(GET);
        HttpConnection connection = connection(new HelloRoutes());
        Promise<Void> served = connection.serve();
        loop.runOnce(0);
        assertTrue(flow.hasPendingRead());
        long start = loop.clock().nanoTime();
        loop.run(connection.drain());
        assertTrue(served.isFulfilled());
        assertTrue(flow.isClosed());
        assertEquals(start, loop.clock().nanoTime(), "no timeout was waited for");
    }

    @Test
    void drainLetsAPipelinedBatchFinishWithConnectionClose() {
        flow.send(GET + GET);
        HttpConnection connection = connection(request -> {
            return loop.sleep(Duration.ofSeconds(1)).flatMap(v -> new HelloRoutes().handle(request));
        });
        Promise<Void> served = connection.serve();
        loop.runOnce(0);
        connection.drain();
        loop.run(served);
        String out = flow.written();
        assertEquals(1, count(out, "HTTP/1.1 200 OK"), out);
        assertTrue(out.contains("Connection: close\r\n"), out);
        assertTrue(flow.isClosed());
    }

    /** Has the peer send {@code text} at {@code second} of virtual time. */
    private void sendAt(long second, String text) {
        loop.sleep(Duration.ofSeconds(second)).onSuccess(v -> flow.send(text));
    }

    private void endAt(long second) {
        loop.sleep(Duration.ofSeconds(second)).onSuccess(v -> flow.end());
    }

    @Test
    void blankLinesBeforeARequestCountAgainstTheHeadLimit() {
        for (int i = 0; i < 100; i++) {
            flow.send("\r\n".repeat(6));
        }
        long seconds = serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 431 "), flow.written());
        assertEquals(LINGER_SECONDS, seconds, "refused at once, not after a timeout");
    }

    @Test
    void blankLinesArrivingOverManyReadsAreDroppedAsTheyCome() {
        for (int i = 0; i < 10; i++) {
            flow.send("\r\n".repeat(20));
        }
        flow.send(GET).end();
        serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 200 OK\r\n"), flow.written());
    }

    @Test
    void anEmptyLineBetweenPipelinedRequestsIsSkipped() {
        flow.send(GET + "\r\n" + GET).end();
        serve();
        assertEquals(2, count(flow.written(), "HTTP/1.1 200 OK"), flow.written());
    }

    @Test
    void aBodyTricklingInGets408AtTheBodyTimeout() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n");
        for (int i = 1; i <= 20; i++) {
            sendAt(5L * i, "x");
        }
        long seconds = serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 408 Request Timeout\r\n"), flow.written());
        assertEquals(30 + LINGER_SECONDS, seconds);
    }

    @Test
    void aBodyThatStallsGets408AtTheHeaderTimeoutFromTheLastRead() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\nab");
        sendAt(4, "cd");
        long seconds = serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 408 Request Timeout\r\n"), flow.written());
        assertEquals(4 + 10 + LINGER_SECONDS, seconds);
    }

    @Test
    void aChunkExtensionTricklingInGets408AtTheBodyTimeout() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;");
        for (int i = 1; i <= 20; i++) {
            sendAt(5L * i, "a");
        }
        long seconds = serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 408 Request Timeout\r\n"), flow.written());
        assertEquals(30 + LINGER_SECONDS, seconds);
    }

    @Test
    void trailerLinesTricklingInGet408AtTheBodyTimeout() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
        for (int i = 1; i <= 20; i++) {
            sendAt(5L * i, "X: y\r\n");
        }
        long seconds = serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 408 Request Timeout\r\n"), flow.written());
        assertEquals(30 + LINGER_SECONDS, seconds);
    }

    @Test
    void anEndlessChunkExtensionIsRefusedOnceOverItsBudget() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;");
        for (int i = 0; i < 20; i++) {
            flow.send("a".repeat(100));
        }
        long seconds = serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 431 "), flow.written());
        assertEquals(LINGER_SECONDS, seconds);
    }

    @Test
    void answersGoodPipelinedRequestsBeforeTheBadOneThenCloses() {
        flow.send(GET + GET + "garbage\r\n\r\n");
        serve();
        String out = flow.written();
        int first = out.indexOf("HTTP/1.1 200 OK");
        int second = out.indexOf("HTTP/1.1 200 OK", first + 1);
        int bad = out.indexOf("HTTP/1.1 400 Bad Request");
        assertTrue(first == 0 && second > first && bad > second, out);
        assertEquals(3, count(out, "HTTP/1.1 "), out);
        assertTrue(flow.isClosed());
    }

    @Test
    void aPipelinedHeadAfterASlowBodyGetsAFullHeaderTimeout() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab");
        sendAt(3, "c");
        sendAt(9, "d" + "GET /plaintext HTTP/1.1\r\nHo");
        sendAt(12, "st: x\r\n\r\n");
        endAt(13);
        long seconds = serve();
        String out = flow.written();
        assertFalse(out.contains(" 408 "), out);
        assertEquals(2, count(out, "HTTP/1.1 200 OK"), out);
        assertTrue(out.endsWith("Hello, World!"), out);
        assertEquals(13, seconds);
    }

    @Test
    void sendsTheChunkedRouteToAnHttp10ClientWithContentLength() {
        flow.send("GET /chunked HTTP/1.0\r\n\r\n");
        serve();
        String out = flow.written();
        assertFalse(out.contains("Transfer-Encoding"), out);
        assertTrue(out.contains("Content-Length: 21\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\nHello, chunked World!"), out);
    }

    @Test
    void tellsAnHttp10KeepAliveClientTheConnectionStaysOpen() {
        flow.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").end();
        serve();
        String out = flow.written();
        assertTrue(out.contains("\r\nConnection: keep-alive\r\n"), out);
        assertTrue(out.endsWith("Hello, World!"), out);
    }

    @Test
    void aMethodNotAllowedSaysWhichAre() {
        flow.send("DELETE /plaintext HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n").end();
        serve();
        String out = flow.written();
        assertEquals(2, count(out, "HTTP/1.1 405 Method Not Allowed\r\n"), out);
        assertTrue(out.contains("\r\nAllow: GET, HEAD\r\n"), out);
        assertTrue(out.contains("\r\nAllow: POST\r\n"), out);
    }

    @Test
    void errorResponsesDoNotEchoTheClientsFieldValues() {
        flow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: <script>\r\n\r\n");
        serve();
        String out = flow.written();
        assertTrue(out.startsWith("HTTP/1.1 400 "), out);
        assertFalse(out.contains("script"), out);
    }

    @Test
    void aRequestEndingInBareCarriageReturnsGets400AtOnce() {
        flow.send("GET /plaintext HTTP/1.1\r\r\r");
        long seconds = serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 400 Bad Request\r\n"), flow.written());
        assertEquals(LINGER_SECONDS, seconds, "not a 408 after the header timeout");
    }

    @Test
    void routesAnAbsoluteFormTarget() {
        flow.send("GET http://x/plaintext HTTP/1.1\r\nHost: x\r\n\r\n").end();
        serve();
        assertTrue(flow.written().startsWith("HTTP/1.1 200 OK\r\n"), flow.written());
        assertTrue(flow.written().endsWith("Hello, World!"), flow.written());
    }

    @Test
    void lingersAfterAnErrorUntilTheClientCloses() {
        flow.send("garbage\r\n\r\n");
        sendAt(1, "more bytes the client had in flight");
        loop.sleep(Duration.ofMillis(1500)).onSuccess(v -> flow.end());
        long start = loop.clock().nanoTime();
        loop.run(connection(new HelloRoutes()).serve());
        assertEquals(1500, Duration.ofNanos(loop.clock().nanoTime() - start).toMillis());
        assertTrue(flow.written().startsWith("HTTP/1.1 400 "), flow.written());
        assertTrue(flow.isClosed());
    }
    @Test
    void aClientGoneBeforeItsErrorResponseIsWrittenEndsTheServingQuietlyAndClosed() {
        flow.send("garbage\r\n\r\n").failWrites(new IllegalStateException("connection reset by the peer"));

        Promise<Void> served = connection(new HelloRoutes()).serve();
        loop.run(served.recover(failure -> Promise.unit()));

        assertTrue(served.isFulfilled(), () -> "served was rejected with " + served.failure());
        assertTrue(flow.isClosed());
    }

    @Test
    void aPipelinedBatchToAPeerThatReadsNothingHoldsAtMostTheFlushSizeOfResponses() {
        byte[] large = new byte[100_000];
        HttpHandler handler = request -> Promise.of(new Response(200, "application/octet-stream", large, null));
        flow.send(GET.repeat(50)).stallWrites();

        Promise<Void> served = connection(handler).serve();
        loop.run(loop.sleep(Duration.ofMillis(1)));
        int writtenWhileStalled = flow.written().length();
        flow.takeWrites();
        flow.end();
        loop.run(served);

        assertTrue(writtenWhileStalled < HttpConnection.FLUSH_BYTES + large.length + 1024,
                writtenWhileStalled + " bytes of responses handed over before the peer read any");
        assertEquals(50, count(flow.written(), "HTTP/1.1 200 OK"));
    }
    @Test
    void aPipelinedBatchSplitAtAnyByteIsAnsweredAsIfItCameInOneRead() {
        String batch = GET
                + "\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;a=b\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n"
                + "HEAD /chunked HTTP/1.1\r\nHost: x\r\n\r\n";
        String whole = answersWithoutDates(batch);

        for (int at = 1; at < batch.length(); at++) {
            assertEquals(whole, answersWithoutDates(batch.substring(0, at), batch.substring(at)), "split at " + at);
        }
        assertEquals(4, count(whole, "HTTP/1.1 200 OK"), whole);
        assertTrue(whole.contains("hello") && whole.contains("abcde"), whole);
    }

    /** What a fresh connection answers to {@code reads}, then end of stream, with the Date fields left out. */
    private static String answersWithoutDates(String... reads) {
        Loop fresh = Loop.builder().virtualTime().build();
        try {
            ScriptedFlow input = new ScriptedFlow();
            for (String read : reads) {
                input.send(read);
            }
            input.end();
            fresh.run(new HttpConnection(input, fresh, fresh.clock(), new HelloRoutes(), LIMITS, new Responses(),
                    new ByteArrayPool(64, 4)).serve());
            return input.written().replaceAll("Date: [^\r]*\r\n", "");
        } finally {
            fresh.close();
        }
    }
}
