package dev.weft.xen.linux;

import dev.weft.xen.XenPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@link XenPlatform} of a Linux Xen domain: its devices are the kernel's {@code
 * /dev/xen/evtchn}, {@code /dev/xen/gntalloc} and {@code /dev/xen/gntdev}, driven through
 * java.lang.foreign. The devices need root (or a udev rule that opens them to the user).
 *
 * <p><b>The domain id</b> is found once, when the platform is opened: 0 when {@code
 * /proc/xen/capabilities} says {@code control_d} (this is dom0: no xenstore round trip is
 * needed, and dom0 may be the one starting xenstored); otherwise the value of the xenstore key
 * {@code domid}, read with one blocking request over {@code /dev/xen/xenbus} before any loop
 * runs. A caller that already knows it passes it to {@link #open(Path, int)} and nothing is read.
 *
 * <p>Immutable; safe to share between threads. Each {@code open...} method opens a new device
 * handle, owned and closed by the caller and confined to its loop's thread.
 */
public final class LinuxXenPlatform implements XenPlatform {

    /** Where Linux puts the Xen devices. */
    public static final Path DEVICES = Path.of("/dev/xen");
    /** Where xenfs tells what this domain may do; {@code control_d} marks dom0. */
    static final Path CAPABILITIES = Path.of("/proc/xen/capabilities");

    private final Path devices;
    private final int domainId;

    private LinuxXenPlatform(Path devices, int domainId) {
        this.devices = devices;
        this.domainId = domainId;
    }

    /**
     * The platform of the domain this Linux runs in, its id found as the class notes say.
     *
     * @throws NotInXenDomainException if {@code /dev/xen/evtchn} is missing: not a Xen domain
     */
    public static LinuxXenPlatform open() {
        return open(DEVICES);
    }

    /**
     * The platform whose devices are in {@code devices} (normally {@link #DEVICES}), its domain
     * id found as the class notes say.
     *
     * @throws NotInXenDomainException if {@code devices/evtchn} is missing
     */
    public static LinuxXenPlatform open(Path devices) {
        requireDevices(devices);
        return new LinuxXenPlatform(devices, isControlDomain() ? 0 : XenbusDomainId.read(devices.resolve("xenbus")));
    }

    /**
     * The platform whose devices are in {@code devices}, for domain {@code domainId}, which is
     * taken as given.
     *
     * @throws NotInXenDomainException if {@code devices/evtchn} is missing
     * @throws IllegalArgumentException if {@code domainId} is negative
     */
    public static LinuxXenPlatform open(Path devices, int domainId) {
        if (domainId < 0) {
            throw new IllegalArgumentException("a domain id is not negative: " + domainId);
        }
        requireDevices(devices);
        return new LinuxXenPlatform(devices, domainId);
    }

    private static void requireDevices(Path devices) {
        Path evtchn = devices.resolve("evtchn");
        if (!Files.exists(evtchn)) {
            throw new NotInXenDomainException(evtchn, null);
        }
    }

    private static boolean isControlDomain() {
        if (!Files.isReadable(CAPABILITIES)) {
            return false;
        }
        try {
            return Files.readString(CAPABILITIES).contains("control_d");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + CAPABILITIES, e);
        }
    }

    @Override
    public int domainId() {
        return domainId;
    }

    /** The directory the devices are opened from. */
    public Path devices() {
        return devices;
    }

    /** Opens {@code evtchn}: see {@link LinuxEventChannels}. */
    @Override
    public LinuxEventChannels openEventChannels() {
        return LinuxEventChannels.open(devices.resolve("evtchn"));
    }

    /** Opens {@code gntalloc}: see {@link LinuxGrantAllocator}. */
    @Override
    public LinuxGrantAllocator openGrantAllocator() {
        return LinuxGrantAllocator.open(devices.resolve("gntalloc"));
    }

    /** Opens {@code gntdev}: see {@link LinuxGrantMapper}. */
    @Override
    public LinuxGrantMapper openGrantMapper() {
        return LinuxGrantMapper.open(devices.resolve("gntdev"));
    }

    @Override
    public String toString() {
        return "LinuxXenPlatform[domain " + domainId + ", " + devices + "]";
    }
}
