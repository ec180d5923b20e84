package dev.weft.samples.http;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/**
 * Incremental decoder of a chunked request body (RFC 9112 section 7.1): chunk sizes in hex,
 * optional extensions (ignored), data, and trailer fields (ignored). Feed it bytes as they come;
 * it reports the data it finds and how many bytes it consumed.
 *
 * <p>Not thread-safe: one decoder per request body. Refuses bodies larger than its limit with 413
 * and malformed framing with 400.
 */
public final class ChunkedBodyDecoder {
    /** Receives the body's data as it is decoded. The segment is only valid during the call. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Accepts {@code length} bytes of body data at {@code offset} in {@code buf}.
         *
         * @param buf the bytes being decoded
         * @param offset where the data starts
         * @param length how many data bytes
         */
        void data(MemorySegment buf, long offset, long length);
    }

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, TRAILER_LF, DONE }

    private final long maxBodyBytes;
    private State state = State.SIZE;
    private long chunkRemaining;
    private long total;
    private int sizeDigits;

    /**
     * Creates a decoder.
     *
     * @param maxBodyBytes the largest decoded body accepted; beyond it, 413
     */
    public ChunkedBodyDecoder(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Whether the last chunk and the trailer section were read. */
    public boolean isDone() {
        return state == State.DONE;
    }

    /**
     * Decodes from {@code buf[start, end)}.
     *
     * @return how many bytes were consumed; less than offered only once {@link #isDone()}
     * @throws HttpError 400 on malformed framing, 413 when the body exceeds the limit
     */
    public long decode(MemorySegment buf, long start, long end, Sink sink) {
        long pos = start;
        while (pos < end && state != State.DONE) {
            if (state == State.DATA) {
                long n = Math.min(chunkRemaining, end - pos);
                sink.data(buf, pos, n);
                pos += n;
                chunkRemaining -= n;
                if (chunkRemaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            step(buf.get(JAVA_BYTE, pos));
            pos++;
        }
        return pos - start;
    }

    private void step(byte b) {
        switch (state) {
            case SIZE -> sizeDigit(b);
            case EXTENSION -> {
                if (b == '\r') {
                    state = State.SIZE_LF;
                } else if (b == '\n') {
                    endOfSizeLine();
                }
            }
            case SIZE_LF -> {
                expect(b, '\n');
                endOfSizeLine();
            }
            case DATA_CR -> {
                if (b == '\n') {
                    state = State.SIZE;
                } else {
                    expect(b, '\r');
                    state = State.DATA_LF;
                }
            }
            case DATA_LF -> {
                expect(b, '\n');
                state = State.SIZE;
            }
            case TRAILER_START -> {
                if (b == '\n') {
                    state = State.DONE;
                } else if (b == '\r') {
                    state = State.TRAILER_LF;
                } else {
                    state = State.TRAILER;
                }
            }
            case TRAILER -> {
                if (b == '\n') {
                    state = State.TRAILER_START;
                }
            }
            case TRAILER_LF -> {
                expect(b, '\n');
                state = State.DONE;
            }
            default -> throw new IllegalStateException("decoder in state " + state);
        }
    }

    private void sizeDigit(byte b) {
        int digit = Character.digit(b, 16);
        if (digit >= 0) {
            if (++sizeDigits > 15) {
                throw HttpError.badRequest("chunk size has too many digits");
            }
            chunkRemaining = chunkRemaining * 16 + digit;
            return;
        }
        if (sizeDigits == 0) {
            throw HttpError.badRequest("chunk size missing");
        }
        switch (b) {
            case ';', ' ', '\t' -> state = State.EXTENSION;
            case '\r' -> state = State.SIZE_LF;
            case '\n' -> endOfSizeLine();
            default -> throw HttpError.badRequest("malformed chunk size");
        }
    }

    private void endOfSizeLine() {
        sizeDigits = 0;
        total += chunkRemaining;
        if (total > maxBodyBytes) {
            throw new HttpError(413, "request body larger than " + maxBodyBytes + " bytes");
        }
        state = chunkRemaining == 0 ? State.TRAILER_START : State.DATA;
    }

    private static void expect(byte actual, char wanted) {
        if (actual != wanted) {
            throw HttpError.badRequest("malformed chunk framing");
        }
    }
}
