package dev.weft.xen.linux;

import static dev.weft.xen.linux.DeviceAbi.PAGE_BYTES;
import static dev.weft.xen.linux.DeviceAbi.UNMAP_NOTIFY_CLEAR_BYTE;
import static dev.weft.xen.linux.DeviceAbi.UNMAP_NOTIFY_SEND_EVENT;

import dev.weft.unix.libc.Libc;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.SharedPages;
import java.lang.foreign.Arena;
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

    private final LinuxGrantAllocator allocator;
    private final long index;
    private final List<GrantRef> refs;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private boolean ended;

    LinuxSharedPages(LinuxGrantAllocator allocator, long index, List<GrantRef> refs, long address, long bytes) {
        this.allocator = allocator;
        this.index = index;
        this.refs = List.copyOf(refs);
        this.memory = Libc.mapped(address, bytes, arena, () -> Libc.munmap(address, bytes));
    }

    @Override
    public List<GrantRef> refs() {
        return refs;
    }

    @Override
    public MemorySegment memory() {
        return memory;
    }

    /**
     * Asks the kernel to notify {@code port} (a port bound in this domain) and, if {@code
     * clearByte >= 0}, to zero that byte, when this side lets the pages go: {@link #end()}, or the
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
        if (clearByte >= memory.byteSize()) {
            throw new IllegalArgumentException("byte " + clearByte + " is past the " + memory.byteSize() + " shared bytes");
        }
        if (ended || allocator.isClosed()) {
            throw new IllegalStateException("the pages were ended or their allocator closed: nothing to attach a notification to");
        }
        int action = UNMAP_NOTIFY_SEND_EVENT | (clearByte >= 0 ? UNMAP_NOTIFY_CLEAR_BYTE : 0);
        allocator.setUnmapNotify(index + Math.max(clearByte, 0), action, port);
    }

    /**
     * Unmaps the pages and deallocates their grants; see the class notes for why this is {@link
     * EndAccess#ENDED} on Linux. After it, {@link #memory()} refuses access. Idempotent.
     *
     * @throws dev.weft.unix.ErrnoException if the kernel refuses the deallocation
     */
    @Override
    public EndAccess end() {
        if (!ended) {
            ended = true;
            arena.close(); // munmap: this process can no longer touch the pages
            if (!allocator.isClosed()) {
                allocator.deallocate(index, refs.size());
            }
        }
        return EndAccess.ENDED;
    }

    @Override
    public String toString() {
        return "LinuxSharedPages[" + refs + ", " + memory.byteSize() / PAGE_BYTES + " pages" + (ended ? ", ended]" : "]");
    }
}
