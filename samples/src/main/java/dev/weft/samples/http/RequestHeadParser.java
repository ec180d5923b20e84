package dev.weft.samples.http;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental parser of HTTP/1.x request heads (RFC 9112): reads the request line and header
 * fields of a head once all of it has come, in one pass when it came at once.
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
 * refused with 431 instead of being kept. A head whose end is not within the limit is 431, whatever
 * the bytes past the limit hold. Error texts never quote the client's field values.
 *
 * <p><b>Speed</b> (the parse is a large part of the sample server's user time per request on the
 * plain-HTTP load; docs/performance.md, "A cheaper request path" and "The request path without
 * sockets"). The bytes are copied once into an array of the parser's own. A head that came whole
 * (the common case) is read in one pass, the read itself finding the empty line that ends it;
 * only when that first look runs out of bytes (or finds anything to refuse) does the parser fall
 * back to searching for the head's end, a step at a time as more bytes come, and read it once it
 * is complete, which then decides. The search computes, per 64-bit word, which bytes are CR or LF
 * (exactly, with a carry-free bit trick) and looks only at those; the read compares {@code GET }
 * and {@code HTTP/1.1} as one int and one long, skips a word of a target or field value at a time
 * while it holds only visible ASCII, and recognises the few fields with meaning to the server
 * (Host, Content-Length, Transfer-Encoding, Connection) by comparing their names a word at a time,
 * so the checks after the read visit only those. The remaining per-byte loops (field names
 * against the tchar table, the bytes around a line end) run on locals over the array, which the
 * JIT compiles without a bounds check or a memory-session check per byte. A copy array grown for
 * a head over 2 KiB is dropped once that head is read.
 *
 * <p>Allocation: what the handler receives, and often not even that. Field names and values stay
 * bytes until asked for: {@link Headers} keeps the field lines as one array with their offsets and
 * makes a String only when one is asked for. The method and target, which every handler reads,
 * are Strings at once; a connection's requests usually repeat them, so the parser keeps the
 * strings up to 64 bytes it made recently in a small table (32 of them, at most 4 KiB with their
 * bytes) and hands out the same (immutable) String again when the bytes are equal. The values it
 * returns are immutable too, so a head whose field lines are byte for byte the previous head's
 * gets the previous {@link Headers} again, and a head equal to the previous one in method, target,
 * version and fields is the previous {@link RequestHead} itself: a connection repeating one
 * request (a poller, a load generator, a health check) costs no allocation per head at all.
 */
public final class RequestHeadParser {
    /** Most header fields a request may carry before it is refused with 431. */
    public static final int MAX_FIELDS = 100;

    /** Eight bytes of an array as one long, little-endian: byte {@code i + k} is bits {@code 8k..8k+7}. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Four bytes of an array as one int, little-endian. */
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
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
    private static final long LOW_SEVEN_BITS = 0x7f7f7f7f7f7f7f7fL;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long CRS = '\r' * ONES;
    private static final long LFS = '\n' * ONES;
    /** {@code GET } as a little-endian int load of its four bytes reads it. */
    private static final int GET_SP = 'G' | 'E' << 8 | 'T' << 16 | ' ' << 24;
    private static final long HTTP_1_1 = littleEndian("HTTP/1.1");
    private static final long HTTP_1_0 = littleEndian("HTTP/1.0");

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
        RequestHead head = searched == 0 ? reader.readIfComplete(buf, from, end) : null;
        if (head == null) {
            long headEnd = reader.findHeadEnd(buf, from, searched, end);
            if (headEnd < 0) {
                searched = Math.max(0, end - from - 3);
                refuseIfLarger(end - from);
                consumed = from - start;
                return null;
            }
            refuseIfLarger(headEnd - from);
            head = reader.read(buf, from, (int) (headEnd - from));
        } else {
            refuseIfLarger(reader.headLength());
        }
        searched = 0;
        blankBytes = 0;
        consumed = from + reader.headLength() - start;
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
     * The high bit (0x80) of each byte of {@code word} that equals the byte repeated in {@code
     * pattern}, and no other bit. Exact: adding 0x7f to each byte's low seven bits cannot carry
     * into the next byte, so a match never marks its neighbour (the classic "has zero byte" test
     * subtracts instead and may mark the byte above a match).
     */
    private static long bytesEqual(long word, long pattern) {
        long x = word ^ pattern;
        return ~(((x & LOW_SEVEN_BITS) + LOW_SEVEN_BITS) | x) & HIGH_BITS;
    }

    /**
     * Whether a byte of {@code word} is below 0x20 or above 0x7e, that is not visible ASCII or a
     * space (a control, DEL, or a byte from 0x80). Exact as a yes/no: the subtraction borrows out
     * of a byte only when that byte is itself below 0x20, and the addition carries out of a byte
     * only when that byte is 0xff, whose own high bit already answers yes.
     */
    private static boolean hasNonPrintable(long word) {
        return ((((word - 0x20 * ONES) & ~word) | (word + ONES) | word) & HIGH_BITS) != 0;
    }

    /** Whether a byte of {@code word} is a space or not visible ASCII (a control, DEL, or from 0x80). */
    private static boolean hasSpaceOrNonPrintable(long word) {
        return ((((word - 0x21 * ONES) & ~word) | (word + ONES) | word) & HIGH_BITS) != 0;
    }

    /** The eight ASCII characters of {@code s} as a little-endian long load reads them. */
    private static long littleEndian(String s) {
        long word = 0;
        for (int i = 7; i >= 0; i--) {
            word = word << 8 | s.charAt(i);
        }
        return word;
    }

    // Lower-case pieces of the meaningful names as little-endian loads read them (see HeadReader.lowered8).
    private static final int LOWER_HOST = (int) littleEndian("host\0\0\0\0");
    private static final long LOWER_CONNECTI = littleEndian("connecti");
    private static final int LOWER_TION = (int) littleEndian("tion\0\0\0\0");
    private static final long LOWER_CONTENT_ = littleEndian("content-");
    private static final long LOWER_T_LENGTH = littleEndian("t-length");
    private static final long LOWER_TRANSFER = littleEndian("transfer");
    private static final long LOWER__ENCODIN = littleEndian("-encodin");

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
        /** The length of the last head read, to size the first look at the next one. */
        private int lastLength;
        /**
         * Where the fields of the head being read are, relative to {@link #fieldsStart}, four
         * offsets each as {@link Headers} keeps them; one exact-size copy goes into its Headers.
         */
        private int[] fieldOffsets = new int[32];
        private int fieldCount;
        /** Where the first field line of the head being read starts in {@link #bytes}. */
        private int fieldsStart;
        /** Strings made recently, by a hash of their bytes, and those bytes; see the class comment. */
        private final String[] recentStrings = new String[RECENT_STRINGS];
        private final byte[][] recentBytes = new byte[RECENT_STRINGS][];
        /**
         * The fields with a meaning to the server, in order: {@code 8 * index + kind} (kinds
         * above), so that the checks after the read visit only them.
         */
        private int[] meaningful = new int[4];
        private int meaningfulCount;
        /** The last head returned, handed out again for a head equal to it; see the class comment. */
        private RequestHead lastHead;

        /**
         * The offset just past the empty line that ends the head starting at {@code from}, or
         * -1, searching from {@code from + searched} up to the head limit; refuses a bare CR as
         * soon as it is seen: a head can never end after one, and waiting for an end that cannot
         * come would only turn a malformed request into a 408 later.
         *
         * <p>The bytes are copied into {@link #bytes} a step at a time (most heads end in the
         * first step, so a pipelined batch is not copied whole for each of its requests), and
         * searched there eight bytes at a time (see {@link #searchCopied}). Bytes past the limit
         * are not looked at: a head that has not ended by then is refused whatever they hold.
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
            return -1;
        }

        /**
         * The head at {@code from} if the first bytes (a search step, or twice the last head's
         * length if more) hold all of it, else null: the common case (a head that came in one
         * read) read in one pass, without a search for its end first; a pipelined batch is not
         * copied whole for each of its requests. Any doubt (the bytes run out, or anything the
         * read refuses) is left to the search and the read after it, so this pass only ever
         * returns what they would: the read accepts a head only up to the empty line that ends
         * it, and finds that line exactly where {@link #headEndAt} does, as both refuse a bare CR
         * and every other line end ends a line. A head that comes in pieces pays for one refused
         * look (an HttpError made and caught) on its first piece only.
         */
        RequestHead readIfComplete(MemorySegment buf, long from, long end) {
            // a connection's heads tend to be alike: room for twice the last one, at least a step
            int window = Math.min(Math.max(SEARCH_STEP, 2 * lastLength), maxHeadBytes) + 2;
            int available = (int) Math.min(end - from, window);
            if (available <= 0) {
                return null;
            }
            copiedFrom = 0;
            copiedTo = 0;
            copyIn(buf, from, available);
            try {
                return read(buf, from, available);
            } catch (HttpError incompleteOrRefused) { // the search and the read after it decide which
                return null;
            }
        }

        /** The length of the head {@link #read} read last, up to the end of its empty line. */
        int headLength() {
            return pos;
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
         * -1; {@code end} is where the copied bytes end, for the look-ahead past a line end. Eight
         * bytes at a time: only the CRs and LFs of a word are looked at, one by one.
         */
        private int searchCopied(int from, int to, int end) {
            byte[] b = bytes;
            int i = from;
            for (; to - i >= Long.BYTES; i += Long.BYTES) {
                long word = (long) LONGS.get(b, i);
                for (long ends = bytesEqual(word, CRS) | bytesEqual(word, LFS); ends != 0; ends &= ends - 1) {
                    int headEnd = headEndAt(b, i + (Long.numberOfTrailingZeros(ends) >>> 3), end);
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

        /**
         * Where a head ends, the one definition of it: the head's end if the empty line that ends
         * it follows the LF at {@code i}, else -1; refuses a bare CR at {@code i}.
         */
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

        /**
         * Reads the head at the start of the {@code length} copied bytes, up to the empty line
         * that ends it; refuses the bytes if that line is not among them.
         */
        RequestHead read(MemorySegment buf, long from, int length) {
            if (copiedFrom > 0) { // the head came in several reads: its start was searched before
                MemorySegment.copy(buf, JAVA_BYTE, from, bytes, 0, copiedFrom);
            }
            this.end = length;
            this.pos = 0;
            fieldCount = 0;
            meaningfulCount = 0;
            String method = method();
            String target = target(method);
            int minor = version();
            fieldsStart = pos;
            int fieldsEnd = pos;
            while (!atLineEnd()) {
                field();
                fieldsEnd = pos;
            }
            lineEnd(); // the empty line
            lastLength = pos;
            RequestHead last = lastHead;
            boolean sameFields = last != null && last.headers().readFrom(bytes, fieldsStart, fieldsEnd);
            if (sameFields && last.method() == method && last.target() == target && last.minorVersion() == minor) {
                return last; // equal in everything its meaning is read from, and checked then
            }
            Headers headers = sameFields ? last.headers()
                    : fieldCount == 0 ? Headers.none()
                    : new Headers(Arrays.copyOfRange(bytes, fieldsStart, fieldsEnd),
                            Arrays.copyOf(fieldOffsets, 4 * fieldCount), fieldCount);
            RequestHead head = semantics(method, target, minor, headers);
            // a large head is not kept for the connection's life, as the copy array is not
            lastHead = length <= KEPT_COPY_BYTES ? head : null;
            return head;
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
            if (end > 4 && (int) INTS.get(b, 0) == GET_SP) {
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
            while (end - p >= Long.BYTES && !hasSpaceOrNonPrintable((long) LONGS.get(b, p))) {
                p += Long.BYTES;
            }
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
            if (b[start] != '/' && !method.equals("CONNECT") && !RequestHead.isAbsoluteForm(target)
                    && !(target.equals("*") && method.equals("OPTIONS"))) {
                throw HttpError.badRequest("request target is neither a path nor an absolute URI");
            }
            return target;
        }

        private int version() {
            byte[] b = bytes;
            int p = pos;
            if (end - p < 8) {
                throw HttpError.badRequest("malformed HTTP version");
            }
            long word = (long) LONGS.get(b, p);
            int minor = word == HTTP_1_1 ? 1 : word == HTTP_1_0 ? 0 : otherVersion(p);
            pos = p + 8;
            lineEnd();
            return minor;
        }

        /** Refuses the version at {@code p}, which is neither HTTP/1.1 nor HTTP/1.0, with 400 or 505. */
        private int otherVersion(int p) {
            byte[] b = bytes;
            if (b[p] != 'H' || b[p + 1] != 'T' || b[p + 2] != 'T' || b[p + 3] != 'P' || b[p + 4] != '/'
                    || !isDigit(b[p + 5]) || b[p + 6] != '.' || !isDigit(b[p + 7])) {
                throw HttpError.badRequest("malformed HTTP version");
            }
            throw new HttpError(505, "only HTTP/1.0 and HTTP/1.1 are supported");
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
            p = valueEnd(p);
            int valueEnd = p;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            pos = p;
            int kind = kind(nameStart, nameEnd - nameStart);
            if (kind != 0) {
                if (meaningfulCount == meaningful.length) {
                    meaningful = Arrays.copyOf(meaningful, 2 * meaningful.length);
                }
                meaningful[meaningfulCount++] = 8 * fieldCount + kind;
            }
            if (4 * fieldCount == fieldOffsets.length) {
                fieldOffsets = Arrays.copyOf(fieldOffsets, 2 * fieldOffsets.length);
            }
            int[] offsets = fieldOffsets;
            int at = 4 * fieldCount;
            int base = fieldsStart;
            offsets[at] = nameStart - base;
            offsets[at + 1] = nameEnd - base;
            offsets[at + 2] = valueStart - base;
            offsets[at + 3] = valueEnd - base;
            fieldCount++;
            lineEnd();
        }

        /**
         * Where the field value starting at {@code start} ends: its line end (CR or LF). Skips
         * eight bytes at a time while they are visible ASCII or spaces; refuses a control
         * character other than a tab, DEL, and bytes from 0x80.
         */
        private int valueEnd(int start) {
            byte[] b = bytes;
            int end = this.end;
            int p = start;
            while (end - p >= Long.BYTES && !hasNonPrintable((long) LONGS.get(b, p))) {
                p += Long.BYTES;
            }
            while (p < end) {
                byte c = b[p];
                if (c == '\r' || c == '\n') {
                    break;
                }
                if ((c < ' ' && c != '\t') || c == 0x7f) { // signed: bytes from 0x80 are refused too
                    throw HttpError.badRequest("control character in header field value");
                }
                p++;
            }
            return p;
        }

        /** Which of the meaningful fields the name at {@code bytes[start, start + length)} is, or 0. */
        private int kind(int start, int length) {
            return switch (length) {
                case 4 -> lowered4(start) == LOWER_HOST ? HOST : 0;
                case 10 -> lowered8(start) == LOWER_CONNECTI && lowered4(start + 6) == LOWER_TION ? CONNECTION : 0;
                case 14 -> lowered8(start) == LOWER_CONTENT_ && lowered8(start + 6) == LOWER_T_LENGTH
                        ? CONTENT_LENGTH : 0;
                case 17 -> lowered8(start) == LOWER_TRANSFER && lowered8(start + 8) == LOWER__ENCODIN
                        && (bytes[start + 16] | 0x20) == 'g' ? TRANSFER_ENCODING : 0;
                default -> 0;
            };
        }

        /**
         * The eight bytes at {@code start} with bit 0x20 set in each, as a little-endian long:
         * compared with a lower-case name's bytes, it matches that name in any case. The names
         * hold letters and '-' only; setting bit 0x20 lower-cases a letter and leaves '-' as it
         * is, and no other tchar becomes a letter or '-' that way.
         */
        private long lowered8(int start) {
            return (long) LONGS.get(bytes, start) | 0x20 * ONES;
        }

        /** The four bytes at {@code start} with bit 0x20 set in each, as {@link #lowered8} does for eight. */
        private int lowered4(int start) {
            return (int) INTS.get(bytes, start) | 0x20202020;
        }

        /** Whether a line end starts at the position; true past the bytes, so that {@link #lineEnd} refuses it. */
        private boolean atLineEnd() {
            int p = pos;
            if (p >= end) {
                return true;
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
         * Whether {@code recent} holds the bytes at {@code bytes[start, start + length)}, eight at
         * a time. Not {@code Arrays.equals} on a range: the strings are short, and it pays for
         * range checks and a call into a vectorised stub before it compares a byte.
         */
        private boolean sameBytes(byte[] recent, int start, int length) {
            if (recent.length != length) {
                return false;
            }
            byte[] b = bytes;
            int i = 0;
            for (; length - i >= Long.BYTES; i += Long.BYTES) {
                if ((long) LONGS.get(recent, i) != (long) LONGS.get(b, start + i)) {
                    return false;
                }
            }
            for (; i < length; i++) {
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
                int index = meaningful[i] >>> 3; // Host's value is not needed: it stays bytes
                switch (meaningful[i] & 7) {
                    case CONTENT_LENGTH -> {
                        long parsed = parseContentLength(headers.value(index));
                        if (contentLength >= 0 && contentLength != parsed) {
                            throw HttpError.badRequest("conflicting Content-Length fields");
                        }
                        contentLength = parsed;
                    }
                    case TRANSFER_ENCODING -> {
                        // Several Transfer-Encoding fields form one list (RFC 9110 section 5.3).
                        sawTransferEncoding = true;
                        for (String coding : headers.value(index).split(",", -1)) {
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
                        for (String option : headers.value(index).split(",")) {
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
