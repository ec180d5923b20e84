package dev.weft.samples.http;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/**
 * Incremental decoder of a chunked request body, strictly as RFC 9112 section 7.1 writes it:
 * chunk sizes in hex, extensions ({@code ;name} or {@code ;name=value}, the value a token or a
 * quoted string, with optional whitespace around {@code ;} and {@code =}) which are checked and
 * ignored, data, and trailer fields which are checked and ignored. Every line in the framing ends
 * with CRLF; a bare LF or CR, a NUL or other control character, or anything else the grammar does
 * not allow is refused, because a proxy in front of this server may frame the same bytes another
 * way (request smuggling).
 *
 * <p>Not thread-safe: one decoder per request body. Refuses bodies larger than its limit with
 * 413, chunk extensions and trailer fields that together exceed their own budget with 431 (so an
 * endless extension or trailer section cannot run on), and malformed framing with 400. Feed it
 * bytes as they come; it reports the data it finds and how many bytes it consumed.
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

    /** Where the decoder stands in the grammar; each state names what the next byte may be. */
    private enum State {
        /** Hex digits of a chunk size. */
        SIZE,
        /** Whitespace after the size or an extension value, before a {@code ;}. */
        EXT_BWS,
        /** After {@code ;}: whitespace, then an extension name. */
        EXT_NAME_START,
        /** An extension name. */
        EXT_NAME,
        /** Whitespace after an extension name, before {@code =} or {@code ;}. */
        EXT_NAME_BWS,
        /** After {@code =}: whitespace, then a token or a quoted string. */
        EXT_VALUE_START,
        /** A token extension value. */
        EXT_TOKEN,
        /** Inside a quoted extension value. */
        EXT_QUOTED,
        /** After a backslash inside a quoted value. */
        EXT_QUOTED_PAIR,
        /** Just after the closing quote of a value. */
        EXT_QUOTED_END,
        /** The LF of the chunk-size line's CRLF. */
        SIZE_LF,
        DATA,
        /** The CR after chunk data. */
        DATA_CR,
        /** The LF after chunk data. */
        DATA_LF,
        /** The start of a trailer line: a field name, or CR for the end of the trailer section. */
        TRAILER_START,
        TRAILER_NAME,
        TRAILER_VALUE,
        /** The LF ending a trailer field line. */
        TRAILER_LF,
        /** The LF ending the trailer section, and so the body. */
        END_LF,
        DONE
    }

    private final long maxBodyBytes;
    private final long maxMetadataBytes;
    private State state = State.SIZE;
    private long chunkRemaining;
    private long total;
    private long metadata;
    private int sizeDigits;

    /**
     * Creates a decoder.
     *
     * @param maxBodyBytes the largest decoded body accepted; beyond it, 413
     * @param maxMetadataBytes the most bytes the body's chunk extensions and trailer section may
     *     take together; beyond it, 431
     */
    public ChunkedBodyDecoder(long maxBodyBytes, long maxMetadataBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxMetadataBytes = maxMetadataBytes;
    }

    /** Whether the last chunk and the trailer section were read. */
    public boolean isDone() {
        return state == State.DONE;
    }

    /**
     * Decodes from {@code buf[start, end)}.
     *
     * @return how many bytes were consumed; less than offered only once {@link #isDone()}
     * @throws HttpError 400 on malformed framing, 413 when the body exceeds the limit, 431 when
     *     extensions and trailers exceed theirs
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
            case EXT_BWS, EXT_NAME_START, EXT_NAME, EXT_NAME_BWS, EXT_VALUE_START, EXT_TOKEN, EXT_QUOTED,
                    EXT_QUOTED_PAIR, EXT_QUOTED_END -> {
                countMetadata();
                extension(b);
            }
            case SIZE_LF -> {
                expect(b == '\n');
                endOfSizeLine();
            }
            case DATA_CR -> {
                expect(b == '\r');
                state = State.DATA_LF;
            }
            case DATA_LF -> {
                expect(b == '\n');
                state = State.SIZE;
            }
            case TRAILER_START, TRAILER_NAME, TRAILER_VALUE, TRAILER_LF, END_LF -> {
                countMetadata();
                trailer(b);
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
            case ';' -> state = State.EXT_NAME_START;
            case ' ', '\t' -> state = State.EXT_BWS;
            case '\r' -> state = State.SIZE_LF;
            default -> throw HttpError.badRequest("malformed chunk size");
        }
    }

    /** chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ). */
    private void extension(byte b) {
        state = switch (state) {
            case EXT_BWS -> b == ';' ? State.EXT_NAME_START : whitespace(b, State.EXT_BWS);
            case EXT_NAME_START -> RequestHeadParser.isTokenChar(b) ? State.EXT_NAME : whitespace(b, State.EXT_NAME_START);
            case EXT_NAME -> RequestHeadParser.isTokenChar(b) ? State.EXT_NAME : afterName(b);
            case EXT_NAME_BWS -> b == '=' ? State.EXT_VALUE_START
                    : b == ';' ? State.EXT_NAME_START : whitespace(b, State.EXT_NAME_BWS);
            case EXT_VALUE_START -> b == '"' ? State.EXT_QUOTED
                    : RequestHeadParser.isTokenChar(b) ? State.EXT_TOKEN : whitespace(b, State.EXT_VALUE_START);
            case EXT_TOKEN -> RequestHeadParser.isTokenChar(b) ? State.EXT_TOKEN : afterValue(b);
            case EXT_QUOTED -> b == '"' ? State.EXT_QUOTED_END : b == '\\' ? State.EXT_QUOTED_PAIR : quoted(b);
            case EXT_QUOTED_PAIR -> b == '\t' || b == ' ' || isVisible(b) ? State.EXT_QUOTED : malformedExtension();
            case EXT_QUOTED_END -> afterValue(b);
            default -> throw new IllegalStateException("decoder in state " + state);
        };
    }

    private static State afterName(byte b) {
        return switch (b) {
            case '=' -> State.EXT_VALUE_START;
            case ';' -> State.EXT_NAME_START;
            case ' ', '\t' -> State.EXT_NAME_BWS;
            case '\r' -> State.SIZE_LF;
            default -> malformedExtension();
        };
    }

    private static State afterValue(byte b) {
        return switch (b) {
            case ';' -> State.EXT_NAME_START;
            case ' ', '\t' -> State.EXT_BWS;
            case '\r' -> State.SIZE_LF;
            default -> malformedExtension();
        };
    }

    /** qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (the quote and backslash are handled before). */
    private static State quoted(byte b) {
        return b == '\t' || b == ' ' || isVisible(b) ? State.EXT_QUOTED : malformedExtension();
    }

    private static State whitespace(byte b, State stay) {
        return b == ' ' || b == '\t' ? stay : malformedExtension();
    }

    private static State malformedExtension() {
        throw HttpError.badRequest("malformed chunk extension");
    }

    /** trailer-section = *( field-line CRLF ) CRLF; field-line = field-name ":" OWS field-value OWS. */
    private void trailer(byte b) {
        state = switch (state) {
            case TRAILER_START -> b == '\r' ? State.END_LF
                    : RequestHeadParser.isTokenChar(b) ? State.TRAILER_NAME : malformedTrailer();
            case TRAILER_NAME -> b == ':' ? State.TRAILER_VALUE
                    : RequestHeadParser.isTokenChar(b) ? State.TRAILER_NAME : malformedTrailer();
            case TRAILER_VALUE -> b == '\r' ? State.TRAILER_LF
                    : b == ' ' || b == '\t' || isVisible(b) ? State.TRAILER_VALUE : malformedTrailer();
            case TRAILER_LF -> b == '\n' ? State.TRAILER_START : malformedTrailer();
            case END_LF -> b == '\n' ? State.DONE : malformedTrailer();
            default -> throw new IllegalStateException("decoder in state " + state);
        };
    }

    private static State malformedTrailer() {
        throw HttpError.badRequest("malformed trailer field");
    }

    /** VCHAR or obs-text: any byte but the controls (NUL, CR, LF...) and DEL. */
    private static boolean isVisible(byte b) {
        return b > ' ' && b != 0x7f || b < 0;
    }

    private void countMetadata() {
        if (++metadata > maxMetadataBytes) {
            throw new HttpError(431, "chunk extensions and trailer fields larger than " + maxMetadataBytes + " bytes");
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

    private static void expect(boolean wellFormed) {
        if (!wellFormed) {
            throw HttpError.badRequest("malformed chunk framing (every line must end with CRLF)");
        }
    }
}
