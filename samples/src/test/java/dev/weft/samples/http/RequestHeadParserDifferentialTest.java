package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded randomized differential test of {@link RequestHeadParser} (decision 002): many generated
 * heads, valid and broken, are given to the parser whole and in random pieces, and to a plain
 * reference parse written here from RFC 9112's rules as this server applies them (string
 * operations, line by line, no speed tricks). Both must agree on every input: the same status
 * for a refusal, no head while the head is incomplete, and otherwise the same head field by
 * field and the same number of bytes consumed.
 */
class RequestHeadParserDifferentialTest {
    private static final int MAX_HEAD_BYTES = 8192;
    private static final int TRIALS = 30_000;

    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "HEAD", "PUT", "OPTIONS", "CONNECT",
        "DELETE", "get", "G T", "", "GE\u0000T", "PATCH", "X-CUSTOM!"};
    private static final String[] TARGETS = {"/", "/plaintext", "/plaintext", "/a?b=c", "/a/very/long/path/to/x?q=1",
        "http://example.com/x", "https://example.com", "h.example:443", "*", "rel", "/sp ace", "/\u0080",
        "/\u007f", "", "/tab\tbed", "HTTP://E.com/", "1http://x/"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0",
        "http/1.1", "HTTP/1.", "HTTP/1.1 ", "HTTP/0.9", "HTTP/1.x", "HTTP/1.12", "HTTP/3.1"};
    private static final String[] LINE_ENDS = {"\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r\n", " \r\n"};
    private static final String[] NAMES = {"Host", "Host", "host", "HOST", "Content-Length", "content-length",
        "Transfer-Encoding", "TRANSFER-ENCODING", "Connection", "connection", "X-Thing", "Accept", "Bad Name", "",
        "X:Y", "Hos", "Hostt", "Content-Lengths", "Content_Length", "Transfer-Encodinx", "Connectio\u00e9",
        "User-Agent", " Folded", "\tTabbed"};
    private static final String[] VALUES = {"a", "127.0.0.1:8080", "  spaced  out  ", "12", "0", "+5", "-1", "1 2",
        "123456789012345678", "1234567890123456789", "chunked", "Chunked", "gzip, chunked", "chunked, chunked",
        "chunked, gzip", " , chunked", "gzip", "", "close", "keep-alive", "Keep-Alive, close", "upgrade",
        "\u0001", "a\u001fb", "\u000b", "a\u007fb", "abcdefg\u001f-spans-a-word", "caf\u00e9", "\ttab\t", "x\ry", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"};
    private static final byte[] NOISE = "\r\n :\t\u0000\u007f\u00ffa/H1.,".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void theParserAgreesWithAPlainReferenceOnEveryGeneratedHead() {
        Random random = new Random(20261205);
        int accepted = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            byte[] input = generate(random);
            String shown = new String(input, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
            Outcome expected = reference(input);
            assertEquals(expected, parseWhole(input), () -> "whole: " + shown);
            assertEquals(expected, parseInPieces(input, new Random(trial)), () -> "in pieces: " + shown);
            if (expected.status() == 0) {
                accepted++;
            }
        }
        // the generator must exercise both sides, or the agreement says little
        assertTrue(accepted > TRIALS / 5 && accepted < TRIALS * 4 / 5, "accepted " + accepted + " of " + TRIALS);
    }

    @Test
    void oneParserAgreesWithTheReferenceOnHeadAfterHead() {
        Random random = new Random(5);
        RequestHeadParser parser = new RequestHeadParser(MAX_HEAD_BYTES);
        for (int trial = 0; trial < 5_000; trial++) {
            byte[] input = generate(random);
            Outcome expected = reference(input);
            if (expected.status() != 0) {
                continue; // a refusal is final for a connection: only accepted heads follow each other
            }
            MemorySegment buf = MemorySegment.ofArray(input);
            assertEquals(expected, outcome(parser.parse(buf, 0, input.length), parser.consumed()));
        }
    }

    /** Outcome of a parse: status 0 with the head, -1 while incomplete, else the refusal's status. */
    record Outcome(int status, String head, int consumed) {
        static Outcome refused(int status) {
            return new Outcome(status, "", 0);
        }

        static final Outcome INCOMPLETE = new Outcome(-1, "", 0);
    }

    private static Outcome parseWhole(byte[] input) {
        RequestHeadParser parser = new RequestHeadParser(MAX_HEAD_BYTES);
        try {
            RequestHead head = parser.parse(MemorySegment.ofArray(input), 0, input.length);
            return outcome(head, parser.consumed());
        } catch (HttpError refused) {
            return Outcome.refused(refused.status());
        }
    }

    /** As a connection feeds it: reads of random sizes, the consumed bytes dropped after each call. */
    private static Outcome parseInPieces(byte[] input, Random random) {
        RequestHeadParser parser = new RequestHeadParser(MAX_HEAD_BYTES);
        MemorySegment buf = MemorySegment.ofArray(input);
        int start = 0;
        int end = 0;
        try {
            while (end < input.length) {
                end = Math.min(input.length, end + 1 + random.nextInt(40));
                RequestHead head = parser.parse(buf, start, end);
                if (head != null) {
                    return outcome(head, start + parser.consumed());
                }
                start += parser.consumed();
            }
            return Outcome.INCOMPLETE;
        } catch (HttpError refused) {
            return Outcome.refused(refused.status());
        }
    }

    private static Outcome outcome(RequestHead head, int consumed) {
        if (head == null) {
            return Outcome.INCOMPLETE;
        }
        Headers headers = head.headers();
        List<String[]> fields = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            fields.add(new String[] {headers.name(i), headers.value(i)});
        }
        StringBuilder lookups = new StringBuilder();
        for (String[] field : fields) {
            lookups.append(field[0].toUpperCase(Locale.ROOT)).append('=').append(headers.get(field[0].toUpperCase(Locale.ROOT))).append(';');
        }
        return new Outcome(0, describe(head.method(), head.target(), head.minorVersion(), fields, lookups.toString(),
                head.keepAlive(), head.contentLength(), head.chunked()), consumed);
    }

    private static String describe(String method, String target, int minor, List<String[]> fields, String lookups,
            boolean keepAlive, long contentLength, boolean chunked) {
        StringBuilder s = new StringBuilder(method).append(' ').append(target).append(" 1.").append(minor);
        for (String[] field : fields) {
            s.append(" [").append(field[0]).append(": ").append(field[1]).append(']');
        }
        return s.append(" get ").append(lookups).append(" keepAlive=").append(keepAlive)
                .append(" length=").append(contentLength).append(" chunked=").append(chunked).toString();
    }

    // ---- the generator ----

    private static byte[] generate(Random random) {
        return random.nextBoolean() ? wild(random) : likelyValid(random);
    }

    /** A head that is valid unless its one optional flaw (a field or a byte changed) breaks it. */
    private static byte[] likelyValid(Random random) {
        boolean http11 = random.nextInt(4) != 0;
        StringBuilder head = new StringBuilder(pick(random, new String[] {"GET", "POST", "HEAD", "DELETE"}))
                .append(' ').append(pick(random, new String[] {"/", "/plaintext", "/a?b=c", "http://e.com/x"}))
                .append(http11 ? " HTTP/1.1" : " HTTP/1.0").append(random.nextInt(5) == 0 ? "\n" : "\r\n");
        List<String> fields = new ArrayList<>();
        if (http11) {
            fields.add("Host: " + pick(random, new String[] {"a", "127.0.0.1:8080", "www.example.com"}));
        }
        String[] optional = {"Accept: */*", "X-Thing:   spaced  out ", "Connection: keep-alive", "Connection: close",
            "User-Agent: " + VALUES[27], "Content-Length: 12", "content-length: 0", "Accept-Encoding: gzip, br"};
        for (int i = random.nextInt(5); i > 0; i--) {
            fields.add(random.nextInt(fields.size() + 1), pick(random, optional));
        }
        if (http11 && random.nextInt(6) == 0 && fields.stream().noneMatch(f -> f.startsWith("Content-Length"))) {
            fields.add("Transfer-Encoding: chunked");
        }
        if (random.nextInt(4) == 0) {
            fields.add(random.nextInt(fields.size() + 1), pick(random, NAMES) + ": " + pick(random, VALUES));
        }
        for (String field : fields) {
            head.append(field).append(random.nextInt(5) == 0 ? "\n" : "\r\n");
        }
        head.append(random.nextInt(5) == 0 ? "\n" : "\r\n");
        return withPipelinedRequestAndNoise(random, head, 8);
    }

    /** A head from every part's valid and broken choices: most are refused. */
    private static byte[] wild(Random random) {
        StringBuilder head = new StringBuilder();
        if (random.nextInt(10) == 0) {
            head.append(random.nextBoolean() ? "\r\n" : "\n");
        }
        head.append(pick(random, METHODS)).append(' ').append(pick(random, TARGETS)).append(' ')
                .append(pick(random, VERSIONS)).append(lineEnd(random));
        int fields = random.nextInt(50) == 0 ? 99 + random.nextInt(3) : random.nextInt(6);
        for (int i = 0; i < fields; i++) {
            String name = i == 0 && random.nextInt(4) != 0 ? "Host" : pick(random, NAMES);
            head.append(name).append(pick(random, new String[] {": ", ":", ":  ", ": \t"}))
                    .append(pick(random, VALUES)).append(lineEnd(random));
        }
        if (random.nextInt(12) != 0) {
            head.append(lineEnd(random));
        }
        return withPipelinedRequestAndNoise(random, head, 6);
    }

    /** The head, maybe a next request after it, and in one of {@code noiseOdds} cases a byte or two changed. */
    private static byte[] withPipelinedRequestAndNoise(Random random, StringBuilder head, int noiseOdds) {
        if (random.nextBoolean()) {
            head.append("GET /next HTTP/1.1\r\nHost: b\r\n\r\n"); // a pipelined request or body bytes after it
        }
        byte[] bytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        for (int noise = random.nextInt(noiseOdds) == 0 ? 1 + random.nextInt(2) : 0; noise > 0; noise--) {
            bytes[random.nextInt(bytes.length)] = random.nextBoolean()
                    ? NOISE[random.nextInt(NOISE.length)] : (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static String lineEnd(Random random) {
        return random.nextInt(8) == 0 ? pick(random, LINE_ENDS) : "\r\n";
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    // ---- the reference: RFC 9112 as this server applies it, written plainly ----

    private static Outcome reference(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        int from = 0;
        while (s.startsWith("\n", from) || s.startsWith("\r\n", from)) {
            from += s.startsWith("\n", from) ? 1 : 2;
        }
        int end = -1;
        // the parser looks no further than the head limit: a head not ended by then is refused anyway
        for (int i = from; i < Math.min(s.length(), from + MAX_HEAD_BYTES) && end < 0; i++) {
            if (s.charAt(i) == '\r' && i + 1 < s.length() && s.charAt(i + 1) != '\n') {
                return Outcome.refused(400); // a bare CR
            }
            if (s.charAt(i) == '\n' && s.startsWith("\n", i + 1)) {
                end = i + 2;
            } else if (s.charAt(i) == '\n' && s.startsWith("\r\n", i + 1)) {
                end = i + 3;
            }
        }
        if (end < 0) {
            return s.length() > MAX_HEAD_BYTES ? Outcome.refused(431) : Outcome.INCOMPLETE;
        }
        if (end > MAX_HEAD_BYTES) {
            return Outcome.refused(431);
        }
        List<String> lines = new ArrayList<>();
        for (String line : s.substring(from, end).split("\n", -1)) {
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
        // the head's text ends with a line end, then the empty line: split leaves "" and ""
        lines = lines.subList(0, lines.size() - 2);
        try {
            return new Outcome(0, referenceHead(lines), end);
        } catch (Refused refused) {
            return Outcome.refused(refused.status);
        }
    }

    private static String referenceHead(List<String> lines) {
        String requestLine = lines.get(0);
        int methodEnd = tokenLength(requestLine, 0);
        if (methodEnd == 0 || methodEnd == requestLine.length() || requestLine.charAt(methodEnd) != ' ') {
            throw new Refused(400);
        }
        String method = requestLine.substring(0, methodEnd);
        int targetEnd = requestLine.indexOf(' ', methodEnd + 1);
        String target = requestLine.substring(methodEnd + 1, targetEnd < 0 ? requestLine.length() : targetEnd);
        if (targetEnd < 0 || target.isEmpty() || !target.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new Refused(400);
        }
        if (!target.startsWith("/") && !method.equals("CONNECT") && !target.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")
                && !(target.equals("*") && method.equals("OPTIONS"))) {
            throw new Refused(400);
        }
        String rest = requestLine.substring(targetEnd + 1);
        if (!rest.matches("HTTP/[0-9]\\.[0-9].*")) {
            throw new Refused(400);
        }
        if (!rest.startsWith("HTTP/1.0") && !rest.startsWith("HTTP/1.1")) {
            throw new Refused(505);
        }
        if (rest.length() != 8) {
            throw new Refused(400);
        }
        int minor = rest.charAt(7) - '0';
        List<String[]> fields = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (fields.size() == RequestHeadParser.MAX_FIELDS) {
                throw new Refused(431);
            }
            fields.add(referenceField(line));
        }
        return referenceMeaning(method, target, minor, fields);
    }

    private static String[] referenceField(String line) {
        int nameEnd = tokenLength(line, 0);
        if (nameEnd == 0 || nameEnd == line.length() || line.charAt(nameEnd) != ':') {
            throw new Refused(400); // also a folded line: it starts with whitespace
        }
        String value = line.substring(nameEnd + 1);
        if (!value.chars().allMatch(c -> c == '\t' || c >= ' ' && c < 0x7f)) {
            throw new Refused(400);
        }
        return new String[] {line.substring(0, nameEnd), stripSpacesAndTabs(value)};
    }

    private static String referenceMeaning(String method, String target, int minor, List<String[]> fields) {
        long length = -1;
        int hosts = 0;
        List<String> codings = new ArrayList<>();
        boolean sawTransferEncoding = false;
        boolean close = false;
        boolean keepAliveAsked = false;
        StringBuilder lookups = new StringBuilder();
        for (String[] field : fields) {
            String name = field[0].toLowerCase(Locale.ROOT);
            String value = field[1];
            lookups.append(name.toUpperCase(Locale.ROOT)).append('=').append(first(fields, name)).append(';');
            switch (name) {
                case "host" -> hosts++;
                case "content-length" -> {
                    if (!value.matches("[0-9]{1,18}")) {
                        throw new Refused(400);
                    }
                    long parsed = Long.parseLong(value);
                    if (length >= 0 && parsed != length) {
                        throw new Refused(400);
                    }
                    length = parsed;
                }
                case "transfer-encoding" -> {
                    sawTransferEncoding = true;
                    for (String coding : value.split(",", -1)) {
                        String c = coding.strip();
                        if (c.isEmpty()) {
                            continue;
                        }
                        if (!codings.isEmpty() && codings.getLast().equalsIgnoreCase("chunked")) {
                            throw new Refused(400);
                        }
                        codings.add(c);
                    }
                }
                case "connection" -> {
                    for (String option : value.split(",")) {
                        close |= option.strip().equalsIgnoreCase("close");
                        keepAliveAsked |= option.strip().equalsIgnoreCase("keep-alive");
                    }
                }
                default -> { }
            }
        }
        boolean chunked = !codings.isEmpty() && codings.getLast().equalsIgnoreCase("chunked");
        if (sawTransferEncoding) {
            if (minor == 0 || length >= 0 || !chunked) {
                throw new Refused(400);
            }
            if (codings.size() > 1) {
                throw new Refused(501);
            }
        }
        if (minor == 1 && hosts != 1) {
            throw new Refused(400);
        }
        boolean keepAlive = minor == 1 ? !close : keepAliveAsked && !close;
        return describe(method, target, minor, fields, lookups.toString(), keepAlive, length, sawTransferEncoding);
    }

    private static String first(List<String[]> fields, String lowerName) {
        for (String[] field : fields) {
            if (field[0].equalsIgnoreCase(lowerName)) {
                return field[1];
            }
        }
        return null;
    }

    private static int tokenLength(String s, int from) {
        int i = from;
        while (i < s.length() && isTchar(s.charAt(i))) {
            i++;
        }
        return i - from;
    }

    private static boolean isTchar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }

    private static String stripSpacesAndTabs(String value) {
        int from = 0;
        int to = value.length();
        while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
            to--;
        }
        return value.substring(from, to);
    }

    /** A refusal inside the reference, with its status. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }
}
