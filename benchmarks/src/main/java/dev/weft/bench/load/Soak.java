package dev.weft.bench.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A reliability soak against a running HTTP sample server ({@code ./weft soak} starts one): mixed
 * clients for a bounded time, every normal answer checked byte for byte, the server's resident
 * memory and open fds sampled from /proc. Loopback only; every client loop ends at the deadline;
 * every socket has a read timeout.
 *
 * <p>Clients, each on its own virtual thread: <b>normal</b> (keep-alive GET /plaintext and POST
 * /echo of a random body, answer checked), <b>pipelined</b> (16 requests in one write, then the
 * 16 answers), <b>slow</b> (a request dribbled a few bytes at a time), <b>non-reading</b> (POSTs
 * 64 KiB bodies to /echo and never reads, until the server's write timeout closes it),
 * <b>resetting</b> (half a request, then a reset). Exits 1 if a normal answer was wrong or
 * missing, or the server died.
 *
 * <p>Usage: {@code Soak --port N --pid P [--minutes 10] [--non-reading 1000]}. If the server's
 * stderr goes to a file, the soak also says how often the server ran out of heap.
 */
public final class Soak {
    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private final InetSocketAddress target;
    private final long deadlineNanos;
    private final int nonReading;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong nonReadingOpened = new AtomicLong();
    private final AtomicLong nonReadingClosedByServer = new AtomicLong();
    private final List<String> failures = new ArrayList<>();
    private final long startNanos = System.nanoTime();

    private Soak(InetSocketAddress target, long deadlineNanos, int nonReading) {
        this.target = target;
        this.deadlineNanos = deadlineNanos;
        this.nonReading = nonReading;
    }

    /**
     * Runs the soak and prints its report.
     *
     * @param args the options above
     * @throws Exception if sampling /proc fails
     */
    public static void main(String[] args) throws Exception {
        CommandLine cl = CommandLine.parse(args);
        long pid = cl.requiredInt("pid");
        long minutes = cl.integer("minutes", 10);
        Soak soak = new Soak(cl.loopbackTarget(), System.nanoTime() + minutes * 60_000_000_000L,
                Math.toIntExact(cl.integer("non-reading", 1000)));
        // where the server's stdout and stderr go (./weft soak sends both to its log), found before it exits
        Path serverOutput = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "2"));
        boolean passed = soak.run(pid, minutes);
        if (Files.isRegularFile(serverOutput)) {
            reportServerOutOfMemory(serverOutput);
        }
        System.exit(passed ? 0 : 1);
    }

    private boolean run(long pid, long minutes) throws Exception {
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(Thread.ofVirtual().start(() -> repeat("normal", this::normalClient)));
        }
        for (int i = 0; i < 2; i++) {
            clients.add(Thread.ofVirtual().start(() -> repeat("pipelined", this::pipelinedClient)));
            clients.add(Thread.ofVirtual().start(() -> repeat("slow", this::slowClient)));
            clients.add(Thread.ofVirtual().start(() -> repeat("resetting", this::resettingClient)));
        }
        clients.add(Thread.ofVirtual().start(() -> repeat("non-reading", this::nonReadingWave)));
        Path proc = Path.of("/proc", Long.toString(pid));
        System.out.println("# soak: " + minutes + " min against " + target + " (pid " + pid + "), server's "
                + fdLimit(proc));
        long[] listenBefore = listenOverflows();
        System.out.println("# minute rss_mib fds answered wrong resets non_reading_opened non_reading_closed_by_server");
        long start = System.nanoTime();
        long warmRss = -1;
        long maxRss = 0;
        long peakRss = 0;
        long peakFds = 0;
        long minRss = Long.MAX_VALUE;
        while (System.nanoTime() < deadlineNanos && Files.exists(proc)) {
            Thread.sleep(Math.min(15_000, Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000)));
            if (!Files.exists(proc)) {
                break;
            }
            long rss = residentMib(proc);
            long fds = openFds(proc);
            peakRss = Math.max(peakRss, rss);
            peakFds = Math.max(peakFds, fds);
            double minute = (System.nanoTime() - start) / 60e9;
            if (minute >= 1) { // the first minute is warm-up: the JIT and the heap settle
                warmRss = warmRss < 0 ? rss : warmRss;
                maxRss = Math.max(maxRss, rss);
                minRss = Math.min(minRss, rss);
            }
            System.out.printf("%.1f %d %d %d %d %d %d %d%n", minute, rss, fds, answered.get(), wrong.get(),
                    resets.get(), nonReadingOpened.get(), nonReadingClosedByServer.get());
        }
        for (Thread client : clients) {
            client.join(60_000);
        }
        boolean alive = Files.exists(proc) && !Files.readString(proc.resolve("status")).contains("zombie");
        System.out.println("server_alive=" + alive + " answered=" + answered.get() + " wrong=" + wrong.get()
                + " non_reading_opened=" + nonReadingOpened.get() + " non_reading_closed_by_server="
                + nonReadingClosedByServer.get() + " rss_after_warmup_mib=" + (warmRss < 0 ? "n/a" : minRss + ".." + maxRss)
                + " rss_first_after_warmup_mib=" + warmRss + " rss_peak_mib=" + peakRss + " fds_peak=" + peakFds);
        long[] listenAfter = listenOverflows();
        System.out.println("machine-wide listen queue overflows during the run: " + (listenAfter[0] - listenBefore[0])
                + ", SYNs dropped at listeners: " + (listenAfter[1] - listenBefore[1])
                + " (/proc/net/netstat; other processes' listeners count too)");
        synchronized (failures) {
            failures.stream().limit(10).forEach(f -> System.out.println("failure: " + f));
            // every failure, by client kind and what ended it (the first ten are shown whole above)
            failures.stream().collect(Collectors.groupingBy(Soak::failureKind, TreeMap::new, Collectors.counting()))
                    .forEach((kind, count) -> System.out.println("failures: " + count + " x " + kind));
        }
        return alive && wrong.get() == 0 && answered.get() > 0;
    }

    private interface Client {
        void run() throws IOException, InterruptedException;
    }

    /** Runs {@code client} again and again until the deadline. */
    private void repeat(String kind, Client client) {
        while (System.nanoTime() < deadlineNanos) {
            Step step = new Step();
            current.set(step);
            try {
                client.run();
            } catch (IOException | InterruptedException | RuntimeException e) {
                fail(kind + " client, minute " + minute(System.nanoTime()) + ", " + step.describe() + ": " + e);
            } finally {
                current.remove();
            }
        }
    }

    private String minute(long nanos) {
        return String.format("%.2f", (nanos - startNanos) / 60e9);
    }

    /**
     * Where a client was when it failed: which request on its connection, what it was doing, and
     * for how long the request had been waiting: a failure's timing tells which server limit
     * ended it (10 s header timeout, 5 s write timeout, 2 s linger after an error response).
     */
    private final class Step {
        private int request = -1;
        private String doing = "connecting";
        private long requestStartNanos = System.nanoTime();
        private int bodyLength;
        private long answerBytes;

        void request(int index, int length) {
            request = index;
            bodyLength = length;
            requestStartNanos = System.nanoTime();
            answerBytes = 0;
            doing = "writing request";
        }

        void doing(String what) {
            doing = what;
        }

        String describe() {
            long now = System.nanoTime();
            return "request " + request + " (body " + bodyLength + " B) " + doing + ", "
                    + (now - requestStartNanos) / 1_000_000 + " ms after the request began at minute "
                    + minute(requestStartNanos) + ", " + answerBytes + " answer bytes read";
        }
    }

    private final ThreadLocal<Step> current = new ThreadLocal<>();

    private Step step() {
        Step step = current.get();
        return step != null ? step : new Step();
    }

    /** "normal client ... : java.net.SocketException: Connection reset" becomes "normal client: SocketException: Connection reset". */
    private static String failureKind(String failure) {
        String kind = failure.substring(0, failure.indexOf(','));
        String cause = failure.substring(failure.lastIndexOf(": java.") + 2).replaceFirst("^[a-z.]*\\.", "")
                .replaceFirst(", content-length.*", "");
        return kind + " while " + failure.replaceFirst(".*\\) ([a-z ]+?)( after .*)?, [0-9]+ ms after.*", "$1") + ": " + cause;
    }

    private void fail(String what) {
        wrong.incrementAndGet();
        synchronized (failures) {
            failures.add(what);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        step().doing("connecting");
        socket.connect(target, READ_TIMEOUT_MILLIS);
        step().doing("connected");
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Keep-alive: 50 requests, GET and POST in turn, each answer checked. */
    private void normalClient() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Step step = step();
            for (int i = 0; i < 50 && System.nanoTime() < deadlineNanos; i++) {
                if (i % 2 == 0) {
                    step.request(i, 0);
                    out.write(get("/plaintext"));
                    expect(in, PLAINTEXT);
                } else {
                    byte[] body = new byte[ThreadLocalRandom.current().nextInt(1, 64 * 1024)];
                    ThreadLocalRandom.current().nextBytes(body);
                    step.request(i, body.length);
                    out.write(post("/echo", body));
                    expect(in, body);
                }
            }
        }
    }

    private void pipelinedClient() throws IOException {
        try (Socket socket = connect()) {
            byte[] one = get("/plaintext");
            byte[] batch = new byte[one.length * 16];
            for (int i = 0; i < 16; i++) {
                System.arraycopy(one, 0, batch, i * one.length, one.length);
            }
            Step step = step();
            step.request(0, 0);
            socket.getOutputStream().write(batch);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < 16; i++) {
                step.request = i;
                expect(in, PLAINTEXT);
            }
        }
    }

    /** A request sent a few bytes at a time with pauses: slow, but inside the header timeout. */
    private void slowClient() throws IOException, InterruptedException {
        try (Socket socket = connect()) {
            byte[] request = get("/plaintext");
            step().request(0, 0);
            for (int i = 0; i < request.length; i += 8) {
                socket.getOutputStream().write(request, i, Math.min(8, request.length - i));
                Thread.sleep(50); // the slowness is the point of this client
            }
            expect(new BufferedInputStream(socket.getInputStream()), PLAINTEXT);
        }
    }

    private void resettingClient() throws IOException {
        Socket socket = connect();
        byte[] request = post("/echo", new byte[4096]);
        socket.getOutputStream().write(request, 0, request.length / 2);
        socket.setSoLinger(true, 0); // close sends RST
        socket.close();
        resets.incrementAndGet();
        try {
            Thread.sleep(5); // a steady storm, not a CPU hog that starves the other clients
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Opens the non-reading clients, each POSTing 64 KiB bodies to /echo and never reading, until
     * its write fails: the server stops reading once its answer waits, the kernel buffers fill,
     * the client's write blocks, and only the server's write timeout can end it (a close, so the
     * write fails). A sender still blocked at the deadline counts as not closed by the server.
     */
    private void nonReadingWave() throws IOException, InterruptedException {
        List<Socket> open = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        byte[] request = post("/echo", new byte[64 * 1024]);
        try {
            for (int i = 0; i < nonReading && System.nanoTime() < deadlineNanos; i++) {
                Socket socket = connect();
                socket.setReceiveBufferSize(16 * 1024);
                open.add(socket);
                nonReadingOpened.incrementAndGet();
                senders.add(Thread.ofVirtual().start(() -> sendUntilClosed(socket, request)));
            }
            for (Thread sender : senders) {
                sender.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000 + 60_000));
            }
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    /** Sends until the server closes the connection (at most 64 MiB, far more than kernel buffers hold). */
    private void sendUntilClosed(Socket socket, byte[] request) {
        try {
            for (int i = 0; i < 1024; i++) {
                socket.getOutputStream().write(request);
            }
        } catch (IOException closedByTheServer) {
            nonReadingClosedByServer.incrementAndGet();
        }
    }

    private void expect(InputStream in, byte[] body) throws IOException {
        Step step = step();
        step.doing("reading the status line");
        String status = line(in);
        step.doing("reading the header fields after " + status);
        long length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Long.parseLong(header.substring(15).trim());
            }
        }
        step.doing("reading the body after " + status);
        byte[] got = in.readNBytes((int) Math.max(0, length));
        step.answerBytes = got.length;
        if (!status.startsWith("HTTP/1.1 200") || length != body.length || !Arrays.equals(got, body)) {
            // one failure, recorded once by repeat()
            throw new IOException("wrong answer: " + status + ", content-length " + length + " for a body of "
                    + body.length + ", " + got.length + " body bytes read");
        }
        answered.incrementAndGet();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection ended in the middle of an answer");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static byte[] get(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: soak\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] post(String path, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: soak\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    private static long residentMib(Path proc) throws IOException {
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /**
     * Says whether the server ran out of heap: it answers the request it was serving 503 and
     * reports the error (docs/guide.md, "Running a server in production"), so a failure here
     * means the heap does not fit the load the soak applies, not that a client was mishandled.
     */
    private static void reportServerOutOfMemory(Path log) throws IOException {
        long count;
        try (Stream<String> lines = Files.lines(log)) {
            count = lines.filter(line -> line.contains("OutOfMemoryError")).count();
        }
        System.out.println("server_out_of_memory=" + count + (count == 0 ? ""
                : " (each answered 503 or failed one connection: the heap is too small for this load; "
                        + "size it for about connections x 2 x body x 1.5, see docs/guide.md)"));
    }

    /** The server's "Max open files" line: the soak holds about non-reading + 20 of them at once. */
    private static String fdLimit(Path proc) throws IOException {
        return Files.readAllLines(proc.resolve("limits")).stream().filter(l -> l.startsWith("Max open files"))
                .map(l -> l.replaceAll("\\s+", " ").trim()).findFirst().orElse("fd limit unknown");
    }

    /** TcpExt ListenOverflows and ListenDrops, machine-wide, from /proc/net/netstat. */
    private static long[] listenOverflows() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            if (lines.get(i).startsWith("TcpExt:")) {
                List<String> names = Arrays.asList(lines.get(i).split(" "));
                String[] values = lines.get(i + 1).split(" ");
                return new long[] {Long.parseLong(values[names.indexOf("ListenOverflows")]),
                        Long.parseLong(values[names.indexOf("ListenDrops")])};
            }
        }
        return new long[] {0, 0};
    }

    private static long openFds(Path proc) throws IOException {
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            return fds.count();
        }
    }
}
