package dev.weft.samples.http;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental parser of HTTP/1.x request heads (RFC 9112): finds where a head ends in the bytes
 * received so far, then parses the request line and header fields in one pass.
 *
 * <p>Not thread-safe: one parser per connection. Call {@link #parse} with the unconsumed bytes
 * each time more arrive, after dropping the {@link #consumed()} bytes of the last call; it
 * remembers how far it already searched, so a head that trickles in byte by byte costs linear,
 * not quadratic, time. After a head is returned, the next call starts on the next request
 * (pipelining). Any {@link HttpError} is final for the connection.
 *
 * <p>Strictness, chosen against request smuggling: a bare CR (refused as soon as it is seen, not
 * when the head ends), whitespace before a colon, folded lines, a target that is neither a path
 * nor an absolute URI, a Content-Length that is not a plain decimal, conflicting Content-Lengths,
 * both Content-Length and Transfer-Encoding, a Transfer-Encoding whose last coding is not chunked
 * or that names chunked twice, or a missing Host in HTTP/1.1 are all 400. A bare LF is accepted as
 * a line end, as RFC 9112 allows. Empty lines before a request line are skipped (RFC 9112 section
 * 2.2) and consumed as they come, but count against the head limit, so a stream of line ends is
 * refused with 431 instead of being kept. Error texts never quote the client's field values.
 *
 * <p><b>Speed</b> (the parse was a quarter of the sample server's user time per request on the
 * plain-HTTP load; docs/performance.md, "A cheaper request path"). The bytes are copied once
 * into an array of the parser's own, a step at a time while the head's end is searched for;
 * the search reads that array eight bytes at a time and looks at single bytes only in a word
 * that holds a byte below 14 (CR, LF, or another control character); the request line and
 * fields are then read from the same array by plain loops over local indices, which the JIT
 * compiles without a bounds check or a memory-session check per byte. The few fields with
 * meaning to the server (Host, Content-Length, Transfer-Encoding, Connection) are recognised from
 * their bytes while they are read, so the checks after the read visit only those. A copy array
 * grown for a head over 2 KiB is dropped once that head is read.
 *
 * <p>Allocation: a connection's requests usually repeat most of their strings (field names, the
 * Host, short values, often the target), so the parser keeps the strings up to 64 bytes it made
 * recently in a small table (32 of them, at most 4 KiB with their bytes) and hands out the same
 * (immutable) String again when the bytes are equal, instead of copying them anew. A head whose
 * strings all repeat allocates its {@link RequestHead} and {@link Headers} only.
 */
public final class RequestHeadParser {
    /** Most header fields a request may carry before it is refused with 431. */
    public static final int MAX_FIELDS = 100;

    /** Eight bytes of an array as one long, for the search for a head's end. */
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Bytes searched for a head's end in the first step; each further step searches twice as many. */
    private static final int SEARCH_STEP = 256;
    private static final int RECENT_STRINGS = 32;
    /**
     * Strings longer than this are not kept among the recent ones: with the copy of their bytes,
     * the table then holds at most 32 * 2 * 64 bytes, whatever heads a client sends.
     */
    private static final int RECENT_STRING_MAX = 64;
    /**
     * A copy array grown past this for one large head is dropped once that head is read, so a
     * keep-alive connection does not hold up to the head limit for its whole life.
     */
    private static final int KEPT_COPY_BYTES = 2048;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private final int maxHeadBytes;
    /** Bytes of the current head already searched for its end without finding it. */
    private long searched;
    /** Bytes of empty lines dropped before the current head: they count against its limit. */
    private long blankBytes;
    private long consumed;
    /** Made when the first bytes arrive, so that a connection that never sends holds none of its arrays. */
    private HeadReader reader;

    /**
     * Creates a parser.
     *
     * @param maxHeadBytes the largest request head accepted, empty lines before it included; a
     *     longer one is refused with 431
     */
    public RequestHeadParser(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
    }

    /**
     * How many bytes at the start of the input the last {@link #parse} used up, which the caller
     * drops before the next call: the head with the empty lines before it when a head was
     * returned, else the empty lines skipped so far (so a client sending only line ends does not
     * make the caller keep and rescan them).
     */
    public int consumed() {
        return (int) consumed;
    }

    /**
     * Parses the head at the start of {@code buf[start, end)} if it is complete.
     *
     * @return the head, or null if more bytes are needed
     * @throws HttpError if the bytes cannot start a valid request, or the head is too large
     */
    public RequestHead parse(MemorySegment buf, long start, long end) {
        long from = skipBlankLines(buf, start, end);
        blankBytes += from - start;
        if (reader == null) {
            reader = new HeadReader();
        }
        long headEnd = reader.findHeadEnd(buf, from, searched, end);
        if (headEnd < 0) {
            searched = Math.max(0, end - from - 3);
            refuseIfLarger(end - from);
            consumed = from - start;
            return null;
        }
        refuseIfLarger(headEnd - from);
        searched = 0;
        blankBytes = 0;
        consumed = headEnd - start;
        RequestHead head = reader.read(buf, from, (int) (headEnd - from));
        reader.dropLargeCopy();
        return head;
    }

    private void refuseIfLarger(long headBytes) {
        if (blankBytes + headBytes > maxHeadBytes) {
            throw new HttpError(431, "request head larger than " + maxHeadBytes + " bytes");
        }
    }

    private static long skipBlankLines(MemorySegment buf, long start, long end) {
        long i = start;
        while (i < end) {
            byte b = buf.get(JAVA_BYTE, i);
            if (b == '\n') {
                i++;
            } else if (b == '\r' && i + 1 < end && buf.get(JAVA_BYTE, i + 1) == '\n') {
                i += 2;
            } else {
                break;
            }
        }
        return i;
    }

    /**
     * The offset just past the empty line that ends a head, searching {@code buf[from, end)}
     * byte by byte, or -1; refuses a bare CR. The slow path of {@link HeadReader#findHeadEnd}, for
     * bytes past the head limit (where a head can no longer be accepted, but a bare CR is still
     * told apart from an oversized head, as it always was).
     */
    private static long findHeadEndInSegment(MemorySegment buf, long from, long end) {
        for (long i = from; i < end; i++) {
            byte b = buf.get(JAVA_BYTE, i);
            if (b == '\r') {
                if (i + 1 < end && buf.get(JAVA_BYTE, i + 1) != '\n') {
                    throw HttpError.badRequest("bare CR in request head");
                }
                continue;
            }
            if (b != '\n') {
                continue;
            }
            if (i + 1 < end && buf.get(JAVA_BYTE, i + 1) == '\n') {
                return i + 2;
            }
            if (i + 2 < end && buf.get(JAVA_BYTE, i + 1) == '\r' && buf.get(JAVA_BYTE, i + 2) == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    /** Whether a byte of {@code word} is below 14 (a bit trick exact for bounds up to 128). */
    private static boolean hasByteBelow14(long word) {
        return ((word - 14 * ONES) & ~word & HIGH_BITS) != 0;
    }

    /** Field kinds the server gives meaning to, recognised while the fields are read. */
    private static final int HOST = 1;
    private static final int CONTENT_LENGTH = 2;
    private static final int TRANSFER_ENCODING = 3;
    private static final int CONNECTION = 4;

    /**
     * One pass over a complete head, copied into {@link #bytes}; one reader per parser, used
     * again for each head. Each loop works on locals ({@code b}, {@code p}, {@code end}) and
     * stores the position back once, so the JIT keeps them in registers and drops the array's
     * bounds checks.
     */
    private final class HeadReader {
        /**
         * The bytes of the head being searched for and read: {@code bytes[k]} is the caller's
         * byte {@code from + k} for {@code k} in {@code [copiedFrom, copiedTo)}, and in
         * {@code [0, end)} once a head is being read. Grown to the largest stretch searched, at
         * most the head limit and two bytes.
         */
        private byte[] bytes = new byte[0];
        private int copiedFrom;
        private int copiedTo;
        private int end;
        private int pos;
        /** The fields of the head being read, gathered before one exact-size copy goes into its Headers. */
        private String[] fields = new String[32];
        private int fieldCount;
        /** Strings made recently, by a hash of their bytes, and those bytes; see the class comment. */
        private final String[] recentStrings = new String[RECENT_STRINGS];
        private final byte[][] recentBytes = new byte[RECENT_STRINGS][];
        /**
         * The fields with a meaning to the server, in order: {@code 8 * index + kind} (kinds
         * above), so that the checks after the read visit only them.
         */
        private int[] meaningful = new int[4];
        private int meaningfulCount;

        /**
         * The offset just past the empty line that ends the head starting at {@code from}, or
         * -1, searching from {@code from + searched}; refuses a bare CR as soon as it is seen:
         * a head can never end after one, and waiting for an end that cannot come would only
         * turn a malformed request into a 408 later.
         *
         * <p>The bytes are copied into {@link #bytes} a step at a time (most heads end in the
         * first step, so a pipelined batch is not copied whole for each of its requests), and
         * searched there eight bytes at a time: a word none of whose bytes is below 14 holds no
         * CR (13) and no LF (10) and is skipped whole. Past the head limit the search goes on in
         * the caller's segment ({@link #findHeadEndInSegment}).
         */
        long findHeadEnd(MemorySegment buf, long from, long searched, long end) {
            long limit = Math.min(end, from + maxHeadBytes);
            int at = (int) Math.min(searched, limit - from);
            copiedFrom = at;
            copiedTo = at;
            int step = SEARCH_STEP;
            while (from + at < limit) {
                int stepEnd = (int) Math.min(limit - from, (long) at + step);
                // two bytes more than the step searches, if there are any: a line end's look-ahead
                int copyEnd = (int) Math.min(end - from, (long) stepEnd + 2);
                copyIn(buf, from, copyEnd);
                int found = searchCopied(at, stepEnd, copyEnd);
                if (found >= 0) {
                    return from + found;
                }
                at = stepEnd;
                step *= 2;
            }
            return limit < end ? findHeadEndInSegment(buf, limit, end) : -1;
        }

        /** Called once a head is read: nothing in {@link #bytes} is needed after it. */
        void dropLargeCopy() {
            if (bytes.length > KEPT_COPY_BYTES) {
                bytes = new byte[0];
            }
        }

        /** Extends the copied stretch to {@code bytes[copiedFrom, copyEnd)}. */
        private void copyIn(MemorySegment buf, long from, int copyEnd) {
            if (bytes.length < copyEnd) {
                bytes = Arrays.copyOf(bytes, Math.max(copyEnd, Math.min(2 * bytes.length, maxHeadBytes + 2)));
            }
            MemorySegment.copy(buf, JAVA_BYTE, from + copiedTo, bytes, copiedTo, copyEnd - copiedTo);
            copiedTo = copyEnd;
        }

        /**
         * The head's end in the copied bytes if it is at a position in {@code [from, to)}, else
         * -1; {@code end} is where the copied bytes end, for the look-ahead past a line end.
         */
        private int searchCopied(int from, int to, int end) {
            byte[] b = bytes;
            int i = from;
            while (to - i >= Long.BYTES) {
                if (!hasByteBelow14((long) WORDS.get(b, i))) {
                    i += Long.BYTES;
                    continue;
                }
                for (int stop = i + Long.BYTES; i < stop; i++) {
                    int headEnd = headEndAt(b, i, end);
                    if (headEnd >= 0) {
                        return headEnd;
                    }
                }
            }
            for (; i < to; i++) {
                int headEnd = headEndAt(b, i, end);
                if (headEnd >= 0) {
                    return headEnd;
                }
            }
            return -1;
        }

        /** The head's end if the empty line that ends it follows the LF at {@code i}, else -1; refuses a bare CR at {@code i}. */
        private static int headEndAt(byte[] b, int i, int end) {
            byte c = b[i];
            if (c == '\r') {
                if (i + 1 < end && b[i + 1] != '\n') {
                    throw HttpError.badRequest("bare CR in request head");
                }
                return -1;
            }
            if (c != '\n') {
                return -1;
            }
            if (i + 1 < end && b[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < end && b[i + 1] == '\r' && b[i + 2] == '\n') {
                return i + 3;
            }
            return -1;
        }

        /** Reads the head of {@code length} bytes whose end {@link #findHeadEnd} just found. */
        RequestHead read(MemorySegment buf, long from, int length) {
            if (copiedFrom > 0) { // the head came in several reads: its start was searched before
                MemorySegment.copy(buf, JAVA_BYTE, from, bytes, 0, copiedFrom);
            }
            this.end = length;
            this.pos = 0;
            try {
                String method = method();
                String target = target(method);
                int minor = version();
                while (!atLineEnd()) {
                    field();
                }
                return semantics(method, target, minor, Headers.copyOf(fields, fieldCount));
            } finally {
                Arrays.fill(fields, 0, 2 * fieldCount, null);
                fieldCount = 0;
                meaningfulCount = 0;
            }
        }

        /** The end of the token that starts at {@code start}: the first byte that is not a tchar. */
        private int tokenEnd(int start) {
            byte[] b = bytes;
            int end = this.end;
            int p = start;
            while (p < end && isTokenChar(b[p])) {
                p++;
            }
            return p;
        }

        private String method() {
            byte[] b = bytes;
            if (end > 4 && b[0] == 'G' && b[1] == 'E' && b[2] == 'T' && b[3] == ' ') {
                pos = 4;
                return "GET";
            }
            int tokenEnd = tokenEnd(0);
            if (tokenEnd == 0 || tokenEnd >= end || b[tokenEnd] != ' ') {
                throw HttpError.badRequest("malformed method");
            }
            pos = tokenEnd + 1;
            return string(0, tokenEnd);
        }

        /**
         * The request target in one of RFC 9112's four forms (section 3.2): origin-form
         * ({@code /path?query}), absolute-form ({@code http://host/path}, which a server must
         * accept), authority-form (CONNECT only) or asterisk-form (OPTIONS only).
         */
        private String target(String method) {
            byte[] b = bytes;
            int end = this.end;
            int start = pos;
            int p = start;
            while (p < end) {
                byte c = b[p];
                if (c == ' ') {
                    break;
                }
                if (c <= ' ' || c == 0x7f) { // signed: bytes from 0x80 are refused too
                    throw HttpError.badRequest("control character or bare line end in request target");
                }
                p++;
            }
            if (p == start || p >= end) {
                throw HttpError.badRequest("malformed request target");
            }
            String target = string(start, p - start);
            pos = p + 1;
            if (target.charAt(0) != '/' && !method.equals("CONNECT") && !RequestHead.isAbsoluteForm(target)
                    && !(target.equals("*") && method.equals("OPTIONS"))) {
                throw HttpError.badRequest("request target is neither a path nor an absolute URI");
            }
            return target;
        }

        private int version() {
            byte[] b = bytes;
            int p = pos;
            if (end - p < 8 || b[p] != 'H' || b[p + 1] != 'T' || b[p + 2] != 'T' || b[p + 3] != 'P'
                    || b[p + 4] != '/') {
                throw HttpError.badRequest("malformed HTTP version");
            }
            byte major = b[p + 5];
            byte dot = b[p + 6];
            byte minor = b[p + 7];
            if (!isDigit(major) || dot != '.' || !isDigit(minor)) {
                throw HttpError.badRequest("malformed HTTP version");
            }
            if (major != '1' || minor > '1') {
                throw new HttpError(505, "only HTTP/1.0 and HTTP/1.1 are supported");
            }
            pos = p + 8;
            lineEnd();
            return minor - '0';
        }

        private void field() {
            if (fieldCount == MAX_FIELDS) {
                throw new HttpError(431, "more than " + MAX_FIELDS + " header fields");
            }
            byte[] b = bytes;
            int end = this.end;
            int nameStart = pos;
            byte first = b[nameStart];
            if (first == ' ' || first == '\t') {
                throw HttpError.badRequest("obsolete line folding in header field");
            }
            int nameEnd = tokenEnd(nameStart);
            if (nameEnd == nameStart || nameEnd >= end || b[nameEnd] != ':') {
                throw HttpError.badRequest("malformed header field name (whitespace before the colon?)");
            }
            int p = nameEnd + 1;
            while (p < end && (b[p] == ' ' || b[p] == '\t')) {
                p++;
            }
            int valueStart = p;
            int valueEnd = p;
            while (p < end) {
                byte c = b[p];
                if (c == '\r' || c == '\n') {
                    break;
                }
                if ((c < ' ' && c != '\t') || c == 0x7f) { // signed: bytes from 0x80 are refused too
                    throw HttpError.badRequest("control character in header field value");
                }
                p++;
                if (c != ' ' && c != '\t') {
                    valueEnd = p;
                }
            }
            pos = p;
            int kind = kind(nameStart, nameEnd - nameStart);
            if (kind != 0) {
                if (meaningfulCount == meaningful.length) {
                    meaningful = Arrays.copyOf(meaningful, 2 * meaningful.length);
                }
                meaningful[meaningfulCount++] = 8 * fieldCount + kind;
            }
            if (2 * fieldCount == fields.length) {
                fields = Arrays.copyOf(fields, 2 * fields.length);
            }
            fields[2 * fieldCount] = string(nameStart, nameEnd - nameStart);
            fields[2 * fieldCount + 1] = string(valueStart, valueEnd - valueStart);
            fieldCount++;
            lineEnd();
        }

        /** Which of the meaningful fields the name at {@code bytes[start, start + length)} is, or 0. */
        private int kind(int start, int length) {
            return switch (length) {
                case 4 -> isNamed(start, "host") ? HOST : 0;
                case 10 -> isNamed(start, "connection") ? CONNECTION : 0;
                case 14 -> isNamed(start, "content-length") ? CONTENT_LENGTH : 0;
                case 17 -> isNamed(start, "transfer-encoding") ? TRANSFER_ENCODING : 0;
                default -> 0;
            };
        }

        /**
         * Whether the bytes at {@code start} spell {@code lowerName} in any case. The names hold
         * letters and '-' only; setting bit 0x20 lower-cases a letter and leaves '-' as it is, and
         * no other tchar becomes a letter or '-' that way.
         */
        private boolean isNamed(int start, String lowerName) {
            byte[] b = bytes;
            for (int i = 0; i < lowerName.length(); i++) {
                if ((b[start + i] | 0x20) != lowerName.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private boolean atLineEnd() {
            int p = pos;
            if (p >= end) {
                return true; // cannot happen: a complete head ends with an empty line
            }
            byte c = bytes[p];
            return c == '\n' || c == '\r';
        }

        private void lineEnd() {
            byte[] b = bytes;
            int p = pos;
            if (p < end && b[p] == '\n') {
                pos = p + 1;
            } else if (p + 1 < end && b[p] == '\r' && b[p + 1] == '\n') {
                pos = p + 2;
            } else {
                throw HttpError.badRequest("bare CR or junk where a line should end");
            }
        }

        /** The bytes as a Latin-1 string: a recent one with the same bytes, or a new one. */
        private String string(int start, int length) {
            byte[] b = bytes;
            int slot = length == 0 ? 0
                    : (length * 31 + b[start] * 7 + b[start + (length >> 1)] * 3 + b[start + length - 1])
                            & (RECENT_STRINGS - 1);
            byte[] recent = recentBytes[slot];
            if (recent != null && sameBytes(recent, start, length)) {
                return recentStrings[slot];
            }
            String made = new String(b, start, length, StandardCharsets.ISO_8859_1);
            if (length <= RECENT_STRING_MAX) {
                recentBytes[slot] = Arrays.copyOfRange(b, start, start + length);
                recentStrings[slot] = made;
            }
            return made;
        }

        /**
         * Whether {@code recent} holds the bytes at {@code bytes[start, start + length)}. A plain
         * loop: the strings are short, and {@code Arrays.equals} on a range pays for range checks
         * and a call into a vectorised stub before it compares a byte.
         */
        private boolean sameBytes(byte[] recent, int start, int length) {
            if (recent.length != length) {
                return false;
            }
            byte[] b = bytes;
            for (int i = 0; i < length; i++) {
                if (recent[i] != b[start + i]) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The request's meaning from its fields (framing, persistence, Host), checked in the
         * order the fields came, visiting only the fields that carry it.
         */
        private RequestHead semantics(String method, String target, int minor, Headers headers) {
            long contentLength = -1;
            int codings = 0;
            boolean chunked = false;
            boolean sawTransferEncoding = false;
            boolean close = false;
            boolean keepAliveToken = false;
            int hosts = 0;
            for (int i = 0; i < meaningfulCount; i++) {
                int index = meaningful[i] >>> 3;
                String value = headers.value(index);
                switch (meaningful[i] & 7) {
                    case CONTENT_LENGTH -> {
                        long parsed = parseContentLength(value);
                        if (contentLength >= 0 && contentLength != parsed) {
                            throw HttpError.badRequest("conflicting Content-Length fields");
                        }
                        contentLength = parsed;
                    }
                    case TRANSFER_ENCODING -> {
                        // Several Transfer-Encoding fields form one list (RFC 9110 section 5.3).
                        sawTransferEncoding = true;
                        for (String coding : value.split(",", -1)) {
                            String c = coding.strip();
                            if (c.isEmpty()) {
                                continue;
                            }
                            if (chunked) {
                                throw HttpError.badRequest("a transfer coding after chunked (request smuggling?)");
                            }
                            chunked = c.equalsIgnoreCase("chunked");
                            codings++;
                        }
                    }
                    case CONNECTION -> {
                        for (String option : value.split(",")) {
                            String o = option.strip();
                            close |= o.equalsIgnoreCase("close");
                            keepAliveToken |= o.equalsIgnoreCase("keep-alive");
                        }
                    }
                    default -> hosts++;
                }
            }
            if (sawTransferEncoding) {
                transferCodings(codings, chunked, contentLength, minor);
            }
            if (minor == 1 && hosts != 1) {
                throw HttpError.badRequest("an HTTP/1.1 request needs exactly one Host field, got " + hosts);
            }
            boolean keepAlive = minor == 1 ? !close : keepAliveToken && !close;
            return new RequestHead(method, target, minor, headers, keepAlive, contentLength, sawTransferEncoding);
        }
    }

    /**
     * Checks a request's transfer codings (RFC 9112 section 6): chunked must be the last one and
     * appear once, else the body's length cannot be known (400); other codings are not supported
     * (501). Error texts never quote the client's values back.
     */
    private static void transferCodings(int codings, boolean chunkedLast, long contentLength, int minor) {
        if (minor == 0) {
            throw HttpError.badRequest("Transfer-Encoding in an HTTP/1.0 request");
        }
        if (contentLength >= 0) {
            throw HttpError.badRequest("both Content-Length and Transfer-Encoding (request smuggling?)");
        }
        if (!chunkedLast) {
            throw HttpError.badRequest("Transfer-Encoding does not end with chunked: the body length is unknown");
        }
        if (codings > 1) {
            throw new HttpError(501, "transfer codings other than chunked are not supported");
        }
    }

    private static long parseContentLength(String value) {
        if (value.isEmpty() || value.length() > 18) {
            throw HttpError.badRequest("Content-Length is not a plain decimal number");
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw HttpError.badRequest("Content-Length is not a plain decimal number");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** RFC 9110 tchar. */
    static boolean isTokenChar(byte b) {
        return TOKEN_CHARS[b & 0xff];
    }

    /** RFC 9110's tchar set by byte value: one load per byte instead of a chain of comparisons. */
    private static final boolean[] TOKEN_CHARS = tokenChars();

    private static boolean[] tokenChars() {
        boolean[] table = new boolean[256];
        for (int c = 0; c < 128; c++) {
            table[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
        return table;
    }
}
