package dev.weft.samples.http;

import dev.weft.loop.Clock;
import dev.weft.loop.device.Flow;
import dev.weft.loop.device.Time;
import dev.weft.promise.Cancelled;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;

/**
 * One HTTP/1.1 connection served as a promise pipeline over a {@link Flow}: read bytes, answer
 * every complete request in them (pipelined requests in order, their responses batched into one
 * write of up to {@link #FLUSH_BYTES}), repeat while the connection is kept alive.
 *
 * <p><b>Reading in callback mode.</b> The connection reads with {@link Flow#readChunks}: the flow
 * hands it each chunk, and its answer is the back-pressure: {@code READ_ON} when every complete
 * request was answered at once and the response written, or the promise of the handler's answer
 * or of the write, which holds the reading until it resolves. So waiting for the next request
 * costs no promise and no bind (a {@link Flow#read()} per request cost both). A chunk is lent
 * until the answer resolves; what is left of it (the start of the next request) is copied to the
 * carry array before the connection asks for more.
 *
 * <p>Loop thread only. Works on any Flow (a TCP socket on io-unix, a vchan on io-xen), with the
 * loop's {@link Time} for the timeouts.
 *
 * <p><b>Timeouts without a timer per read.</b> The connection keeps one deadline, moved as it
 * waits: the idle timeout between requests; the header timeout, a total for the whole head,
 * counted from when the server starts waiting for it (the first byte after an idle spell, or, when
 * the next head is already buffered, once the previous response went out); and for a body the
 * earlier of the body timeout (a total from the end of the head) and the header timeout from the
 * current wait, so neither trickled bytes nor a stalled read win more time. One sleep is armed at
 * a time; when it fires early (the deadline moved) it re-arms, and when the deadline has passed
 * while a read is pending it cancels that read. A slow client (slowloris) is answered 408 and
 * closed.
 *
 * <p><b>Errors.</b> A request the server refuses is answered after the responses to the requests
 * before it, then the connection lingers: it stops writing (the client sees the end of the
 * stream) and reads and discards whatever the client still sends, for at most {@link #LINGER},
 * before closing. Closing at once with unread bytes would make the kernel answer with a reset,
 * and a client busy sending (an oversized head, say) would lose the error response with it. A
 * response that closes the connection ({@code Connection: close}, asked for or added by a drain)
 * is followed by the same linger, for the same reason: a client may have pipelined more requests
 * behind it, or sent one as the response came (RFC 9112 section 9.6). A VM
 * error while serving (OutOfMemoryError under overload) is answered 503 the same way; only a
 * failure of the flow itself closes at once.
 */
final class HttpConnection {
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** How long a connection reads and discards after an error response before it closes. */
    static final Duration LINGER = Duration.ofSeconds(2);
    /**
     * Responses queued for a pipelined batch are written once they reach this many bytes, and the
     * batch's next request is answered only when the write is done: a few bytes of small requests
     * asking for large responses must not make the server hold them all at once while the client
     * reads nothing. A batch of a thousand small responses still goes out in one write.
     */
    static final int FLUSH_BYTES = 256 * 1024;
    /** The first array of a body (a Content-Length body smaller than this gets one of its exact size). */
    static final int FIRST_BODY_BYTES = 64 * 1024;

    private final Flow flow;
    private final Time time;
    private final Clock clock;
    private final HttpHandler handler;
    private final HttpLimits limits;
    private final Responses responses;
    private final RequestHeadParser parser;
    private final ByteArrayPool buffers;

    // Made once: passing a fresh lambda at each step would allocate per request.
    private final Flow.ChunkHandler onChunk = this::onChunk;
    private final Function<Boolean, Boolean> readOnAfterAnswer = this::readOn;
    private final Runnable onTimer = this::onTimer;
    private final Function<Flow.Read, Promise<Void>> onDiscarded = this::onDiscarded;
    private final Function<Response, Promise<Boolean>> onResponse = this::onResponse;
    private final Function<Boolean, Promise<Boolean>> answerRest = written -> answerBuffered();

    /**
     * The unconsumed input, in {@code input[inStart, inEnd)}: either the segment the last read
     * lent (parsed in place, no copy) or {@code carry}, a pooled array holding the tail of a
     * request that spans reads. Between requests both are null: an idle connection holds no
     * buffer.
     */
    private MemorySegment input;
    private long inStart;
    private long inEnd;
    private byte[] carry;

    /** Responses waiting to be written; taken from the pool when needed, given back once written. */
    private byte[] out;
    private int outLength;

    /** The request whose response is awaited: requests are answered one at a time, in order. */
    private Request answering;
    /** The head of the request whose body is being read, or null between requests. */
    private RequestHead head;
    private long bodyRemaining;
    private ChunkedBodyDecoder chunkedBody;
    /**
     * The body read so far, in {@code body[0, bodyLength)}: the bytes are copied once, from the
     * lent read buffer into this array, and the array becomes the request's when it is exactly
     * full, as a Content-Length body's is (see {@link #bodyCapacity}).
     */
    private byte[] body;
    private int bodyLength;
    private boolean continueSent;

    /**
     * The monotonic time read when the last read's bytes arrived, and whether everything since
     * has run in the same callback (no handler or write promise was waited for): then it is
     * still "now" to within that callback's microseconds, and the next wait's deadline and the
     * response's Date start from it. One clock read per read instead of three: in the plain-HTTP
     * profile the clock was a tenth of the user-space time per request (docs/performance.md,
     * "Plain HTTP's p99").
     */
    private long readNanos;
    private boolean readNanosCurrent;

    /** Whether the server is waiting for the rest of a head, since {@code headStartNanos}. */
    private boolean headStarted;
    private long headStartNanos;
    private long bodyStartNanos;
    private long deadlineNanos;
    private Promise<Void> timer;
    private long timerDeadlineNanos;
    /** The reading ({@link Flow#readChunks}) while requests are read, null before it starts. */
    private Promise<Void> reading;
    /** The reading waits for bytes (not for an answer): what the timer and a drain may cancel. */
    private boolean waitingForBytes;
    /** The connection answered STOP: the reading ended by its choice, not at end of stream. */
    private boolean stopped;
    /** The read of the lingering discard, after an error response. */
    private Promise<Flow.Read> pendingRead;
    private boolean timedOut;
    /** A response said {@code Connection: close}: once it is written the connection lingers, then closes. */
    private boolean closesAfterResponse;
    private boolean draining;
    private boolean finished;
    private Promise<Void> served;

    HttpConnection(Flow flow, Time time, Clock clock, HttpHandler handler, HttpLimits limits, Responses responses,
            ByteArrayPool buffers) {
        this.flow = flow;
        this.buffers = buffers;
        this.time = time;
        this.clock = clock;
        this.handler = handler;
        this.limits = limits;
        this.responses = responses;
        this.parser = new RequestHeadParser(limits.maxHeadBytes());
    }

    /**
     * Serves the connection until it closes; never rejected by its own failures, which end in a
     * close. Cancelling it abandons the connection and closes it.
     */
    Promise<Void> serve() {
        served = readRequests()
                .recover(this::onFailure)
                .andFinally(this::finish);
        return served;
    }

    /**
     * Stops taking new requests: an idle connection closes at once, a busy one after its current
     * response (which then carries {@code Connection: close}).
     *
     * @return the promise {@link #serve()} returned
     */
    Promise<Void> drain() {
        draining = true;
        Promise<?> waiting = waitingForBytes ? reading : pendingRead;
        if (waiting != null && head == null && inStart == inEnd) {
            waiting.cancel();
        }
        return served;
    }

    /**
     * Reads and answers until told to stop, in callback mode: fulfilled once the reading ended by
     * the connection's choice or at end of stream between requests; rejected with a 400 for an
     * end of stream in the middle of a request, and with the reading's failure.
     */
    private Promise<Void> readRequests() {
        if (!readOn(true)) {
            return Promise.unit();
        }
        reading = flow.readChunks(onChunk);
        return reading.flatMap(ignored -> readingEnded());
    }

    private Promise<Void> readingEnded() {
        waitingForBytes = false;
        if (!stopped && (head != null || inStart != inEnd)) {
            throw HttpError.badRequest("connection closed in the middle of a request");
        }
        // The client may have sent more (a pipelined request, one sent as the response came):
        // closing with its bytes unread would reset the connection and lose the response.
        return closesAfterResponse ? linger() : Promise.unit();
    }

    /**
     * Takes one chunk: answers the requests it completes, then asks for more. The answer holds
     * the reading while a handler or a write is waited for: the chunk stays lent until then.
     */
    private Promise<Boolean> onChunk(MemorySegment bytes) {
        waitingForBytes = false;
        Promise<Boolean> answered = onRead(bytes);
        if (answered.isFulfilled()) {
            return readOn(answered.value()) ? Flow.ChunkHandler.READ_ON : Flow.ChunkHandler.STOP;
        }
        return answered.map(readOnAfterAnswer);
    }

    /**
     * Whether to read on after an answer: not if the answer closes the connection, nor when a
     * drain finds it idle; otherwise the wait for bytes is prepared and true returned.
     */
    private boolean readOn(boolean keepReading) {
        if (!keepReading || (draining && head == null && inStart == inEnd)) {
            stopped = true;
            return false;
        }
        awaitBytes();
        return true;
    }

    /**
     * Answers the complete requests in the buffer; fulfilled with whether to read on. A loop, not
     * a bind per request: a handler that answers at once (a fulfilled promise) is followed
     * without a promise step, and a pipelined batch does not deepen the stack per request.
     */
    private Promise<Boolean> answerBuffered() {
        while (true) {
            if (outLength >= FLUSH_BYTES) {
                Promise<Boolean> written = flush(true);
                if (!written.isFulfilled()) {
                    return written.flatMap(answerRest); // the rest of the batch once the peer took these
                }
            }
            Request request = nextRequest();
            if (request == null) {
                if (expectsContinue()) {
                    continueSent = true;
                    append(CONTINUE);
                }
                return flush(true);
            }
            answering = request;
            Promise<Response> response = respond(request);
            if (!response.isFulfilled()) {
                readNanosCurrent = false; // the answer waits for the handler: time passes
                return response.flatMap(onResponse);
            }
            if (queueAnswer(response.value())) {
                return flush(false);
            }
        }
    }

    /**
     * Continues after a handler's answer that had to be waited for, unless the connection closed
     * meanwhile (cancelled by a shutdown whose grace ran out, or its flow failed): a handler's
     * promise need not be cancelable, so its answer can come late, and there is no one to send it
     * to. It is dropped on purpose, and the reading told to stop, as it already has.
     */
    private Promise<Boolean> onResponse(Response response) {
        if (finished) {
            return STOP_READING;
        }
        return queueAnswer(response) ? flush(false) : answerBuffered();
    }

    /** Queues the response to the request being answered; true if the connection closes after it. */
    private boolean queueAnswer(Response response) {
        RequestHead answered = answering.head();
        answering = null;
        // decided after the handler: a drain that began meanwhile closes after this response
        boolean close = !answered.keepAlive() || draining;
        closesAfterResponse |= close;
        encode(response, answered, close);
        headStarted = false; // the next head's wait starts once this response is queued
        return close;
    }

    // Fulfilled and immutable, so one of each serves every connection of the loop.
    private static final Promise<Boolean> KEEP_READING = Promise.of(true);
    private static final Promise<Boolean> STOP_READING = Promise.of(false);

    private static final Promise<Response> INTERNAL_ERROR =
            Promise.of(Response.text(500, "text/plain", "internal error\n"));

    /**
     * The handler's response; a handler that throws (an exception or an error, as a class that
     * failed to load), fails or returns null gets a 500. A VM error (the heap ran out) goes on to
     * be answered 503 instead (see {@link #errorToAnswer}).
     */
    private Promise<Response> respond(Request request) {
        Promise<Response> response;
        try {
            response = handler.handle(request);
        } catch (VirtualMachineError overloaded) {
            throw overloaded;
        } catch (RuntimeException | Error failure) {
            return INTERNAL_ERROR;
        }
        return response == null ? INTERNAL_ERROR : response.recover(HttpConnection::internalError);
    }

    /** A handler's promise failed: 500, unless it is a VM error, which goes on to be answered 503. */
    private static Promise<Response> internalError(Throwable failure) {
        if (failure instanceof VirtualMachineError overloaded) {
            throw overloaded;
        }
        return INTERNAL_ERROR;
    }

    /** The next complete request in the buffer, or null if more bytes are needed. */
    private Request nextRequest() {
        if (head == null) {
            if (inStart == inEnd) {
                return null;
            }
            head = parser.parse(input, inStart, inEnd);
            inStart += parser.consumed();
            if (head == null) {
                return null;
            }
            startBody();
        }
        if (!readBody()) {
            return null;
        }
        Request request = new Request(head, body == null ? EMPTY : wholeBody());
        head = null;
        body = null;
        chunkedBody = null;
        continueSent = false;
        return request;
    }

    private void startBody() {
        if (head.contentLength() > limits.maxBodyBytes()) {
            throw new HttpError(413, "request body larger than " + limits.maxBodyBytes() + " bytes");
        }
        bodyRemaining = Math.max(0, head.contentLength());
        chunkedBody = head.chunked() ? new ChunkedBodyDecoder(limits.maxBodyBytes(), limits.maxHeadBytes()) : null;
        body = null;
        bodyLength = 0;
        if (head.hasBody()) {
            body = new byte[bodyCapacity(0)];
            bodyStartNanos = clock.nanoTime();
        }
    }

    /**
     * The size of the body's array once it must hold {@code needed} bytes: doubling from {@value
     * #FIRST_BODY_BYTES}, and never past a Content-Length, so a body of known length ends in an
     * array of exactly its size (no copy to trim it) and a small one, most of them, in the first.
     * The array grows with the bytes that arrived, not with the length announced: a client that
     * announces the largest body and sends nothing makes the server hold {@value
     * #FIRST_BODY_BYTES} bytes, not the limit.
     */
    private int bodyCapacity(int needed) {
        long capacity = Math.max(needed, body == null ? FIRST_BODY_BYTES : 2L * body.length);
        long known = head.contentLength();
        return (int) Math.max(needed, Math.min(capacity, known >= 0 ? known : limits.maxBodyBytes()));
    }

    /** The body read, as the request's array: the body's own if it is exactly full, else a trimmed copy (chunked). */
    private byte[] wholeBody() {
        return bodyLength == body.length ? body : Arrays.copyOf(body, bodyLength);
    }

    /** Moves body bytes from the buffer into the body; true when the body is complete. */
    private boolean readBody() {
        if (chunkedBody != null) {
            if (inStart < inEnd) {
                inStart += chunkedBody.decode(input, inStart, inEnd, this::bodyData);
            }
            return chunkedBody.isDone();
        }
        long n = Math.min(bodyRemaining, inEnd - inStart);
        if (n > 0) {
            bodyData(input, inStart, n);
            inStart += n;
            bodyRemaining -= n;
        }
        return bodyRemaining == 0;
    }

    /** Copies body bytes out of the lent input (the one copy a body's bytes take; see {@link #body}). */
    private void bodyData(MemorySegment buf, long offset, long length) {
        int n = (int) length; // at most maxBodyBytes in all: the head's length and the chunked decoder check it
        if (bodyLength + n > body.length) {
            body = Arrays.copyOf(body, bodyCapacity(bodyLength + n));
        }
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, offset, body, bodyLength, n);
        bodyLength += n;
    }

    private boolean expectsContinue() {
        return head != null && !continueSent && head.minorVersion() == 1
                && "100-continue".equalsIgnoreCase(head.headers().get("expect"));
    }

    /** Prepares the wait for the next chunk: keeps the unconsumed tail, moves the deadline, arms the timer. */
    private void awaitBytes() {
        keepUnconsumed();
        long now = readNanosCurrent ? readNanos : clock.nanoTime();
        readNanosCurrent = false;
        if (head == null && !headStarted && inStart != inEnd) {
            headStarted = true; // part of the next head came with the previous request
            headStartNanos = now;
        }
        if (head != null) {
            deadlineNanos = Math.min(bodyStartNanos + limits.bodyTimeout().toNanos(),
                    now + limits.headerTimeout().toNanos());
        } else if (headStarted) {
            deadlineNanos = headStartNanos + limits.headerTimeout().toNanos();
        } else {
            deadlineNanos = now + limits.idleTimeout().toNanos();
        }
        waitingForBytes = true;
        armTimer(now);
    }

    private Promise<Boolean> onRead(MemorySegment bytes) {
        readNanos = clock.nanoTime();
        readNanosCurrent = true;
        if (head == null && !headStarted) {
            headStarted = true;
            headStartNanos = readNanos;
        }
        if (inStart == inEnd) {
            input = bytes;
            inStart = 0;
            inEnd = bytes.byteSize();
        } else {
            appendToCarry(bytes);
        }
        return answerBuffered();
    }

    /** Arms the one sleep for the current deadline, unless one already fires at or before it. */
    private void armTimer(long now) {
        if (timer != null && timerDeadlineNanos <= deadlineNanos) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        timerDeadlineNanos = deadlineNanos;
        timer = time.sleep(Duration.ofNanos(Math.max(0, deadlineNanos - now)));
        timer.onSuccess(v -> onTimer.run());
    }

    private void onTimer() {
        timer = null;
        Promise<?> waiting = waitingForBytes ? reading : pendingRead;
        if (finished || waiting == null) {
            return;
        }
        long now = clock.nanoTime();
        if (now < deadlineNanos) {
            armTimer(now);
            return;
        }
        timedOut = true;
        waiting.cancel();
    }

    private Promise<Void> onFailure(Throwable failure) {
        HttpError error = errorToAnswer(failure);
        if (error == null) {
            return Promise.unit(); // the flow failed (reset, write timeout, closed): nothing can be said
        }
        // after the responses already queued for the requests before the bad one, in order
        Response response = Response.text(error.status(), "text/plain", error.getMessage() + "\n");
        append(responses.encode(response, Responses.ConnectionField.CLOSE, clock.wallTimeMillis()));
        // a write that fails means the client is gone (reset): nothing more can be said to it
        return flush(false).tryBind(v -> linger(), writeFailed -> Promise.unit());
    }

    /**
     * The answer a failure deserves, or null if the connection can only be closed. A VM error
     * (the heap ran out while this request was read or answered: the server is overloaded, not
     * the client wrong) gets 503 and the linger like any refused request: closing at once would
     * leave the rest of the client's request unread, and the kernel would reset the connection
     * under a client that did nothing wrong. It is reported to the async-exception hook, since
     * promise nodes turn it into a rejection that no one else sees.
     */
    private HttpError errorToAnswer(Throwable failure) {
        if (failure instanceof HttpError e) {
            return e;
        }
        if (failure instanceof Cancelled && timedOut && (head != null || headStarted)) {
            return new HttpError(408, "request not received in time");
        }
        if (failure instanceof VirtualMachineError) {
            LoopHooks.reportAsyncException(failure);
            return new HttpError(503, "server overloaded, try again later");
        }
        return null;
    }

    /** Stops writing, then reads and discards until the client closes or {@link #LINGER} passes. */
    private Promise<Void> linger() {
        releaseInput();
        waitingForBytes = false; // the reading has ended: the timer and a drain now watch the discard
        head = null;
        timedOut = false;
        deadlineNanos = clock.nanoTime() + LINGER.toNanos();
        return flow.shutdown(Flow.Direction.WRITE)
                .flatMap(v -> discard())
                .recover(failure -> Promise.unit());
    }

    private Promise<Void> discard() {
        pendingRead = flow.read();
        armTimer(clock.nanoTime());
        return pendingRead.flatMap(onDiscarded);
    }

    private Promise<Void> onDiscarded(Flow.Read read) {
        pendingRead = null;
        return read instanceof Flow.Data ? discard() : Promise.unit();
    }

    private Promise<Void> finish() {
        finished = true;
        answering = null;
        releaseInput();
        if (out != null) {
            buffers.give(out);
            out = null;
        }
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        return flow.close();
    }

    private void encode(Response response, RequestHead request, boolean close) {
        boolean headOnly = request.method().equals("HEAD");
        Responses.ConnectionField connection = Responses.ConnectionField.of(close, request.minorVersion());
        if (response.isChunked() && request.minorVersion() == 0) {
            // an HTTP/1.0 client knows no chunked coding: send the chunks as one Content-Length body
            byte[] encoded = responses.encode(joinChunks(response), connection, clock.wallTimeMillis());
            append(encoded, 0, headOnly ? encoded.length - joinedLength(response) : encoded.length);
            return;
        }
        if (response.isChunked()) {
            append(responses.chunkedHead(response, connection, clock.wallTimeMillis()));
            if (!headOnly) {
                for (byte[] chunk : response.chunks()) {
                    if (chunk.length > 0) {
                        append((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        append(chunk);
                        append(Responses.CRLF);
                    }
                }
                append(Responses.LAST_CHUNK);
            }
            return;
        }
        byte[] encoded = responses.encodeCached(response, connection, dateMillis());
        append(encoded, 0, headOnly ? encoded.length - response.bodyBytes().length : encoded.length);
    }

    /** The wall-clock time for a Date field now: from the read's clock reading while it is current. */
    private long dateMillis() {
        return responses.wallTimeMillis(clock, readNanosCurrent ? readNanos : clock.nanoTime());
    }

    private static Response joinChunks(Response response) {
        byte[] body = new byte[joinedLength(response)];
        int at = 0;
        for (byte[] chunk : response.chunks()) {
            System.arraycopy(chunk, 0, body, at, chunk.length);
            at += chunk.length;
        }
        return new Response(response.status(), response.contentType(), body, null, response.fields());
    }

    private static int joinedLength(Response response) {
        int length = 0;
        for (byte[] chunk : response.chunks()) {
            length += chunk.length;
        }
        return length;
    }

    private Promise<Boolean> flush(boolean keepReading) {
        if (outLength == 0) {
            return Promise.of(keepReading);
        }
        byte[] written = out;
        int length = outLength;
        out = null;
        outLength = 0;
        Promise<Void> write = flow.write(buffers.segment(written, length));
        if (write.isFulfilled()) { // the kernel took it all at once: no closure, no map node
            buffers.give(written);
            return keepReading ? KEEP_READING : STOP_READING;
        }
        readNanosCurrent = false; // the answer waits for the socket: time passes
        return write.map(v -> {
            buffers.give(written);
            return keepReading;
        });
    }

    private void append(byte[] bytes) {
        append(bytes, 0, bytes.length);
    }

    private void append(byte[] bytes, int offset, int length) {
        if (out == null) {
            out = buffers.take(length);
        } else if (outLength + length > out.length) {
            byte[] grown = Arrays.copyOf(out, Math.max(out.length * 2, outLength + length));
            buffers.give(out);
            out = grown;
        }
        System.arraycopy(bytes, offset, out, outLength, length);
        outLength += length;
    }

    /**
     * Before the next read: the lent segment of the last read becomes invalid, so the unconsumed
     * tail of a request moves into the carry array; with nothing left, no buffer is kept.
     */
    private void keepUnconsumed() {
        int left = (int) (inEnd - inStart);
        if (left == 0) {
            releaseInput();
            return;
        }
        if (input.heapBase().orElse(null) == carry && carry != null && inStart == 0) {
            return;
        }
        byte[] kept = buffers.take(left);
        MemorySegment.copy(input, ValueLayout.JAVA_BYTE, inStart, kept, 0, left);
        if (carry != null) {
            buffers.give(carry);
        }
        carry = kept;
        input = MemorySegment.ofArray(kept);
        inStart = 0;
        inEnd = left;
    }

    /** Appends a read's bytes after the carried tail of a request. */
    private void appendToCarry(MemorySegment bytes) {
        long size = bytes.byteSize();
        if (inEnd + size > carry.length) {
            byte[] grown = Arrays.copyOf(carry, (int) Math.max(carry.length * 2L, inEnd + size));
            buffers.give(carry);
            carry = grown;
            input = MemorySegment.ofArray(carry);
        }
        MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, 0, carry, (int) inEnd, (int) size);
        inEnd += size;
    }

    private void releaseInput() {
        if (carry != null) {
            buffers.give(carry);
            carry = null;
        }
        input = null;
        inStart = 0;
        inEnd = 0;
    }
}
