package dev.weft.xen.linux;

import static dev.weft.xen.linux.DeviceAbi.PAGE_BYTES;
import static dev.weft.xen.linux.DeviceAbi.UNMAP_NOTIFY_CLEAR_BYTE;
import static dev.weft.xen.linux.DeviceAbi.UNMAP_NOTIFY_SEND_EVENT;

import dev.weft.unix.libc.Libc;
import dev.weft.xen.grant.MappedPages;
import java.lang.foreign.Arena;
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

    private final LinuxGrantMapper mapper;
    private final long index;
    private final int count;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private boolean closed;

    LinuxMappedPages(LinuxGrantMapper mapper, long index, int count, long address, long bytes, boolean writable) {
        this.mapper = mapper;
        this.index = index;
        this.count = count;
        MemorySegment mapped = Libc.mapped(address, bytes, arena, () -> Libc.munmap(address, bytes));
        this.memory = writable ? mapped : mapped.asReadOnly();
    }

    /** The mapped pages; read-only if mapped so; refuses access after {@link #close()}. */
    @Override
    public MemorySegment memory() {
        return memory;
    }

    /**
     * Asks the kernel to notify {@code port} (a port bound in this domain) and, if {@code
     * clearByte >= 0}, to zero that byte, when this mapping goes away: {@link #close()}, or the
     * process dying. This is how a backend tells its frontend it is gone.
     *
     * @param clearByte a byte offset within the pages, or negative for none (a read-only
     *     mapping cannot have a byte cleared: the kernel refuses with EINVAL)
     * @throws IllegalArgumentException if {@code clearByte} is past the pages
     * @throws IllegalStateException after {@link #close()} or once the mapper is closed
     * @throws dev.weft.unix.ErrnoException naming the ioctl (EINVAL: port not bound, or read-only)
     */
    @Override
    public void setUnmapNotify(int clearByte, int port) {
        if (clearByte >= memory.byteSize()) {
            throw new IllegalArgumentException("byte " + clearByte + " is past the " + memory.byteSize() + " mapped bytes");
        }
        if (closed || mapper.isClosed()) {
            throw new IllegalStateException("the mapping or its mapper is closed: nothing to attach a notification to");
        }
        int action = UNMAP_NOTIFY_SEND_EVENT | (clearByte >= 0 ? UNMAP_NOTIFY_CLEAR_BYTE : 0);
        mapper.setUnmapNotify(index + Math.max(clearByte, 0), action, port);
    }

    /**
     * Unmaps the pages ({@code munmap}), then releases the grant mapping ({@code
     * UNMAP_GRANT_REF}) if the mapper is still open. Idempotent.
     *
     * @throws dev.weft.unix.ErrnoException if the kernel refuses the release
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
            if (!mapper.isClosed()) {
                mapper.unmapGrants(index, count);
            }
        }
    }

    @Override
    public String toString() {
        return "LinuxMappedPages[" + memory.byteSize() / PAGE_BYTES + " pages at index " + index + (closed ? ", closed]" : "]");
    }
}
