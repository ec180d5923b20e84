package dev.weft.xen.vchan;

import static dev.weft.xen.ring.Streams.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.linux.LinuxXenPlatform;
import dev.weft.xen.ring.Streams;
import dev.weft.xen.ring.Streams.Summary;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.io.File;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Weft {@link Vchan} against Xen's own libxenvchan peer on real Xen: {@code vchan-socket-proxy}
 * (Debian's xen-utils), which bridges a vchan to a Unix socket. Domain 0 talks to itself. In
 * both roles the test holds the two outer ends on one epoll loop: the Weft vchan on one side, a
 * Unix socket (io-unix) on the other, the proxy's libxenvchan in between; the socket end echoes
 * every byte back. So each byte crosses Weft's vchan and the C one both ways:
 *
 * <pre>
 *   Weft Vchan ==vchan==> vchan-socket-proxy --unix socket--> echo --> proxy ==vchan==> Weft Vchan
 * </pre>
 *
 * <p>The proxy's roles decide who listens on the socket: as a vchan client it listens and opens
 * the vchan when the test connects; as a vchan server it publishes the vchan and connects to the
 * test's socket once the Weft client has come. Its {@code -s} key (written {@code running} once it
 * listens, or once its vchan is published) tells the test when to go on. The proxy runs as a child
 * process, killed after each test. Tagged real-xen: run by {@code ./weft test --xen} in dom0.
 */
@Tag("real-xen")
class VchanSocketProxyRealXenTest {
    private static final Path PROXY = Path.of("/usr/lib/xen-4.17/bin/vchan-socket-proxy");
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** The least a transfer is given: under software emulation on a loaded host it takes minutes. */
    private static final Duration TRANSFER_PATIENCE = Duration.ofMinutes(4);
    /**
     * And per MiB beyond that: 5 ms a KiB, about three times what 1 KiB rings cost on a host with
     * load 10 (1.8 ms; 0.3 ms idle) once the conversation stays on one vCPU ({@link OneCpu}).
     */
    private static final Duration PATIENCE_PER_MIB = Duration.ofSeconds(5);
    private static final long MIB = 1024 * 1024;
    private static final int ROUND_TRIPS = 100;
    /**
     * The transfer through the proxy as server, in MiB: 64 unless {@code ./weft test --xen} is
     * given another ({@code WEFT_XEN_PROXY_SERVER_MIB}). The proxy's libxenvchan server asks for
     * its smallest rings (1 KiB in, 2 KiB out), so every KiB costs a wakeup on both sides.
     */
    private static final long PROXY_SERVER_MIB = Long.getLong("weft.xen.proxyServerMiB", 64);
    private static final int RING_BYTES = 64 * 1024;
    /**
     * Kept short: libxenvchan 4.17 builds {@code <path>/event-channel} in a 64-byte buffer and
     * silently truncates a longer key (the server then publishes {@code .../event-channe}).
     */
    private static final String HOME = "/local/domain/0/data/weft-vchan";

    private Set<String> fdsBefore;
    private Dom0Loop dom0;
    private Loop loop;
    private Sockets sockets;
    private LinuxXenPlatform platform;
    private EventChannels channels;
    private XenStore store;
    private Process proxy;
    private Path proxyLog;
    private Path socketPath;

    @BeforeEach
    void open() throws IOException {
        Path dir = Files.createTempDirectory("weft-vchan-proxy");
        socketPath = dir.resolve("socket");
        proxyLog = dir.resolve("proxy.log");
        // After the first temporary file: the JDK keeps /dev/random and /dev/urandom open from then on.
        fdsBefore = Dom0Loop.openFds();
        dom0 = new Dom0Loop("vchan-proxy-test", PATIENCE);
        loop = dom0.loop;
        sockets = dom0.sockets;
        platform = dom0.platform;
        channels = dom0.channels;
        store = dom0.store;
    }

    @AfterEach
    void close() throws Exception {
        try {
            stopProxy();
            run(store.rm(HOME).recover(e -> Promise.unit()));
            dom0.close();
        } finally {
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(proxyLog);
            Files.deleteIfExists(socketPath.getParent());
        }
        assertEquals(fdsBefore, Dom0Loop.openFds(), "the loop, the device and the sockets closed their fds; no pipe to the proxy is left");
    }

    @Test
    void aWeftServerCarriesRoundTripsAnd64MiBThroughTheProxyAsClient() throws Exception {
        String path = HOME + "/weft-server";
        Vchan vchan = run(Vchan.listen(platform, channels, store, 0, path, RING_BYTES, RING_BYTES));
        startProxy("client", path);
        Flow socket = run(sockets.connect(UnixDomainSocketAddress.of(socketPath), PATIENCE));

        exchange(vchan, socket, 64 * MIB);
    }

    @Test
    void aWeftClientCarriesRoundTripsAnd64MiBThroughTheProxyAsServer() throws Exception {
        String path = HOME + "/proxy-server";
        try (TcpListener listener = sockets.listen(UnixDomainSocketAddress.of(socketPath))) {
            startProxy("server", path);
            Vchan vchan = run(Vchan.connect(platform, channels, store, 0, path));
            Flow socket = run(listener.accept());

            exchange(vchan, socket, PROXY_SERVER_MIB * MIB);
        }
    }

    /**
     * Round trips, then {@code transfer} bytes echoed and checked (count and CRC-32 of what came
     * back against what was sent) with the conversation on one vCPU ({@link OneCpu}; its cost is
     * printed as a {@code weft-cost:} line), then the Weft end closes: the proxy must pass that on as
     * end-of-stream on its socket, and (a server's close waits for it) unmap the Weft server's pages.
     */
    private void exchange(Vchan vchan, Flow socket, long transfer) throws IOException {
        Promise<Long> echoed = echo(socket, 0);

        int matched = run(roundTrips(vchan, 0));
        Summary sent;
        Summary back;
        OneCpu pinned = OneCpu.pin(proxy.pid());
        try {
            TransferCost cost = TransferCost.start(loop, dom0.device, proxy.pid());
            Promise<Summary> received = Streams.receive(vchan, transfer);
            Duration patience = transferPatience(transfer);
            sent = loop.run(loop.withTimeout(patience, Streams.send(vchan, transfer, 14)));
            back = loop.run(loop.withTimeout(patience, received));
            System.out.println(cost.report(vchan + " echoed through vchan-socket-proxy", transfer));
        } finally {
            pinned.close();
        }
        boolean peerLive = vchan.peerConnected();
        run(vchan.close());
        long passed = run(echoed);

        assertTrue(peerLive, "the proxy's libxenvchan end set its live byte");
        assertEquals(ROUND_TRIPS, matched, "every message came back as sent");
        assertEquals(transfer, sent.bytes());
        assertEquals(sent, back, "the transfer came back whole and in order");
        assertEquals(echoTotal(transfer), passed, "the socket saw every byte once, then end-of-stream when the Weft end closed");
        assertTrue(proxy.isAlive(), "the proxy survived the close: " + proxyOutput());
        assertSame(Flow.END_OF_STREAM, run(socket.read()), "end-of-stream repeats");
        run(socket.close());
    }

    /** {@link #TRANSFER_PATIENCE}, or {@link #PATIENCE_PER_MIB} for each MiB if that is more. */
    private static Duration transferPatience(long transfer) {
        Duration perMiB = PATIENCE_PER_MIB.multipliedBy(transfer / MIB);
        return perMiB.compareTo(TRANSFER_PATIENCE) > 0 ? perMiB : TRANSFER_PATIENCE;
    }

    /** Bytes the socket end passes back in {@link #exchange}: the round trips' and the transfer's. */
    private static long echoTotal(long transfer) {
        long total = transfer;
        for (int i = 0; i < ROUND_TRIPS; i++) {
            total += message(i).length();
        }
        return total;
    }

    private static String message(int i) {
        return "message " + i + " " + "x".repeat(i * 7) + "\n";
    }

    /** Sends each message and waits for the same text to come back before the next. */
    private static Promise<Integer> roundTrips(Flow flow, int done) {
        if (done == ROUND_TRIPS) {
            return Promise.of(done);
        }
        String message = message(done);
        return flow.write(bytes(message))
                .flatMap(v -> Streams.readText(flow, message.length()))
                .flatMap(reply -> reply.equals(message)
                        ? roundTrips(flow, done + 1)
                        : Promise.rejected(new AssertionError("round trip " + done + ": sent " + message
                                + " got " + reply)));
    }

    /** Writes back everything read until end-of-stream; fulfilled with the number of bytes passed. */
    private static Promise<Long> echo(Flow flow, long passed) {
        return flow.read().flatMap(read -> {
            if (!(read instanceof Flow.Data data)) {
                return Promise.of(passed);
            }
            long now = passed + data.bytes().byteSize();
            return flow.write(data.bytes()).flatMap(v -> echo(flow, now));
        });
    }

    /**
     * Starts the proxy in {@code mode} on vchan {@code path} and the test's socket path, and waits
     * for its state key to say {@code running}.
     */
    private void startProxy(String mode, String path) throws IOException {
        assertTrue(Files.isExecutable(PROXY), PROXY + " is in the dom0 image (image.sh)");
        String state = HOME + "/state-" + mode;
        proxy = new ProcessBuilder(PROXY.toString(), "--mode=" + mode, "--state-path=" + state, "0", path,
                socketPath.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(proxyLog.toFile())
                .start();
        run(store.watch(state).flatMap(watch -> untilRunning(watch, state).andFinally(watch::unwatch)));
    }

    private Promise<Void> untilRunning(Watch watch, String key) {
        return watch.events().next()
                .flatMap(event -> store.read(key).recover(e -> e instanceof XenStoreException x
                        && x.error() == XsError.ENOENT ? Promise.of("") : Promise.rejected(e)))
                .flatMap(value -> value.equals("running")
                        ? Promise.unit()
                        : proxy.isAlive()
                                ? untilRunning(watch, key)
                                : Promise.rejected(new AssertionError("the proxy exited: " + proxyOutput())));
    }

    private void stopProxy() throws InterruptedException {
        if (proxy == null) {
            return;
        }
        proxy.destroy();
        if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
            proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        proxy = null;
    }

    private String proxyOutput() {
        try {
            List<String> lines = Files.readAllLines(proxyLog);
            return lines.isEmpty() ? "(no output)" : String.join(" | ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private <T> T run(Promise<T> promise) {
        return loop.run(loop.withTimeout(PATIENCE, promise));
    }
}
