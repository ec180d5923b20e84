package dev.weft.samples.http;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
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
 * <p>Allocation: a connection's requests usually repeat most of their strings (field names, the
 * Host, the User-Agent, often the target), so the parser keeps the strings it made recently in a
 * small table and hands out the same (immutable) String again when the bytes are equal, instead
 * of copying them anew.
 */
public final class RequestHeadParser {
    /** Most header fields a request may carry before it is refused with 431. */
    public static final int MAX_FIELDS = 100;

    private final int maxHeadBytes;
    /** Bytes of the current head already searched for its end without finding it. */
    private long searched;
    /** Bytes of empty lines dropped before the current head: they count against its limit. */
    private long blankBytes;
    private long consumed;
    private final HeadReader reader = new HeadReader();
    /** Strings made recently, by a hash of their bytes; see the class comment. */
    private final String[] recentStrings = new String[RECENT_STRINGS];
    private static final int RECENT_STRINGS = 32;

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
        long headEnd = findHeadEnd(buf, from + searched, end);
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
        return reader.read(buf, from, headEnd);
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
     * The offset just past the empty line that ends a head, or -1. A CR that is not followed by
     * LF is refused here, as soon as it is seen: a head can never end after one, and waiting for
     * an end that cannot come would only turn a malformed request into a 408 later.
     */
    private static long findHeadEnd(MemorySegment buf, long from, long end) {
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

    /** One pass over a complete head; one reader per parser, used again for each head. */
    private final class HeadReader {
        private MemorySegment buf;
        private long end;
        private long pos;
        /** The fields of the head being read, gathered before one exact-size copy goes into its Headers. */
        private String[] fields = new String[32];
        private int fieldCount;

        RequestHead read(MemorySegment buf, long start, long end) {
            this.buf = buf;
            this.pos = start;
            this.end = end;
            try {
                String method = method(token(' ', "method"));
                String target = target(method);
                int minor = version();
                while (!atLineEnd()) {
                    field();
                }
                return semantics(method, target, minor, Headers.copyOf(fields, fieldCount));
            } finally {
                this.buf = null; // the caller's buffer is only lent
                Arrays.fill(fields, 0, 2 * fieldCount, null);
                fieldCount = 0;
            }
        }

        private long token(char terminator, String what) {
            long start = pos;
            while (pos < end && isTokenChar(buf.get(JAVA_BYTE, pos))) {
                pos++;
            }
            if (pos == start || pos >= end || buf.get(JAVA_BYTE, pos) != terminator) {
                throw HttpError.badRequest("malformed " + what);
            }
            return start;
        }

        private String method(long start) {
            int length = (int) (pos - start);
            pos++;
            if (length == 3 && buf.get(JAVA_BYTE, start) == 'G' && buf.get(JAVA_BYTE, start + 1) == 'E'
                    && buf.get(JAVA_BYTE, start + 2) == 'T') {
                return "GET";
            }
            return string(start, length);
        }

        /**
         * The request target in one of RFC 9112's four forms (section 3.2): origin-form
         * ({@code /path?query}), absolute-form ({@code http://host/path}, which a server must
         * accept), authority-form (CONNECT only) or asterisk-form (OPTIONS only).
         */
        private String target(String method) {
            long start = pos;
            while (pos < end) {
                byte b = buf.get(JAVA_BYTE, pos);
                if (b == ' ') {
                    break;
                }
                if (b <= ' ' || b == 0x7f) {
                    throw HttpError.badRequest("control character or bare line end in request target");
                }
                pos++;
            }
            if (pos == start || pos >= end) {
                throw HttpError.badRequest("malformed request target");
            }
            String target = string(start, (int) (pos - start));
            pos++;
            if (target.charAt(0) != '/' && !method.equals("CONNECT") && !RequestHead.isAbsoluteForm(target)
                    && !(target.equals("*") && method.equals("OPTIONS"))) {
                throw HttpError.badRequest("request target is neither a path nor an absolute URI");
            }
            return target;
        }

        private int version() {
            if (end - pos < 8 || !matches("HTTP/")) {
                throw HttpError.badRequest("malformed HTTP version");
            }
            byte major = buf.get(JAVA_BYTE, pos + 5);
            byte dot = buf.get(JAVA_BYTE, pos + 6);
            byte minor = buf.get(JAVA_BYTE, pos + 7);
            if (!isDigit(major) || dot != '.' || !isDigit(minor)) {
                throw HttpError.badRequest("malformed HTTP version");
            }
            if (major != '1' || minor > '1') {
                throw new HttpError(505, "only HTTP/1.0 and HTTP/1.1 are supported");
            }
            pos += 8;
            lineEnd();
            return minor - '0';
        }

        private void field() {
            if (fieldCount == MAX_FIELDS) {
                throw new HttpError(431, "more than " + MAX_FIELDS + " header fields");
            }
            byte first = buf.get(JAVA_BYTE, pos);
            if (first == ' ' || first == '\t') {
                throw HttpError.badRequest("obsolete line folding in header field");
            }
            long nameStart = token(':', "header field name (whitespace before the colon?)");
            String name = string(nameStart, (int) (pos - nameStart));
            pos++;
            skipWhitespace();
            long valueStart = pos;
            long valueEnd = pos;
            while (pos < end) {
                byte b = buf.get(JAVA_BYTE, pos);
                if (b == '\r' || b == '\n') {
                    break;
                }
                if ((b < ' ' && b != '\t') || b == 0x7f) {
                    throw HttpError.badRequest("control character in header field value");
                }
                pos++;
                if (b != ' ' && b != '\t') {
                    valueEnd = pos;
                }
            }
            if (2 * fieldCount == fields.length) {
                fields = Arrays.copyOf(fields, 2 * fields.length);
            }
            fields[2 * fieldCount] = name;
            fields[2 * fieldCount + 1] = string(valueStart, (int) (valueEnd - valueStart));
            fieldCount++;
            lineEnd();
        }

        private boolean atLineEnd() {
            byte b = buf.get(JAVA_BYTE, pos);
            return b == '\n' || b == '\r';
        }

        private void lineEnd() {
            if (pos < end && buf.get(JAVA_BYTE, pos) == '\n') {
                pos++;
            } else if (pos + 1 < end && buf.get(JAVA_BYTE, pos) == '\r' && buf.get(JAVA_BYTE, pos + 1) == '\n') {
                pos += 2;
            } else {
                throw HttpError.badRequest("bare CR or junk where a line should end");
            }
        }

        private void skipWhitespace() {
            while (pos < end && (buf.get(JAVA_BYTE, pos) == ' ' || buf.get(JAVA_BYTE, pos) == '\t')) {
                pos++;
            }
        }

        private boolean matches(String ascii) {
            for (int i = 0; i < ascii.length(); i++) {
                if (buf.get(JAVA_BYTE, pos + i) != ascii.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** The bytes as a Latin-1 string: a recent one with the same bytes, or a new one. */
        private String string(long start, int length) {
            int slot = length == 0 ? 0 : (length * 31 + buf.get(JAVA_BYTE, start) * 7
                    + buf.get(JAVA_BYTE, start + length - 1)) & (RECENT_STRINGS - 1);
            String recent = recentStrings[slot];
            if (recent != null && sameBytes(recent, start, length)) {
                return recent;
            }
            byte[] bytes = new byte[length];
            MemorySegment.copy(buf, JAVA_BYTE, start, bytes, 0, length);
            String made = new String(bytes, StandardCharsets.ISO_8859_1);
            recentStrings[slot] = made;
            return made;
        }

        private boolean sameBytes(String text, long start, int length) {
            if (text.length() != length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (text.charAt(i) != (buf.get(JAVA_BYTE, start + i) & 0xff)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static RequestHead semantics(String method, String target, int minor, Headers headers) {
        long contentLength = -1;
        int codings = 0;
        boolean chunked = false;
        boolean sawTransferEncoding = false;
        boolean close = false;
        boolean keepAliveToken = false;
        int hosts = 0;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            String value = headers.value(i);
            if (name.equalsIgnoreCase("content-length")) {
                long parsed = parseContentLength(value);
                if (contentLength >= 0 && contentLength != parsed) {
                    throw HttpError.badRequest("conflicting Content-Length fields");
                }
                contentLength = parsed;
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
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
            } else if (name.equalsIgnoreCase("connection")) {
                for (String option : value.split(",")) {
                    String o = option.strip();
                    close |= o.equalsIgnoreCase("close");
                    keepAliveToken |= o.equalsIgnoreCase("keep-alive");
                }
            } else if (name.equalsIgnoreCase("host")) {
                hosts++;
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
        if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || isDigit(b)) {
            return true;
        }
        return switch (b) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }
}
