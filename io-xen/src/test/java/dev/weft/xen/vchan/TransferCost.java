package dev.weft.xen.vchan;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopMetrics;
import dev.weft.xen.evtchn.EventChannelDevice;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the time of a real-Xen transfer goes, for the test to print beside its result: wall time
 * per KiB, the Weft loop's busy and blocked time, its event-channel operations (reports taken,
 * unmasks, notifies) and the CPU time of the JVM and of the C peer's process. Test thread only.
 */
final class TransferCost {
    private final Loop loop;
    private final Counting device;
    private final long peerPid;
    private final Sample start;

    private TransferCost(Loop loop, Counting device, long peerPid) {
        this.loop = loop;
        this.device = device;
        this.peerPid = peerPid;
        this.start = sample();
    }

    /** Starts measuring now; {@code peerPid} is the C peer's process in this domain, or -1. */
    static TransferCost start(Loop loop, Counting device, long peerPid) {
        return new TransferCost(loop, device, peerPid);
    }

    /** One line: what the transfer of {@code bytes} cost since {@link #start}, per KiB. */
    String report(String what, long bytes) {
        Sample end = sample();
        double kib = bytes / 1024.0;
        return String.format("weft-cost: %s: %d KiB in %.1f s, %.3f ms/KiB wall; per KiB: Weft loop busy %.3f ms,"
                        + " blocked %.3f ms, %.2f iterations, %.2f reports taken, %.2f unmasks, %.2f notifies;"
                        + " CPU per KiB: JVM %.3f ms, peer %.3f ms",
                what, bytes / 1024, (end.wall - start.wall) / 1e9, (end.wall - start.wall) / 1e6 / kib,
                (end.busy - start.busy) / 1e6 / kib, (end.blocked - start.blocked) / 1e6 / kib,
                (end.iterations - start.iterations) / kib, (end.takes - start.takes) / kib,
                (end.unmasks - start.unmasks) / kib, (end.notifies - start.notifies) / kib,
                (end.jvmCpu - start.jvmCpu) / 1e6 / kib, (end.peerCpu - start.peerCpu) / 1e6 / kib);
    }

    private Sample sample() {
        LoopMetrics metrics = loop.metrics();
        return new Sample(System.nanoTime(), metrics.nanosBusy(), metrics.nanosBlocked(), metrics.iterations(),
                device.takes, device.unmasks, device.notifies,
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(),
                peerPid < 0 ? 0 : processCpuNanos(peerPid));
    }

    /** utime + stime of a process, from /proc (clock ticks of 10 ms on Debian's kernels). */
    private static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            List<String> fields = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
            return (Long.parseLong(fields.get(11)) + Long.parseLong(fields.get(12))) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private record Sample(long wall, long busy, long blocked, long iterations, long takes, long unmasks,
                          long notifies, long jvmCpu, long peerCpu) {}

    /** An event-channel device that counts the operations a transfer costs. */
    static final class Counting implements EventChannelDevice {
        private final EventChannelDevice device;
        long takes;
        long unmasks;
        long notifies;

        Counting(EventChannelDevice device) {
            this.device = device;
        }

        @Override
        public int fd() {
            return device.fd();
        }

        @Override
        public int bindInterdomain(int remoteDomain, int remotePort) {
            return device.bindInterdomain(remoteDomain, remotePort);
        }

        @Override
        public int bindUnboundPort(int remoteDomain) {
            return device.bindUnboundPort(remoteDomain);
        }

        @Override
        public int bindVirq(int virq) {
            return device.bindVirq(virq);
        }

        @Override
        public void unbind(int port) {
            device.unbind(port);
        }

        @Override
        public void notify(int port) {
            notifies++;
            device.notify(port);
        }

        @Override
        public int takePending(int[] ports) {
            takes++;
            return device.takePending(ports);
        }

        @Override
        public void unmask(int port) {
            unmasks++;
            device.unmask(port);
        }

        @Override
        public void reset() {
            device.reset();
        }

        @Override
        public void close() {
            device.close();
        }
    }
}
