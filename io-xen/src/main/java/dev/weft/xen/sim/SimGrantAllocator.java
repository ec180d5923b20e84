package dev.weft.xen.sim;

import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.SharedPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's {@code /dev/xen/gntalloc} handle: shares zeroed, page-aligned pages from its
 * domain's {@link PagePool} and enters one grant per page in its domain's grant table. The sharer
 * sees the pages through a view with a {@linkplain Arena#ofConfined() confined} lifetime of its own,
 * closed when the grants end, so the pages cannot be used after {@code end()}.
 *
 * <p>Threading: the SPI's (loop thread of the owner): the view is confined to the thread that
 * shared the pages, and only that thread may use or end them. The grant table is changed under the
 * hypervisor lock.
 */
final class SimGrantAllocator implements GrantAllocator {
    /** The most pages one share may hold (gntalloc's default limit is 1024 per handle). */
    static final int MAX_PAGES = 1024;

    private final SimDomain domain;
    private boolean closed;

    SimGrantAllocator(SimDomain domain) {
        this.domain = domain;
    }

    @Override
    public SharedPages share(int grantee, int pages, boolean writable) {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (pages < 1 || pages > MAX_PAGES) {
            throw new IllegalArgumentException("share(domain=" + grantee + ", pages=" + pages
                    + "): a share holds 1 to " + MAX_PAGES + " pages");
        }
        String operation = "share(domain=" + grantee + ", pages=" + pages + (writable ? ", writable)" : ", read-only)");
        MemorySegment block = domain.pages.take(pages);
        List<GrantRef> refs = new ArrayList<>(pages);
        synchronized (domain.hypervisor().lock) {
            try {
                for (int i = 0; i < pages; i++) {
                    MemorySegment page = block.asSlice((long) i * SimHypervisor.PAGE_SIZE, SimHypervisor.PAGE_SIZE);
                    refs.add(domain.grants.grant(grantee, writable, page, operation));
                }
            } catch (RuntimeException full) {
                refs.forEach(domain.grants::remove);
                domain.pages.give(block);
                throw full;
            }
        }
        return new SimSharedPages(domain, block, List.copyOf(refs));
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "SimGrantAllocator[domain " + domain.domainId() + "]";
    }
}
