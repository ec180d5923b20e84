package dev.weft.xen.linux;

import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTALLOC_DEALLOC_GREF;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTALLOC_SET_UNMAP_NOTIFY;


import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.SharedPages;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Pages shared through {@code /dev/xen/gntalloc}: their grant references and their mapping in
 * this process. Made by {@link LinuxGrantAllocator#share}.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> for {@link #end()} and {@link #setUnmapNotify}; the
 * memory itself may be used from any thread until {@code end()}.
 *
 * <p><b>What {@link #end()} means on Linux.</b> gntalloc gives userspace no way to end a grant
 * itself, nor to ask whether the peer still maps a page. {@code end()} unmaps the pages from this
 * process and deallocates them (DEALLOC_GREF); the kernel then ends each grant as soon as the peer
 * no longer maps it, retrying on later gntalloc calls while the peer does, and frees the page only
 * after that. So this domain can never reuse a page the peer still maps, which is what {@link
 * EndAccess#BUSY} exists to prevent, and there is nothing left for the caller to retry:
 * {@code end()} returns {@link EndAccess#ENDED} once the pages are out of this process. What it
 * cannot promise is that the peer has already stopped mapping them; a peer that keeps a page
 * mapped keeps reading and writing what is now kernel memory, and the kernel counts it against
 * gntalloc's limit until it lets go.
 */
public final class LinuxSharedPages implements SharedPages {

    private final Mapping mapping;
    private boolean deallocated;
    private final List<GrantRef> refs;

    LinuxSharedPages(Mapping mapping, List<GrantRef> refs) {
        this.mapping = mapping;
        this.refs = List.copyOf(refs);
    }

    @Override
    public List<GrantRef> refs() {
        return refs;
    }

    @Override
    public MemorySegment memory() {
        return mapping.memory;
    }

    /**
     * Asks the kernel to notify {@code port} (a port bound in this domain; negative for none)
     * and, if {@code clearByte >= 0}, to zero that byte, when this side lets the pages go: {@link #end()}, or the
     * process dying. On gntalloc the notification tells the peer that the granting side is gone;
     * it does not fire when the peer unmaps.
     *
     * @param clearByte a byte offset within the pages, or negative for none
     * @throws IllegalArgumentException if {@code clearByte} is past the pages
     * @throws IllegalStateException after {@link #end()} or once the allocator is closed
     * @throws dev.weft.unix.ErrnoException naming the ioctl (EINVAL: the port is not bound)
     */
    @Override
    public void setUnmapNotify(int clearByte, int port) {
        mapping.setUnmapNotify("IOCTL_GNTALLOC_SET_UNMAP_NOTIFY", IOCTL_GNTALLOC_SET_UNMAP_NOTIFY, clearByte, port);
    }

    /**
     * Unmaps the pages and deallocates their grants; see the class notes for why this is {@link
     * EndAccess#ENDED} on Linux. After it, {@link #memory()} refuses access. Idempotent.
     *
     * @throws dev.weft.unix.ErrnoException if the kernel refuses the deallocation
     */
    @Override
    public EndAccess end() {
        mapping.release();
        if (!deallocated) {
            // Only a deallocation that succeeded counts: a retry after a refused ioctl must try it
            // again, not report ENDED while the grants still count against gntalloc's limit.
            mapping.device.releaseRange("IOCTL_GNTALLOC_DEALLOC_GREF", IOCTL_GNTALLOC_DEALLOC_GREF, mapping.index, mapping.pages);
            deallocated = true;
        }
        return EndAccess.ENDED;
    }

    @Override
    public String toString() {
        return "LinuxSharedPages[" + refs + (mapping.isReleased() ? ", ended]" : "]");
    }
}
