package dev.weft.xen.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux's {@code /dev/xen/privcmd}, the two calls a guest's user space needs to drive a ring the
 * kernel set up for it: mapping a machine frame ({@code IOCTL_PRIVCMD_MMAPBATCH_V2}, here one frame
 * of this domain itself, {@link #DOMID_SELF}) and sending an event on a port the kernel bound
 * ({@code EVTCHNOP_send} through {@code IOCTL_PRIVCMD_HYPERCALL}). Its use is a PV guest's primary
 * console, whose frame and port xenstore names ({@code console/ring-ref}, an MFN for a PV guest,
 * and {@code console/port}) and whose port the kernel's {@code hvc_xen} holds, so {@code
 * /dev/xen/evtchn} cannot bind it.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (the argument buffers are reused from call to call). Mapped
 * frames stay mapped until {@link #close()}, after which their segments refuse access.
 */
public final class LinuxPrivcmd implements AutoCloseable {

    /** Xen's name for the calling domain ({@code DOMID_SELF}). */
    public static final int DOMID_SELF = 0x7FF0;

    /** {@code struct privcmd_hypercall}: {@code u64 op; u64 arg[5]}. */
    private static final long HYPERCALL_BYTES = 48;
    /** {@code struct privcmd_mmapbatch_v2}: {@code u32 num; u16 dom; u64 addr; u64 *arr; int *err}. */
    private static final long MMAPBATCH_V2_BYTES = 32;
    private static final long IOCTL_PRIVCMD_HYPERCALL = DeviceAbi.ioc(DeviceAbi.IOC_NONE, 'P', 0, HYPERCALL_BYTES);
    private static final long IOCTL_PRIVCMD_MMAPBATCH_V2 = DeviceAbi.ioc(DeviceAbi.IOC_NONE, 'P', 4, MMAPBATCH_V2_BYTES);
    /** {@code __HYPERVISOR_event_channel_op} and its {@code EVTCHNOP_send} command. */
    private static final int HYPERVISOR_EVENT_CHANNEL_OP = 32;
    private static final int EVTCHNOP_SEND = 4;

    private final DeviceFile device;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment hypercall = arena.allocate(HYPERCALL_BYTES, 8);
    /** {@code struct evtchn_send}: the port, in memory the hypervisor reads. */
    private final MemorySegment send = arena.allocate(JAVA_INT);
    private final MemorySegment batch = arena.allocate(MMAPBATCH_V2_BYTES, 8);
    private final MemorySegment frames = arena.allocate(JAVA_LONG);
    private final MemorySegment errors = arena.allocate(JAVA_INT);
    private final List<Arena> mappings = new ArrayList<>();
    private boolean closed;

    private LinuxPrivcmd(DeviceFile device) {
        this.device = device;
    }

    /**
     * Opens {@code /dev/xen/privcmd}.
     *
     * @throws NotInXenDomainException if there is no such device (not in a Xen domain, or the
     *     xen-privcmd module is not loaded)
     */
    public static LinuxPrivcmd open() {
        return open(LinuxXenPlatform.DEVICES.resolve("privcmd"));
    }

    /** Opens the privcmd device at {@code path}. */
    public static LinuxPrivcmd open(Path path) {
        return new LinuxPrivcmd(DeviceFile.open(path, false));
    }

    /**
     * Maps machine frame {@code frame} of {@code domain} ({@link #DOMID_SELF} for this domain's
     * own) read-write, as one page: a PV guest's frames are machine frames (MFNs). The page stays
     * mapped until {@link #close()}.
     *
     * @throws ErrnoException for the mmap, the ioctl, or the frame's own error (EPERM, EINVAL:
     *     the frame is not the domain's, or the domain may not map it)
     */
    public MemorySegment mapFrame(int domain, long frame) {
        ensureOpen();
        String detail = "domain " + domain + ", frame " + frame;
        long address = device.mmap(DeviceAbi.PAGE_BYTES, true, 0, detail);
        Arena mapping = Arena.ofShared();
        MemorySegment page = Libc.mapped(address, DeviceAbi.PAGE_BYTES, mapping,
                () -> Libc.munmap(address, DeviceAbi.PAGE_BYTES));
        try {
            frames.set(JAVA_LONG, 0, frame);
            errors.set(JAVA_INT, 0, 0);
            batch.fill((byte) 0);
            batch.set(JAVA_INT, 0, 1);
            batch.set(JAVA_SHORT, 4, (short) domain);
            batch.set(JAVA_LONG, 8, address);
            batch.set(JAVA_LONG, 16, frames.address());
            batch.set(JAVA_LONG, 24, errors.address());
            device.ioctl("IOCTL_PRIVCMD_MMAPBATCH_V2", IOCTL_PRIVCMD_MMAPBATCH_V2, batch, detail);
            int error = errors.get(JAVA_INT, 0);
            if (error != 0) {
                throw ErrnoException.of("ioctl", device.path + " IOCTL_PRIVCMD_MMAPBATCH_V2, " + detail, -error);
            }
        } catch (RuntimeException e) {
            mapping.close();
            throw e;
        }
        mappings.add(mapping);
        return page;
    }

    /**
     * Sends an event on {@code port}, a port of this domain bound by anyone (the kernel
     * included), to its remote end: the {@code EVTCHNOP_send} hypercall.
     *
     * @throws ErrnoException as the hypervisor answers (EINVAL: no such port; ENOTCONN: not bound)
     */
    public void sendEvent(int port) {
        ensureOpen();
        send.set(JAVA_INT, 0, port);
        hypercall.fill((byte) 0);
        hypercall.set(JAVA_LONG, 0, HYPERVISOR_EVENT_CHANNEL_OP);
        hypercall.set(JAVA_LONG, 8, EVTCHNOP_SEND);
        hypercall.set(JAVA_LONG, 16, send.address());
        device.ioctl("IOCTL_PRIVCMD_HYPERCALL", IOCTL_PRIVCMD_HYPERCALL, hypercall, "EVTCHNOP_send, port " + port);
    }

    /** Unmaps every mapped frame and closes the device. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (Arena mapping : mappings) {
                mapping.close();
            }
            mappings.clear();
        } finally {
            arena.close();
            device.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(device.path + " is closed");
        }
    }

    @Override
    public String toString() {
        return "LinuxPrivcmd[" + device + "]";
    }
}
