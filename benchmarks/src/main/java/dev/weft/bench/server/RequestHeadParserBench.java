package dev.weft.bench.server;

import dev.weft.samples.http.RequestHead;
import dev.weft.samples.http.RequestHeadParser;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The HTTP sample's strict request-head parse alone, on bytes in off-heap memory as a socket read
 * lends them: {@code wrk}'s plain request (the benchmark load), and a browser's request with a
 * dozen fields. Run with {@code -prof perfnorm} for instructions per parse and {@code -prof gc}
 * for what a parse allocates. Loop thread only in the sense that each JMH thread has its own
 * parser, as each connection does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
public class RequestHeadParserBench {

    private static final String WRK = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n\r\n";
    private static final String BROWSER = "GET /plaintext?lang=en HTTP/1.1\r\n"
            + "Host: www.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Connection: keep-alive\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "Sec-Fetch-Dest: document\r\n"
            + "Sec-Fetch-Mode: navigate\r\n"
            + "Sec-Fetch-Site: none\r\n"
            + "Priority: u=0, i\r\n"
            + "\r\n";

    /**
     * Which request: {@code wrk}'s or a browser's, the same head each time, or {@code
     * wrk-alternating}: {@code wrk}'s request alternating with one whose Host differs, so that no
     * parse can hand out the previous head's values again (each head allocates its own).
     */
    @Param({"wrk", "browser", "wrk-alternating"})
    public String request;

    private final Arena arena = Arena.ofShared();
    private final RequestHeadParser parser = new RequestHeadParser(8192);
    private MemorySegment bytes;
    private MemorySegment otherBytes;
    private long length;

    /** Creates the benchmark; JMH calls this. */
    public RequestHeadParserBench() {}

    /** Puts the request's bytes off-heap and checks that they parse as one whole head. */
    @Setup(Level.Trial)
    public void start() {
        byte[] text = (request.equals("browser") ? BROWSER : WRK).getBytes(StandardCharsets.US_ASCII);
        bytes = arena.allocate(text.length).copyFrom(MemorySegment.ofArray(text));
        length = text.length;
        // the same length, so one benchmark method serves both
        byte[] other = request.equals("wrk-alternating")
                ? WRK.replace("18080", "18081").getBytes(StandardCharsets.US_ASCII) : text;
        otherBytes = arena.allocate(other.length).copyFrom(MemorySegment.ofArray(other));
        for (MemorySegment head : new MemorySegment[] {bytes, otherBytes}) {
            RequestHead parsed = parser.parse(head, 0, length);
            if (parsed == null || parser.consumed() != length || !parsed.path().equals("/plaintext")) {
                throw new IllegalStateException("the request did not parse as one head: " + parsed);
            }
        }
    }

    /** One complete head, parsed from the start: the same head each time, or the two in turn. */
    @Benchmark
    public RequestHead parse() {
        MemorySegment head = bytes;
        bytes = otherBytes;
        otherBytes = head;
        return parser.parse(head, 0, length);
    }

    /** Frees the off-heap bytes. */
    @TearDown(Level.Trial)
    public void stop() {
        arena.close();
    }
}
