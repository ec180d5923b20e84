package dev.weft.bench.server;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.samples.http.HelloRoutes;
import dev.weft.samples.http.HttpLimits;
import dev.weft.samples.http.HttpServer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The HTTP sample's per-request work without a socket: a connection served by {@link
 * HttpServer#serve(Loop, Flow, dev.weft.samples.http.HttpHandler, HttpLimits)} over an in-memory
 * flow whose reading waits until the benchmark delivers {@code wrk}'s plain request, as a socket's
 * waits for readiness. The flow has a callback reading mode of its own, as {@code SocketFlow}
 * has: {@link #plainRequest} hands the request to the connection's chunk handler directly (a
 * connection that reads with {@code read()} gets it through the waiting read's promise). One operation is what the plain-HTTP load asks of the server per
 * request in user space apart from the system calls and the loop's dispatch: the waiting read
 * resolved, the head parsed, the handler asked, the response encoded and written, the next read
 * issued. With no system call in it, the JVM's CPU time per operation ({@code -prof
 * dev.weft.bench.profile.ProcessCpuProfiler}) is user time, measured exactly rather than sampled at
 * the tick; {@code -prof gc} gives the bytes it allocates. Loop thread only: each JMH thread has
 * its own loop and connection and runs them itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
public class HttpRequestPathBench {

    private static final String WRK_REQUEST = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n\r\n";

    private final Arena arena = Arena.ofShared();
    private Loop loop;
    private MemoryFlow flow;
    private Promise<Void> served;

    /** Creates the benchmark; JMH calls this. */
    public HttpRequestPathBench() {}

    /** Serves one in-memory connection on a loop run by this thread; checks that a request is answered. */
    @Setup(Level.Trial)
    public void start() {
        loop = Loop.builder().name("http-request-path").build();
        loop.runOnce(0); // this thread is the loop's from now on
        byte[] request = WRK_REQUEST.getBytes(StandardCharsets.US_ASCII);
        flow = new MemoryFlow(arena.allocate(request.length).copyFrom(MemorySegment.ofArray(request)));
        served = HttpServer.serve(loop, flow, new HelloRoutes(), HttpLimits.defaults());
        long before = flow.written;
        flow.deliver();
        String head = flow.lastWrite;
        if (flow.written == before || !head.startsWith("HTTP/1.1 200") || !flow.readPending()) {
            throw new IllegalStateException("the request was not answered as expected: " + head);
        }
    }

    /** One request delivered to the waiting read and answered; the bytes written so far. */
    @Benchmark
    public long plainRequest() {
        flow.deliver();
        return flow.written;
    }

    /** Ends the connection and closes the loop. */
    @TearDown(Level.Trial)
    public void stop() {
        served.cancel();
        loop.close();
        arena.close();
    }

    /**
     * A flow whose reads wait until {@link #deliver} hands them the request, and whose writes the
     * kernel would take at once: counted, not kept.
     */
    private static final class MemoryFlow implements Flow {
        private final Data request;
        private Resolver<Read> reader;
        private ChunkHandler chunkHandler;
        private Resolver<Void> chunksDone;
        private long written;
        private String lastWrite = "";
        private boolean recordNextWrite = true;
        private boolean closed;

        MemoryFlow(MemorySegment request) {
            this.request = new Data(request);
        }

        void deliver() {
            if (chunkHandler != null) {
                Promise<Boolean> answer = chunkHandler.onChunk(request.bytes());
                if (!answer.isFulfilled() || !answer.value()) {
                    throw new IllegalStateException("the connection did not ask for the next request: " + answer);
                }
                return;
            }
            Resolver<Read> waiting = reader;
            reader = null;
            waiting.resolve(request);
        }

        boolean readPending() {
            return (reader != null && reader.promise().isPending())
                    || (chunksDone != null && chunksDone.promise().isPending());
        }

        @Override
        public Promise<Void> readChunks(ChunkHandler handler) {
            if (closed) {
                return Promise.rejected(new ClosedChannelException());
            }
            chunkHandler = handler;
            chunksDone = Promise.task();
            chunksDone.promise().onCancel(() -> chunkHandler = null);
            return chunksDone.promise();
        }

        @Override
        public Promise<Read> read() {
            if (closed) {
                return Promise.rejected(new ClosedChannelException());
            }
            reader = Promise.task();
            return reader.promise();
        }

        @Override
        public Promise<Void> write(MemorySegment bytes) {
            if (recordNextWrite) {
                lastWrite = new String(bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
                recordNextWrite = false;
            }
            written += bytes.byteSize();
            return Promise.unit();
        }

        @Override
        public Promise<Void> writev(List<MemorySegment> segments) {
            for (MemorySegment segment : segments) {
                written += segment.byteSize();
            }
            return Promise.unit();
        }

        @Override
        public Promise<Void> shutdown(Direction direction) {
            return Promise.unit();
        }

        @Override
        public Promise<Void> close() {
            closed = true;
            return Promise.unit();
        }
    }
}
