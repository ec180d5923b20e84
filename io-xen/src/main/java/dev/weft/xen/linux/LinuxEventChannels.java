package dev.weft.xen.linux;

import static dev.weft.xen.linux.DeviceAbi.IOCTL_EVTCHN_BIND_INTERDOMAIN;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_EVTCHN_BIND_UNBOUND_PORT;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_EVTCHN_BIND_VIRQ;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_EVTCHN_NOTIFY;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_EVTCHN_RESET;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_EVTCHN_UNBIND;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import dev.weft.xen.evtchn.EventChannelDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Set;
import org.agrona.collections.IntHashSet;

/**
 * Linux's {@code /dev/xen/evtchn} as an {@link EventChannelDevice}, through java.lang.foreign.
 *
 * <p><b>Threading: all operations MUST be called on the thread of the loop that owns the
 * handle</b> (the struct buffers are reused from call to call).
 *
 * <p><b>How the kernel device behaves, and what this class adds.</b> Each bind ioctl returns the
 * new local port, which starts unmasked. Xen marks a port bound with {@link #bindInterdomain}
 * pending at once (the unbound end may have missed events), so its first report is expected, and
 * spurious as far as the peer is concerned (seen in dom0 on Xen 4.17). When a port fires, the kernel masks it and appends it
 * (a u32) to this handle's report ring; {@link #fd()} polls readable while the ring is not empty.
 * {@link #takePending} reads the ring without blocking (the fd is {@code O_NONBLOCK}: EAGAIN
 * means none). A port stays masked, however often its peer notifies, until its u32 is written
 * back ({@link #unmask}); an event that came while it was masked stays pending in Xen and is
 * reported right after the unmask, so nothing is lost. Reports of ports this handle no longer
 * binds (a report read after {@link #unbind}) are dropped; a port number reused by a later bind
 * may see one spurious report, which consumers must tolerate anyway (a notification is a hint).
 *
 * <p>{@link #reset()} unbinds every port and then issues {@code IOCTL_EVTCHN_RESET}, which on
 * Linux only empties the report ring. If the ring ever overflows (EFBIG: the kernel lost
 * reports), the handle recovers the same way the kernel expects: it resets the ring and reports
 * every bound port once, spuriously for most, so that none stays masked forever.
 */
public final class LinuxEventChannels implements EventChannelDevice {

    /** The most ports one read returns: the kernel caps a read at a page of u32s. */
    private static final int MAX_REPORTS = DeviceAbi.PAGE_BYTES / Integer.BYTES;

    private final DeviceFile device;
    private final Arena arena = Arena.ofShared();
    /** The device's argument buffer: every evtchn struct fits (bind_interdomain, the largest, is 8 bytes). */
    private final MemorySegment argument;
    private final MemorySegment reports = arena.allocate((long) MAX_REPORTS * Integer.BYTES, Integer.BYTES);
    private final MemorySegment unmaskBuffer = arena.allocate(JAVA_INT);
    /** The ports this handle binds: looked up once per report, so a primitive set (no boxing). */
    private final IntHashSet bound = new IntHashSet();
    /** Reports owed after an overflow recovery, handed out before the ring is read again. */
    private final ArrayDeque<Integer> owed = new ArrayDeque<>();
    private boolean closed;

    private LinuxEventChannels(DeviceFile device) {
        this.device = device;
        this.argument = device.argument;
    }

    /**
     * Opens the event-channel device at {@code path} (normally {@code /dev/xen/evtchn}).
     *
     * @throws NotInXenDomainException if it is missing
     * @throws ErrnoException if it cannot be opened (EACCES: it is root's)
     */
    public static LinuxEventChannels open(Path path) {
        return new LinuxEventChannels(DeviceFile.open(path, true));
    }

    @Override
    public int fd() {
        return device.fd;
    }

    /** @throws ErrnoException naming the ioctl, the remote domain and port (EINVAL: no such port) */
    @Override
    public int bindInterdomain(int remoteDomain, int remotePort) {
        argument.set(JAVA_INT, 0, remoteDomain);
        argument.set(JAVA_INT, 4, remotePort);
        return bound(device.ioctl("IOCTL_EVTCHN_BIND_INTERDOMAIN", IOCTL_EVTCHN_BIND_INTERDOMAIN, argument,
                "remote domain " + remoteDomain + ", remote port " + remotePort));
    }

    /** @throws ErrnoException naming the ioctl and the remote domain (ESRCH: no such domain) */
    @Override
    public int bindUnboundPort(int remoteDomain) {
        argument.set(JAVA_INT, 0, remoteDomain);
        return bound(device.ioctl("IOCTL_EVTCHN_BIND_UNBOUND_PORT", IOCTL_EVTCHN_BIND_UNBOUND_PORT, argument,
                "remote domain " + remoteDomain));
    }

    /** @throws ErrnoException naming the ioctl and the VIRQ (EEXIST: bound already) */
    @Override
    public int bindVirq(int virq) {
        argument.set(JAVA_INT, 0, virq);
        return bound(device.ioctl("IOCTL_EVTCHN_BIND_VIRQ", IOCTL_EVTCHN_BIND_VIRQ, argument, "virq " + virq));
    }

    private int bound(int port) {
        bound.add(port);
        return port;
    }

    /** @throws ErrnoException naming the ioctl and the port (ENOTCONN: not bound by this handle) */
    @Override
    public void unbind(int port) {
        argument.set(JAVA_INT, 0, port);
        device.ioctl("IOCTL_EVTCHN_UNBIND", IOCTL_EVTCHN_UNBIND, argument, "port " + port);
        bound.remove(port);
    }

    /** @throws ErrnoException naming the ioctl and the port (ENOTCONN: not bound by this handle) */
    @Override
    public void notify(int port) {
        argument.set(JAVA_INT, 0, port);
        device.ioctl("IOCTL_EVTCHN_NOTIFY", IOCTL_EVTCHN_NOTIFY, argument, "port " + port);
    }

    /**
     * Reads the report ring without blocking; see the class notes for what is dropped and what
     * is owed after an overflow.
     *
     * @throws ErrnoException if the read fails for another reason than "nothing pending"
     */
    @Override
    public int takePending(int[] ports) {
        int taken = takeOwed(ports);
        while (taken == 0) {
            int wanted = Math.min(ports.length, MAX_REPORTS);
            if (wanted == 0) {
                return 0;
            }
            long r = Libc.read(device.fd, reports, (long) wanted * Integer.BYTES);
            if (r == -Errno.EAGAIN.number()) {
                return 0;
            }
            if (r == -Errno.EFBIG.number()) {
                recoverFromOverflow();
                return takeOwed(ports);
            }
            if (r < 0) {
                throw ErrnoException.of("read", device.path + " (pending ports)", (int) -r);
            }
            taken = keepBound(ports, (int) (r / Integer.BYTES));
        }
        return taken;
    }

    /** Copies the reports of ports still bound into {@code ports}; returns how many. */
    private int keepBound(int[] ports, int reported) {
        int kept = 0;
        for (int i = 0; i < reported; i++) {
            int port = reports.getAtIndex(JAVA_INT, i);
            if (bound.contains(port)) {
                ports[kept++] = port;
            }
        }
        return kept;
    }

    private int takeOwed(int[] ports) {
        int n = 0;
        while (n < ports.length && !owed.isEmpty()) {
            ports[n++] = owed.poll();
        }
        return n;
    }

    private void recoverFromOverflow() {
        device.ioctl("IOCTL_EVTCHN_RESET", IOCTL_EVTCHN_RESET, "after the report ring overflowed");
        owed.clear();
        owed.addAll(bound);
    }

    /**
     * Writes the port back, so the kernel unmasks it. A port this handle no longer binds is
     * ignored (as the kernel ignores it).
     *
     * @throws ErrnoException if the write fails
     */
    @Override
    public void unmask(int port) {
        unmaskBuffer.set(JAVA_INT, 0, port);
        long r = Libc.write(device.fd, unmaskBuffer, Integer.BYTES);
        if (r < 0) {
            throw ErrnoException.of("write", device.path + " (unmask port " + port + ")", (int) -r);
        }
    }

    /** Unbinds every port this handle bound, then empties the kernel's report ring. */
    @Override
    public void reset() {
        for (int port : bound.toArray(new Integer[0])) {
            unbind(port);
        }
        owed.clear();
        device.ioctl("IOCTL_EVTCHN_RESET", IOCTL_EVTCHN_RESET, "");
    }

    /** The ports this handle binds now, in no particular order. */
    public Set<Integer> boundPorts() {
        return Set.of(bound.toArray(new Integer[0]));
    }

    /** Closes the fd: the kernel unbinds every port of the handle. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        bound.clear();
        owed.clear();
        try {
            device.close();
        } finally {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "LinuxEventChannels[" + device + ", " + bound.size() + " ports]";
    }
}
