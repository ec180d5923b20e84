package dev.weft.bench.server;

import dev.weft.samples.http.Response;
import dev.weft.samples.http.Responses;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The HTTP sample's encoding of a response that is not in the per-second cache of fixed responses
 * (a handler that makes a new Response per request, as {@code POST /echo} does): status line,
 * Content-Type, Content-Length, the response's own fields, Date, Connection and the body, into one
 * array. Run with {@code -prof gc} for the bytes it allocates and {@code -prof
 * dev.weft.bench.profile.ThreadCpuProfiler} for CPU time per encoding. Loop thread only in the
 * sense that each JMH thread has its own encoder, as each loop does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class ResponsesBench {

    /** Which response: the plain-text hello, or a 405 with an Allow field. */
    @Param({"hello", "allow"})
    public String response;

    private final Responses responses = new Responses();
    private Response toEncode;
    private long nowMillis;

    /** Creates the benchmark; JMH calls this. */
    public ResponsesBench() {}

    /** Picks the response and a wall-clock time, so that the Date field is made once. */
    @Setup
    public void start() {
        toEncode = response.equals("hello")
                ? Response.text(200, "text/plain", "Hello, World!")
                : Response.text(405, "text/plain", "method not allowed\n").withField("Allow", "GET, HEAD");
        nowMillis = System.currentTimeMillis();
    }

    /** One response encoded, head and body. */
    @Benchmark
    public byte[] encode() {
        return responses.encode(toEncode, Responses.ConnectionField.NONE, nowMillis);
    }
}
