package dev.weft.xen.linux;

import static dev.weft.xen.linux.DeviceAbi.GNTDEV_GRANT_REF;
import static dev.weft.xen.linux.DeviceAbi.GNTDEV_MAP_GRANT_REF;
import static dev.weft.xen.linux.DeviceAbi.GRANT_REF_DOMID;
import static dev.weft.xen.linux.DeviceAbi.GRANT_REF_REF;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTDEV_MAP_GRANT_REF;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTDEV_SET_MAX_GRANTS;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTDEV_UNMAP_GRANT_REF;
import static dev.weft.xen.linux.DeviceAbi.MAP_COUNT;
import static dev.weft.xen.linux.DeviceAbi.MAP_INDEX;
import static dev.weft.xen.linux.DeviceAbi.MAP_REFS;
import static dev.weft.xen.linux.DeviceAbi.PAGE_BYTES;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Linux's {@code /dev/xen/gntdev} as a {@link GrantMapper}: {@code IOCTL_GNTDEV_MAP_GRANT_REF}
 * reserves an offset in the device for a list of {domain, grant} pairs, an {@code mmap} at that
 * offset maps the foreign pages, and closing a mapping unmaps it ({@code munmap}) and then
 * releases the offset ({@code IOCTL_GNTDEV_UNMAP_GRANT_REF}), the order gntdev.h asks for.
 *
 * <p><b>Threading: all operations MUST be called on the thread of the loop that owns the
 * handle.</b> Mapped memory may be read and written from any thread until its mapping closes.
 *
 * <p>A read-only mapping's segment is read-only too, so a stray write fails with an exception
 * instead of a fault that would kill the JVM.
 */
public final class LinuxGrantMapper implements GrantMapper {

    private final DeviceFile device;

    private LinuxGrantMapper(DeviceFile device) {
        this.device = device;
    }

    /**
     * Opens the grant mapper at {@code path} (normally {@code /dev/xen/gntdev}).
     *
     * @throws NotInXenDomainException if it is missing
     * @throws ErrnoException if it cannot be opened (EACCES: it is root's)
     */
    public static LinuxGrantMapper open(Path path) {
        return new LinuxGrantMapper(DeviceFile.open(path, false));
    }

    /**
     * {@code IOCTL_GNTDEV_SET_MAX_GRANTS}: caps how many grants this handle may map at once.
     * Linux removed this ioctl (since 4.x the module parameter {@code xen_gntdev.limit} caps all
     * users together), so on a current kernel it fails with ENOTTY, reported here as {@code false}.
     *
     * @return whether the kernel took the cap
     * @throws ErrnoException for any failure other than the ioctl being unknown
     */
    public boolean setMaxGrants(int count) {
        device.argument.set(JAVA_INT, 0, count);
        int r = Libc.ioctl(device.fd, IOCTL_GNTDEV_SET_MAX_GRANTS, device.argument);
        if (r == -Errno.ENOTTY.number()) {
            return false;
        }
        if (r < 0) {
            throw device.failure(r, "IOCTL_GNTDEV_SET_MAX_GRANTS", "count " + count);
        }
        return true;
    }

    /**
     * Maps the pages {@code domain} granted under {@code refs}, contiguously and in order.
     *
     * @throws IllegalArgumentException if {@code refs} is empty
     * @throws IllegalStateException if the mapper is closed
     * @throws ErrnoException naming the ioctl or the mmap, the domain and the references (a
     *     reference not granted to this domain fails the mmap, with EINVAL or EFAULT)
     */
    @Override
    public LinuxMappedPages map(int domain, List<GrantRef> refs, boolean writable) {
        int count = refs.size();
        if (count == 0) {
            throw new IllegalArgumentException("no grant references to map");
        }
        if (device.isClosed()) {
            throw new IllegalStateException(device.path + " is closed");
        }
        String detail = "domain " + domain + ", " + refs + (writable ? ", writable" : ", read-only");
        long index;
        try (Arena call = Arena.ofConfined()) {
            long entry = GNTDEV_GRANT_REF.byteSize();
            MemorySegment op = call.allocate(DeviceAbi.variableSize(GNTDEV_MAP_GRANT_REF, MAP_REFS, entry, count), 8);
            op.set(JAVA_INT, MAP_COUNT, count);
            for (int i = 0; i < count; i++) {
                op.set(JAVA_INT, MAP_REFS + i * entry + GRANT_REF_DOMID, domain);
                op.set(JAVA_INT, MAP_REFS + i * entry + GRANT_REF_REF, refs.get(i).value());
            }
            device.ioctl("IOCTL_GNTDEV_MAP_GRANT_REF", IOCTL_GNTDEV_MAP_GRANT_REF, op, detail);
            index = op.get(JAVA_LONG, MAP_INDEX);
        }
        long bytes = (long) count * PAGE_BYTES;
        long address;
        try {
            address = device.mmap(bytes, writable, index, detail);
        } catch (RuntimeException e) {
            try {
                device.releaseRange("IOCTL_GNTDEV_UNMAP_GRANT_REF", IOCTL_GNTDEV_UNMAP_GRANT_REF, index, count);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        return new LinuxMappedPages(new Mapping(device, index, count, address, writable));
    }

    /**
     * Closes the device. Mappings still open stay valid until each is closed; their {@link
     * LinuxMappedPages#close()} then only unmaps (the kernel releases the grants when the last
     * mapping goes). Idempotent.
     */
    @Override
    public void close() {
        device.close();
    }

    @Override
    public String toString() {
        return "LinuxGrantMapper[" + device + "]";
    }
}
