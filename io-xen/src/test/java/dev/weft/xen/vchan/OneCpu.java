package dev.weft.xen.vchan;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a vchan conversation in dom0 on one virtual CPU for a transfer: the test thread (the
 * Weft loop), the C peers' processes and the interrupts of their event channels all go to vCPU 0.
 *
 * <p>Why: under QEMU's software emulation each of dom0's vCPUs is a host thread, and an event for
 * a process on the other vCPU (or whose interrupt lands there) wakes that host thread. On a loaded
 * host such a wakeup waits for a host CPU, 10-30 ms; a libxenvchan peer with 1 KiB rings needs
 * one or two per KiB. Measured in dom0 (2 MiB through vchan-socket-proxy as server, host load
 * about 10): 14-31 ms per KiB spread over both vCPUs, 5.8 ms with the processes on one vCPU,
 * 1.8 ms with their interrupts there too, when the loop is almost never blocked. Weft's side of
 * the protocol is the same either way (one notify per KiB); only where the wakeups land changes.
 *
 * <p>Test thread only; {@link #close()} gives the thread its CPUs back (the interrupts go with
 * their ports, which the test unbinds).
 */
final class OneCpu implements AutoCloseable {
    /** How /proc/interrupts names an event channel bound through /dev/xen/evtchn: its process's name. */
    private static final List<String> EVTCHN_OWNERS = List.of("evtchn:java", "evtchn:vchan-socket-pr");

    private final long thread;
    private final String allowed;

    private OneCpu(long thread, String allowed) {
        this.thread = thread;
        this.allowed = allowed;
    }

    /**
     * Moves the calling thread, the processes {@code peers}, and every event-channel interrupt of
     * this JVM and of vchan-socket-proxy processes to vCPU 0.
     *
     * @throws IOException if an affinity cannot be set (the test then fails, naming it)
     */
    static OneCpu pin(long... peers) throws IOException {
        long thread = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        String allowed = cpusAllowed(thread);
        taskset("0", thread);
        for (long peer : peers) {
            taskset("0", peer);
        }
        for (String irq : evtchnIrqs()) {
            Files.writeString(Path.of("/proc/irq", irq, "smp_affinity"), "1");
        }
        return new OneCpu(thread, allowed);
    }

    /** The CPUs a thread may run on, as a list ("0-1"), from its status. */
    private static String cpusAllowed(long thread) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/task/" + thread + "/status")).stream()
                .filter(line -> line.startsWith("Cpus_allowed_list:"))
                .map(line -> line.substring(line.indexOf(':') + 1).strip())
                .findFirst().orElseThrow(() -> new IOException("no Cpus_allowed_list for thread " + thread));
    }

    /** The interrupt numbers of the event channels of this JVM and of the proxies, from /proc/interrupts. */
    private static List<String> evtchnIrqs() throws IOException {
        List<String> irqs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/interrupts"))) {
            int colon = line.indexOf(':');
            if (colon > 0 && EVTCHN_OWNERS.stream().anyMatch(line::contains)) {
                irqs.add(line.substring(0, colon).strip());
            }
        }
        if (irqs.isEmpty()) {
            throw new IOException("no event-channel interrupt of java or vchan-socket-proxy in /proc/interrupts");
        }
        return irqs;
    }

    /** Runs busybox's taskset on {@code pid} (a thread id is a pid to it). */
    private static void taskset(String cpus, long pid) throws IOException {
        Path output = Files.createTempFile("taskset", ".out");
        try {
            Process taskset = new ProcessBuilder("taskset", "-p", "-c", cpus, Long.toString(pid))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!taskset.waitFor(60, TimeUnit.SECONDS) || taskset.exitValue() != 0) {
                taskset.destroyForcibly();
                throw new IOException("taskset -p -c " + cpus + " " + pid + " failed: "
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running taskset", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Override
    public void close() throws IOException {
        taskset(allowed, thread);
    }
}
