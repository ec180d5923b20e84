package dev.weft.xen.linux;

import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTDEV_SET_UNMAP_NOTIFY;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTDEV_UNMAP_GRANT_REF;


import dev.weft.xen.grant.MappedPages;
import java.lang.foreign.MemorySegment;

/**
 * Another domain's pages mapped through {@code /dev/xen/gntdev}. Made by {@link
 * LinuxGrantMapper#map}. Everything read from them may change at any moment: read once,
 * validate, then use.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> for {@link #close()} and {@link #setUnmapNotify}; the
 * memory itself may be used from any thread until {@code close()}.
 */
public final class LinuxMappedPages implements MappedPages {

    private final Mapping mapping;

    LinuxMappedPages(Mapping mapping) {
        this.mapping = mapping;
    }

    /** The mapped pages; read-only if mapped so; refuses access after {@link #close()}. */
    @Override
    public MemorySegment memory() {
        return mapping.memory;
    }

    /**
     * Asks the kernel to notify {@code port} (a port bound in this domain; negative for none)
     * and, if {@code clearByte >= 0}, to zero that byte, when this mapping goes away: {@link #close()}, or the
     * process dying. This is how a backend tells its frontend it is gone.
     *
     * @param clearByte a byte offset within the pages, or negative for none
     * @throws IllegalArgumentException if {@code clearByte} is past the pages, or given for a
     *     read-only mapping (whose bytes the kernel cannot clear)
     * @throws IllegalStateException after {@link #close()} or once the mapper is closed
     * @throws dev.weft.unix.ErrnoException naming the ioctl (EINVAL: the port is not bound)
     */
    @Override
    public void setUnmapNotify(int clearByte, int port) {
        mapping.setUnmapNotify("IOCTL_GNTDEV_SET_UNMAP_NOTIFY", IOCTL_GNTDEV_SET_UNMAP_NOTIFY, clearByte, port);
    }

    /**
     * Unmaps the pages ({@code munmap}), then releases the grant mapping ({@code
     * UNMAP_GRANT_REF}) if the mapper is still open. Idempotent.
     *
     * @throws dev.weft.unix.ErrnoException if the kernel refuses the release
     */
    @Override
    public void close() {
        if (mapping.release()) {
            mapping.device.releaseRange("IOCTL_GNTDEV_UNMAP_GRANT_REF", IOCTL_GNTDEV_UNMAP_GRANT_REF, mapping.index, mapping.pages);
        }
    }

    @Override
    public String toString() {
        return "LinuxMappedPages[" + mapping.pages + " pages at index " + mapping.index
                + (mapping.isReleased() ? ", closed]" : "]");
    }
}
