package dev.weft.bench.server;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.samples.EchoServer;
import dev.weft.samples.http.HelloRoutes;
import dev.weft.samples.http.HttpLimits;
import dev.weft.samples.http.HttpServer;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.ListenOptions;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import dev.weft.unix.socket.NativeSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One server connection's hot path through real loopback TCP sockets, on the epoll and the NIO
 * engine: an echo round trip ({@code EchoServer.echo}) and a pipelined HTTP request ({@code
 * HttpServer} with {@code HelloRoutes}, {@value #PIPELINED} requests per write, reported per
 * request). Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is what one round trip or one
 * request allocates that escape analysis did not remove, the server's and the client's together.
 *
 * <p>The client is a bare {@link NativeSocket} that allocates nothing per operation, and the
 * benchmark thread is the loop's thread: each operation writes the request, then runs loop
 * iterations until the whole answer is back. So the server side pays exactly what a real server
 * pays per request (a readiness event, the read, the promise chain, the write) and no
 * cross-thread hand-off. Loop thread only (each JMH thread has its own state and loop).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
public class ServerPathBench {

    /** Requests per pipelined write, as {@code wrk} with the pipeline script sends them. */
    static final int PIPELINED = 16;
    /** Bytes per echo message, as {@code echoload}'s default. */
    static final int ECHO_BYTES = 64;
    /** How long one loop iteration may block waiting for the server: far longer than it needs. */
    private static final long ITERATION_BLOCK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final String REQUEST = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";
    /** What {@code wrk http://127.0.0.1:18080/plaintext} sends for each request. */
    private static final String WRK_REQUEST = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n\r\n";

    /** Which engine the server's loop runs on. */
    @Param({"epoll", "nio"})
    public String engine;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment received = arena.allocate(64 * 1024);
    private MemorySegment echoMessage;
    private MemorySegment pipelinedRequests;
    private MemorySegment plainRequest;
    private Loop loop;
    private NativeSocket echoClient;
    private NativeSocket httpClient;
    private HttpServer httpServer;
    private long pipelinedResponseBytes;

    /** Creates the benchmark; JMH calls this. */
    public ServerPathBench() {}

    /** Starts both servers on one loop on this thread, connects a client to each, checks one exchange. */
    @Setup(Level.Trial)
    public void start() {
        Engine chosen = Engines.open(EngineKind.valueOf(engine.toUpperCase(java.util.Locale.ROOT)));
        loop = Loop.builder().name("server-path-" + engine).engine(chosen).build();
        Sockets sockets = Sockets.on(loop, chosen);
        SocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        TcpListener echoListener = sockets.listen(any, ListenOptions.DEFAULT);
        EchoServer.acceptLoop(echoListener);
        httpServer = HttpServer.start(loop, sockets.listen(any, ListenOptions.DEFAULT), new HelloRoutes(),
                HttpLimits.defaults());

        echoMessage = arena.allocate(ECHO_BYTES).fill((byte) 'e');
        echoClient = connect(echoListener.localAddress());
        long echoed = exchange(echoClient, echoMessage, ECHO_BYTES);
        check(echoed == ECHO_BYTES, "echo answered " + echoed + " bytes for " + ECHO_BYTES);

        httpClient = connect(httpServer.address());
        pipelinedResponseBytes = (long) PIPELINED * firstResponseLength();
        byte[] batch = REQUEST.repeat(PIPELINED).getBytes(StandardCharsets.US_ASCII);
        pipelinedRequests = arena.allocate(batch.length).copyFrom(MemorySegment.ofArray(batch));
        long answered = exchange(httpClient, pipelinedRequests, pipelinedResponseBytes);
        check(answered == pipelinedResponseBytes, "pipelined batch answered " + answered + " bytes, expected "
                + pipelinedResponseBytes);
        byte[] plain = WRK_REQUEST.getBytes(StandardCharsets.US_ASCII);
        plainRequest = arena.allocate(plain.length).copyFrom(MemorySegment.ofArray(plain));
        long plainAnswer = exchange(httpClient, plainRequest, pipelinedResponseBytes / PIPELINED);
        check(plainAnswer == pipelinedResponseBytes / PIPELINED, "plain request answered " + plainAnswer + " bytes");
    }

    /** One 64-byte message to the echo server and back. */
    @Benchmark
    public long echoRoundTrip() {
        return exchange(echoClient, echoMessage, ECHO_BYTES);
    }

    /**
     * One {@code GET /plaintext} request as {@code wrk} sends it without pipelining, and its
     * answer: the plain-HTTP load's per-request path (a readiness event, one read, the parse, the
     * handler, one write), which decides that load's latency (docs/performance.md, "Plain HTTP's p99").
     */
    @Benchmark
    public long plainHttpRequest() {
        return exchange(httpClient, plainRequest, pipelinedResponseBytes / PIPELINED);
    }

    /** {@value #PIPELINED} {@code GET /plaintext} requests in one write, all answers read; per request. */
    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public long pipelinedHttpRequest() {
        return exchange(httpClient, pipelinedRequests, pipelinedResponseBytes);
    }

    /** Closes the clients and the loop (which closes the servers' sockets). */
    @TearDown(Level.Trial)
    public void stop() {
        echoClient.close();
        httpClient.close();
        loop.close();
        arena.close();
    }

    /**
     * Sends {@code request}, then runs the loop until {@code expected} bytes came back (or the
     * server closed): the bytes received.
     */
    private long exchange(NativeSocket client, MemorySegment request, long expected) {
        int written = client.write(request);
        if (written != request.byteSize()) { // the message is built only then: concatenating it each time allocated per operation
            throw new IllegalStateException("the kernel took " + written + " of " + request.byteSize() + " bytes");
        }
        long got = 0;
        while (got < expected) {
            loop.runOnce(ITERATION_BLOCK_NANOS);
            int n = client.read(received);
            if (n < 0) {
                return got;
            }
            got += n;
        }
        return got;
    }

    /** Sends one request and measures its response (head and Content-Length body). */
    private long firstResponseLength() {
        MemorySegment one = arena.allocate(REQUEST.length()).copyFrom(
                MemorySegment.ofArray(REQUEST.getBytes(StandardCharsets.US_ASCII)));
        check(httpClient.write(one) == one.byteSize(), "short write of the first request");
        StringBuilder response = new StringBuilder();
        while (true) {
            loop.runOnce(ITERATION_BLOCK_NANOS);
            int n = httpClient.read(received);
            check(n >= 0, "the server closed the connection");
            response.append(new String(received.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII));
            int headEnd = response.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                String head = response.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
                check(head.startsWith("http/1.1 200"), "unexpected response: " + head);
                int at = head.indexOf("content-length:");
                int length = Integer.parseInt(head.substring(at + 15, head.indexOf('\r', at)).trim());
                if (response.length() >= headEnd + 4 + length) {
                    return headEnd + 4 + length;
                }
            }
        }
    }

    /** A client socket connected to {@code address} once the loop has accepted it. */
    private NativeSocket connect(SocketAddress address) {
        NativeSocket client = NativeSocket.stream(StandardProtocolFamily.INET);
        boolean connected = client.connect(address);
        for (int i = 0; i < 100 && !connected; i++) {
            loop.runOnce(ITERATION_BLOCK_NANOS); // the server's loop accepts meanwhile
            connected = isConnected(client);
        }
        check(connected, "could not connect to " + address);
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return client;
    }

    private static boolean isConnected(NativeSocket client) {
        try {
            client.finishConnect();
            client.remoteAddress();
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new IllegalStateException(failure);
        }
    }
}
