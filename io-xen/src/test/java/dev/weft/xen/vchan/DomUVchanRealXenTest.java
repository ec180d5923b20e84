package dev.weft.xen.vchan;

import static dev.weft.xen.ring.Streams.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.xen.ring.Streams;
import dev.weft.xen.ring.Streams.Summary;
import dev.weft.xen.linux.Xl;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Weft in dom0 against Xen's own libxenvchan in another domain: the test starts a small PV guest
 * with {@code xl create} (the stage's {@code domu-init.sh} is its /init) that runs two {@code
 * vchan-socket-proxy}s spliced through a Unix socket, one a libxenvchan server, the other a
 * libxenvchan client. Dom0 holds both outer ends, on one epoll loop:
 *
 * <pre>
 *   Weft client ==vchan A==> proxy A (server, domU) --socket--> proxy B (client, domU) ==vchan B==> Weft server
 * </pre>
 *
 * <p>So every byte crosses the domain boundary twice, through C libxenvchan in both roles and
 * Weft's vchan in both roles, over grants and event channels between two domains. Tagged
 * real-xen: run by {@code ./weft test --xen} in dom0, which provides the guest's kernel and image
 * in /tmp and runs xenconsoled (the guest's console log names what went wrong if it fails).
 */
@Tag("real-xen")
class DomUVchanRealXenTest {
    private static final String NAME = "weft-vchan-peer";
    private static final Path CONSOLE_LOG = Path.of("/var/log/xen/guest-" + NAME + ".log");
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** Creating the domain and booting its kernel, under emulation on a loaded host. */
    private static final Duration BOOT_PATIENCE = Duration.ofMinutes(4);
    /**
     * Each way, in MiB: 64 unless {@code ./weft test --xen} is given another ({@code
     * WEFT_XEN_DOMU_MIB}). Proxy A, a libxenvchan server, asks for its smallest rings (1 KiB and 2
     * KiB), so every KiB each way costs a notification across the domains and a switch between
     * them, even with the conversation on one physical CPU: 2.5 ms per KiB on a nearly idle host
     * (64 MiB in 161 s), 4.6 ms at load 5, 12 ms at load 7-9 (where 64 MiB exceeds the bound
     * below: use 8 there).
     */
    private static final long TRANSFER_MIB = Long.getLong("weft.xen.domUMiB", 64);
    private static final long TRANSFER = TRANSFER_MIB * 1024 * 1024;
    private static final int ROUND_TRIPS = 50;
    /** 8 s per MiB each way (8 ms a KiB, three times the nearly idle cost), at least 4 minutes. */
    private static final Duration TRANSFER_PATIENCE = Duration.ofSeconds(Math.max(240, 8 * TRANSFER_MIB));
    private static final int RING_BYTES = 64 * 1024;

    private Set<String> fdsBefore;
    private Path dir;
    private Dom0Loop dom0;
    private int domain = -1;

    @BeforeEach
    void open() throws IOException {
        dir = Files.createTempDirectory("weft-domu");
        fdsBefore = Dom0Loop.openFds();
        dom0 = new Dom0Loop("domu-vchan-test", PATIENCE);
    }

    @AfterEach
    void close() throws Exception {
        try {
            if (domain >= 0) {
                xl(PATIENCE, "destroy", NAME);
                run(dom0.store.rm("/local/domain/0/data/wd" + domain).recover(e -> Promise.unit()));
            }
            dom0.close();
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
        assertEquals(fdsBefore, Dom0Loop.openFds(), "the loop, the device and the xl pipes closed their fds");
    }

    @Test
    void aWeftClientAndServerInDom0TalkToLibxenvchanInAGuestDomainBothWays() throws Exception {
        domain = createGuest();
        Vchan server = run(Vchan.listen(dom0.platform, dom0.channels, dom0.store, domain,
                "/local/domain/0/data/wd" + domain + "/b", RING_BYTES, RING_BYTES));
        awaitReady("/local/domain/" + domain + "/data/ready");
        Vchan client = run(Vchan.connect(dom0.platform, dom0.channels, dom0.store, domain, "/local/domain/" + domain + "/data/a"));

        int matched = run(roundTrips(client, server, 0));
        List<Summary> sent;
        List<Summary> received;
        OneCpu pinned = onePhysicalCpu();
        try {
            TransferCost cost = TransferCost.start(dom0.loop, dom0.device, -1);
            Promise<Summary> atServer = Streams.receive(server, TRANSFER);
            Promise<Summary> atClient = Streams.receive(client, TRANSFER);
            Promise<Summary> fromClient = Streams.send(client, TRANSFER, 21);
            Promise<Summary> fromServer = Streams.send(server, TRANSFER, 22);
            sent = transfer(fromClient.flatMap(a -> fromServer.map(b -> List.of(a, b))));
            received = transfer(atServer.flatMap(a -> atClient.map(b -> List.of(a, b))));
            System.out.println(cost.report("both ways between dom0 and the guest's libxenvchan", TRANSFER));
        } finally {
            pinned.close();
            xl(PATIENCE, "vcpu-pin", "0", "0", "all");
        }
        boolean bothLive = client.peerConnected() && server.peerConnected();
        run(client.close());
        Flow.Read afterClose = run(server.read());
        run(server.close());

        assertEquals(ROUND_TRIPS, matched, "every message came back as sent");
        assertEquals(TRANSFER, sent.get(0).bytes());
        assertEquals(sent, received, "both transfers arrived whole and in order (count and CRC-32)");
        assertTrue(bothLive, "both libxenvchan ends in the guest set their live bytes");
        assertSame(Flow.END_OF_STREAM, afterClose, "closing vchan A ends vchan B: the guest's proxies passed the close on");
    }

    /**
     * Sends each message from the client, reads it at the server, sends it back from the server
     * and reads it at the client, before the next.
     */
    private static Promise<Integer> roundTrips(Flow client, Flow server, int done) {
        if (done == ROUND_TRIPS) {
            return Promise.of(done);
        }
        String message = "domU round trip " + done + " " + "y".repeat(done * 11) + "\n";
        return client.write(bytes(message))
                .flatMap(v -> Streams.readText(server, message.length()))
                .flatMap(there -> server.write(bytes(there)))
                .flatMap(v -> Streams.readText(client, message.length()))
                .flatMap(back -> back.equals(message)
                        ? roundTrips(client, server, done + 1)
                        : Promise.rejected(new AssertionError("round trip " + done + ": sent " + message + " got " + back)));
    }

    /**
     * Puts the whole conversation on physical CPU 0: the test thread and this JVM's event-channel
     * interrupts on dom0's vCPU 0 ({@link OneCpu}), that vCPU and the guest's one vCPU on it. Under
     * emulation each physical CPU is a host thread, and an event for a vCPU on the other one waits
     * for the host to schedule that thread: 46-67 ms per KiB each way on a host with load 10,
     * against 10.6 ms on one physical CPU (see docs/xen.md).
     */
    private OneCpu onePhysicalCpu() throws IOException, InterruptedException {
        xl(PATIENCE, "vcpu-pin", NAME, "0", "0");
        xl(PATIENCE, "vcpu-pin", "0", "0", "0");
        try {
            return OneCpu.pin();
        } catch (IOException e) {
            xl(PATIENCE, "vcpu-pin", "0", "0", "all");
            throw e;
        }
    }

    /** Starts the guest; returns its domain id. A guest that does not start fails the test with xl's words. */
    private int createGuest() throws IOException, InterruptedException {
        Path config = dir.resolve("guest.cfg");
        Files.writeString(config, String.join("\n",
                "name = \"" + NAME + "\"",
                "type = \"pv\"",
                "kernel = \"/tmp/domu-kernel\"",
                "ramdisk = \"/tmp/domu.cpio\"",
                "extra = \"console=hvc0 quiet loglevel=4\"",
                "memory = 96",
                "vcpus = 1",
                "on_poweroff = \"destroy\"",
                "on_crash = \"destroy\"", ""));
        assertTrue(Files.isReadable(Path.of("/tmp/domu-kernel")) && Files.isReadable(Path.of("/tmp/domu.cpio")),
                "the stage's dom0 copied the guest's kernel and image to /tmp (init.sh)");
        return xl().create(config, NAME, BOOT_PATIENCE, PATIENCE);
    }

    /** Waits, bounded, for proxy A's state key to say {@code running}; fails with the guest's console if it never does. */
    private void awaitReady(String key) {
        try {
            dom0.loop.run(dom0.loop.withTimeout(BOOT_PATIENCE,
                    dom0.store.watch(key).flatMap(watch -> untilRunning(watch, key).andFinally(watch::unwatch))));
        } catch (RuntimeException e) {
            throw new AssertionError("the guest's vchan peers never became ready (" + e + "); its console: " + console(), e);
        }
    }

    private Promise<Void> untilRunning(Watch watch, String key) {
        return watch.events().next()
                .flatMap(event -> dom0.store.read(key).recover(e -> e instanceof XenStoreException x
                        && x.error() == XsError.ENOENT ? Promise.of("") : Promise.rejected(e)))
                .flatMap(value -> value.equals("running") ? Promise.unit() : untilRunning(watch, key));
    }

    /** Runs xl with {@code args}, bounded; returns its output, or fails with it. */
    private String xl(Duration patience, String... args) throws IOException, InterruptedException {
        return xl().run(patience, args);
    }

    private Xl xl() {
        return new Xl(dir, () -> console());
    }


    private static String console() {
        try {
            List<String> lines = Files.readAllLines(CONSOLE_LOG, StandardCharsets.ISO_8859_1);
            return lines.isEmpty() ? "(empty)" : String.join(" | ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no console log: " + e + ")";
        }
    }

    private <T> T transfer(Promise<T> promise) {
        return dom0.loop.run(dom0.loop.withTimeout(TRANSFER_PATIENCE, promise));
    }

    private <T> T run(Promise<T> promise) {
        return dom0.run(promise);
    }
}
