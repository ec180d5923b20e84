package dev.weft.xen.console;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.linux.KernelBoundPorts;
import dev.weft.xen.linux.LinuxPrivcmd;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Weft program that {@link PrimaryConsoleRealXenTest} runs inside a PV guest (the stage's
 * {@code console-domu-init.sh} starts it): it writes {@link #payload} to the guest's own primary
 * console with {@link XenConsole}, over the console frame mapped through {@code
 * /dev/xen/privcmd} and the kernel's console port, notified through privcmd and re-checked on a
 * timer ({@link KernelBoundPorts}). Every line is queued at once, so the writes wait for ring
 * space again and again while xenconsoled in dom0 drains the 2 KiB ring.
 *
 * <p>Arguments: the console's machine frame ({@code console/ring-ref}), its port ({@code
 * console/port}), and the number of payload lines. Prints one line to stdout (a file, never the
 * console): {@code wrote <bytes> bytes in <ms> ms (main from uptime <s> s)}, the time from the
 * first write to the last byte in the ring and when {@code main} began; exits 1 with the failure
 * otherwise.
 */
public final class GuestConsoleWriter {
    /** How often the writer looks at the ring again: it never sees xenconsoled's events. */
    static final Duration RECHECK = Duration.ofMillis(2);
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    private GuestConsoleWriter() {}

    /** Entry point in the guest; see the class comment for the arguments. */
    public static void main(String[] args) {
        long frame = Long.parseLong(args[0]);
        int port = Integer.parseInt(args[1]);
        int lines = Integer.parseInt(args[2]);
        String mainAt = uptime();
        Engine engine = Engines.open(EngineKind.EPOLL);
        Loop loop = Loop.builder().name("guest-console").engine(engine).build();
        try (LinuxPrivcmd privcmd = LinuxPrivcmd.open();
             KernelBoundPorts ports = KernelBoundPorts.open(privcmd, RECHECK)) {
            MemorySegment page = privcmd.mapFrame(LinuxPrivcmd.DOMID_SELF, frame);
            EventChannels channels = EventChannels.on(loop, ports);
            channels.watchBound(ports.adopt(port));
            XenConsole console = XenConsole.frontend(page, channels, port);
            long start = System.nanoTime();
            List<Promise<Void>> writes = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                writes.add(console.write(MemorySegment.ofArray(line(i, lines))));
            }
            loop.run(loop.withTimeout(PATIENCE, Promise.join(writes)));
            long written = console.bytesWritten();
            loop.run(console.close());
            channels.close();
            System.out.println("wrote " + written + " bytes in " + (System.nanoTime() - start) / 1_000_000
                    + " ms (main from uptime " + mainAt + " s)");
        } catch (RuntimeException | Error e) {
            e.printStackTrace(System.out);
            System.exit(1);
        } finally {
            loop.close();
        }
    }

    /** Seconds since the guest booted, from /proc/uptime: where the JVM's start shows against /init's. */
    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/uptime")).split(" ")[0];
        } catch (IOException e) {
            return "unknown (" + e + ")";
        }
    }

    /** The bytes the guest writes: {@code lines} lines, each naming its number and a rotating pattern. */
    static byte[] payload(int lines) {
        var out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < lines; i++) {
            out.writeBytes(line(i, lines));
        }
        return out.toByteArray();
    }

    private static final String PATTERN = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-+";

    private static byte[] line(int i, int lines) {
        int r = i % PATTERN.length();
        String text = String.format("weft-console %05d/%05d %s%s\n", i + 1, lines,
                PATTERN.substring(r), PATTERN.substring(0, r));
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
