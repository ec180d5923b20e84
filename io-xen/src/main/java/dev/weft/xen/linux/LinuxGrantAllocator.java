package dev.weft.xen.linux;

import static dev.weft.xen.linux.DeviceAbi.ALLOC_COUNT;
import static dev.weft.xen.linux.DeviceAbi.ALLOC_DOMID;
import static dev.weft.xen.linux.DeviceAbi.ALLOC_FLAGS;
import static dev.weft.xen.linux.DeviceAbi.ALLOC_GREF_IDS;
import static dev.weft.xen.linux.DeviceAbi.ALLOC_INDEX;
import static dev.weft.xen.linux.DeviceAbi.GNTALLOC_ALLOC_GREF;
import static dev.weft.xen.linux.DeviceAbi.GNTALLOC_FLAG_WRITABLE;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTALLOC_ALLOC_GREF;
import static dev.weft.xen.linux.DeviceAbi.IOCTL_GNTALLOC_DEALLOC_GREF;
import static dev.weft.xen.linux.DeviceAbi.PAGE_BYTES;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantException;
import dev.weft.xen.grant.GrantRef;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux's {@code /dev/xen/gntalloc} as a {@link GrantAllocator}: {@code IOCTL_GNTALLOC_ALLOC_GREF}
 * allocates kernel pages and grants them, an {@code mmap} at the returned index shows them to
 * this process, {@code IOCTL_GNTALLOC_DEALLOC_GREF} lets them go.
 *
 * <p><b>Threading: all operations MUST be called on the thread of the loop that owns the
 * handle.</b> The shared pages' memory may be read and written from any thread (a ring's two
 * halves run on two loops): it lives in a shared arena.
 *
 * <p><b>Zeroed before granting.</b> The kernel allocates each page zeroed ({@code
 * alloc_page(GFP_KERNEL | __GFP_ZERO)} in drivers/xen/gntalloc.c) before it grants it, so no
 * stale data of this domain is ever visible to the peer. {@link #share} zeroes the mapping once
 * more before returning, which costs a page write and keeps the guarantee even on a kernel that
 * stopped zeroing; the peer cannot have been told the references yet, so it cannot see anything
 * else.
 *
 * <p>The kernel limits how many pages all gntalloc users together may share (module parameter
 * {@code limit}, 1024 by default): beyond it {@code share} fails with ENOSPC.
 */
public final class LinuxGrantAllocator implements GrantAllocator {

    /** domid_t is 16 bits; ids from 0x7FF0 up are Xen's special DOMID_* values, never a peer. */
    private static final int DOMID_FIRST_RESERVED = 0x7FF0;

    private final DeviceFile device;

    private LinuxGrantAllocator(DeviceFile device) {
        this.device = device;
    }

    /**
     * Opens the grant allocator at {@code path} (normally {@code /dev/xen/gntalloc}).
     *
     * @throws NotInXenDomainException if it is missing
     * @throws ErrnoException if it cannot be opened (EACCES: it is root's)
     */
    public static LinuxGrantAllocator open(Path path) {
        return new LinuxGrantAllocator(DeviceFile.open(path, false));
    }

    /**
     * Allocates {@code pages} zeroed pages, grants them to {@code domain} and maps them here.
     *
     * @throws IllegalArgumentException if {@code pages < 1} or {@code domain} is not a domain id
     * @throws IllegalStateException if the allocator is closed
     * @throws GrantException TABLE_FULL if the kernel has no room for the grants (ENOSPC: gntalloc's
     *     limit is reached)
     * @throws ErrnoException naming the ioctl or mmap, for any other errno (ENOMEM, ...)
     */
    @Override
    public LinuxSharedPages share(int domain, int pages, boolean writable) {
        if (pages < 1 || pages > Integer.MAX_VALUE / PAGE_BYTES) {
            throw new IllegalArgumentException("pages must be at least 1 (and fit in an int of bytes), was " + pages);
        }
        if (domain < 0 || domain >= DOMID_FIRST_RESERVED) {
            throw new IllegalArgumentException("not a domain id: " + domain);
        }
        ensureOpen();
        String detail = "domain " + domain + ", " + pages + " pages" + (writable ? ", writable" : ", read-only");
        long index;
        List<GrantRef> refs = new ArrayList<>(pages);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment op = call.allocate(DeviceAbi.variableSize(GNTALLOC_ALLOC_GREF, ALLOC_GREF_IDS, Integer.BYTES, pages), 8);
            op.set(JAVA_SHORT, ALLOC_DOMID, (short) domain);
            op.set(JAVA_SHORT, ALLOC_FLAGS, (short) (writable ? GNTALLOC_FLAG_WRITABLE : 0));
            op.set(JAVA_INT, ALLOC_COUNT, pages);
            allocate(op, detail);
            index = op.get(JAVA_LONG, ALLOC_INDEX);
            for (int i = 0; i < pages; i++) {
                refs.add(new GrantRef(op.get(JAVA_INT, ALLOC_GREF_IDS + (long) i * Integer.BYTES)));
            }
        }
        return map(index, pages, refs, detail);
    }

    /**
     * ALLOC_GREF, with the kernel's "no room" (ENOSPC: gntalloc's {@code limit} of grants per
     * handle reached, or the grant table full) reported as the model reports it, a {@link
     * GrantException} with {@link GrantException.Reason#TABLE_FULL}, so drivers see one failure
     * for one condition whichever platform they run on.
     */
    private void allocate(MemorySegment op, String detail) {
        try {
            device.ioctl("IOCTL_GNTALLOC_ALLOC_GREF", IOCTL_GNTALLOC_ALLOC_GREF, op, detail);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOSPC) {
                throw e;
            }
            GrantException full = new GrantException("share(" + detail + ")", GrantException.Reason.TABLE_FULL,
                    "gntalloc has no room for more grants (its limit module parameter, or the grant table); end"
                    + " some grants first");
            full.initCause(e);
            throw full;
        }
    }

    private LinuxSharedPages map(long index, int pages, List<GrantRef> refs, String detail) {
        long address;
        try {
            address = device.mmap((long) pages * PAGE_BYTES, true, index, detail);
        } catch (RuntimeException e) {
            try {
                device.releaseRange("IOCTL_GNTALLOC_DEALLOC_GREF", IOCTL_GNTALLOC_DEALLOC_GREF, index, pages);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        LinuxSharedPages shared = new LinuxSharedPages(new Mapping(device, index, pages, address, true), refs);
        shared.memory().fill((byte) 0); // the kernel zeroed them already; see the class notes
        return shared;
    }

    private void ensureOpen() {
        if (device.isClosed()) {
            throw new IllegalStateException(device.path + " is closed");
        }
    }

    /**
     * Closes the device. Pages still shared stay mapped and granted until each is ended; their
     * {@link LinuxSharedPages#end()} then only unmaps them (the kernel dropped this file's hold
     * on them at close). Idempotent.
     */
    @Override
    public void close() {
        device.close();
    }

    @Override
    public String toString() {
        return "LinuxGrantAllocator[" + device + "]";
    }
}
