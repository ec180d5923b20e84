package dev.weft.xen.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.xen.linux.XenStoreFlows;
import dev.weft.xen.linux.Xl;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Weft program's {@link XenConsole} writing a PV guest's primary console, read by the real
 * backend, xenconsoled in dom0. The test starts a guest with {@code xl create} whose /init (the
 * stage's {@code console-domu-init.sh}) runs {@link GuestConsoleWriter} in a JVM inside the guest;
 * the guest's kernel prints nothing to that console meanwhile ({@code loglevel=1}, /init's output
 * goes to a file). The writer queues {@value #LINES} lines (about 70 times the 2 KiB output ring),
 * so its writes wait for ring space again and again while xenconsoled drains it; the test then
 * checks that xenconsoled's log of the guest's console holds exactly those bytes, in order, once.
 *
 * <p>Tagged real-xen: run by {@code ./weft test --xen} in dom0, which runs xenconsoled with
 * {@code --log=guest} (raw bytes, no timestamps) and provides the guest's kernel in /tmp; the
 * guest's image is the stage's {@code console-domu.cpio} (a jlinked runtime) followed by {@code
 * console-app.cpio} (io-xen's jars and test classes), concatenated here into one initramfs.
 */
@Tag("real-xen")
class PrimaryConsoleRealXenTest {
    private static final String NAME = "weft-console-writer";
    private static final Path CONSOLE_LOG = Path.of("/var/log/xen/guest-" + NAME + ".log");
    private static final Path KERNEL = Path.of("/tmp/domu-kernel");
    private static final List<Path> IMAGE_PARTS =
            List.of(Path.of("/mnt/image/console-domu.cpio"), Path.of("/mnt/app/console-app.cpio"));
    private static final Path IMAGE = Path.of("/tmp/console-guest.cpio");
    private static final int LINES = 2000;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** Creating the domain, booting it and starting a JVM in it, under emulation on a loaded host. */
    private static final Duration GUEST_PATIENCE = Duration.ofMinutes(8);

    private Path dir;
    private Loop loop;
    private XenStore store;
    private int domain = -1;

    @BeforeEach
    void open() throws IOException {
        dir = Files.createTempDirectory("weft-console");
        Engine engine = Engines.open(EngineKind.EPOLL);
        loop = Loop.builder().name("console-test").engine(engine).build();
        Sockets sockets = Sockets.on(loop, engine);
        store = XenStore.over(run(XenStoreFlows.connectSocket(sockets, PATIENCE)), loop);
    }

    @AfterEach
    void close() throws Exception {
        try {
            if (domain >= 0) {
                xl(PATIENCE, "destroy", NAME);
            }
            run(store.close());
            loop.close();
        } finally {
            Files.deleteIfExists(IMAGE);
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void aWeftConsoleInAGuestWritesItsPrimaryConsoleAndXenconsoledLogsExactlyThoseBytes() throws Exception {
        byte[] payload = GuestConsoleWriter.payload(LINES);
        long start = System.nanoTime();
        domain = createGuest();
        String result = awaitResult("/local/domain/" + domain + "/data/console-result");
        System.out.printf("console: guest %d reported after %d ms: %s%n", domain, (System.nanoTime() - start) / 1_000_000, result);
        assertTrue(result.startsWith("rc=0 wrote " + payload.length + " bytes"),
                "the guest's Weft program wrote every byte: " + result);
        byte[] logged = awaitLogged(payload);

        int at = indexOf(logged, payload, 0);
        assertTrue(at >= 0, "xenconsoled logged the payload whole and in order; its log ends with: " + tail(logged));
        assertEquals(-1, indexOf(logged, payload, at + 1), "the payload appears once");
        assertArrayEquals(payload, Arrays.copyOfRange(logged, at, at + payload.length));
    }

    /** Starts the guest; returns its domain id. A guest that does not start fails the test with xl's words. */
    private int createGuest() throws IOException, InterruptedException {
        assertTrue(Files.isReadable(KERNEL), "the stage's dom0 copied the guest's kernel to /tmp (init.sh)");
        try (OutputStream out = Files.newOutputStream(IMAGE)) {
            for (Path part : IMAGE_PARTS) {
                Files.copy(part, out);   // the kernel unpacks concatenated newc archives in turn
            }
        }
        Path config = dir.resolve("guest.cfg");
        Files.writeString(config, String.join("\n",
                "name = \"" + NAME + "\"",
                "type = \"pv\"",
                "kernel = \"" + KERNEL + "\"",
                "ramdisk = \"" + IMAGE + "\"",
                // loglevel=1: the kernel prints nothing but emergencies on the console the Weft program writes.
                "extra = \"console=hvc0 loglevel=1 weft_console_lines=" + LINES + "\"",
                "memory = 448",
                "vcpus = 2",
                "on_poweroff = \"destroy\"",
                "on_crash = \"destroy\"", ""));
        return xl().create(config, NAME, GUEST_PATIENCE, PATIENCE);
    }

    /** Waits, bounded, for the guest's /init to write the writer's result; fails with the guest's console if it never does. */
    private String awaitResult(String key) {
        try {
            return loop.run(loop.withTimeout(GUEST_PATIENCE,
                    store.watch(key).flatMap(watch -> untilWritten(watch, key).andFinally(watch::unwatch))));
        } catch (RuntimeException e) {
            throw new AssertionError("the guest's console writer never reported (" + e + "); its console: "
                    + tail(logged()), e);
        }
    }

    private Promise<String> untilWritten(Watch watch, String key) {
        return watch.events().next()
                .flatMap(event -> store.read(key).recover(e -> e instanceof XenStoreException x
                        && x.error() == XsError.ENOENT ? Promise.of("") : Promise.rejected(e)))
                .flatMap(value -> value.isEmpty() ? untilWritten(watch, key) : Promise.of(value));
    }

    /**
     * The console log once it holds the payload's last byte. xenconsoled advances the ring's
     * consumer index before it appends to the log, so the guest may report before the log has the
     * last bytes; nothing tells when it has, so the log is read again every 100 ms, for at most
     * {@link #PATIENCE}.
     */
    private static byte[] awaitLogged(byte[] payload) throws InterruptedException {
        byte[] end = Arrays.copyOfRange(payload, payload.length - 200, payload.length);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        byte[] logged = logged();
        while (indexOf(logged, end, 0) < 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            logged = logged();
        }
        return logged;
    }

    private static byte[] logged() {
        try {
            return Files.readAllBytes(CONSOLE_LOG);
        } catch (IOException e) {
            return ("(no console log: " + e + ")").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String tail(byte[] log) {
        String text = new String(log, Math.max(0, log.length - 1500), Math.min(log.length, 1500), StandardCharsets.ISO_8859_1);
        return text.replace("\n", " | ");
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Runs xl with {@code args}, bounded; returns its output, or fails with it. */
    private String xl(Duration patience, String... args) throws IOException, InterruptedException {
        return xl().run(patience, args);
    }

    private Xl xl() {
        return new Xl(dir, () -> tail(logged()));
    }

    private <T> T run(Promise<T> promise) {
        return loop.run(loop.withTimeout(PATIENCE, promise));
    }
}
