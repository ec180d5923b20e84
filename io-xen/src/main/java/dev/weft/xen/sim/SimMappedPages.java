package dev.weft.xen.sim;

import dev.weft.xen.grant.MappedPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A model mapping of another domain's grants: a view of its memory until {@link #close()}.
 *
 * <p>Threading: the mapper's loop thread; the map counts under the hypervisor lock.
 *
 * <p>Closing follows gntdev's order: clear the notify byte while the page is still mapped, give
 * the grants back (so the granting domain's end no longer reports busy), close the view, and only
 * then notify the port, so a peer woken by the notification can end its grant at once.
 */
final class SimMappedPages implements MappedPages {
    private final SimDomain domain;
    private final List<GrantTable.Entry> entries;
    private final Arena lifetime;
    private final MemorySegment memory;
    private final UnmapNotify unmapNotify = new UnmapNotify();
    private boolean closed;

    SimMappedPages(SimDomain domain, List<GrantTable.Entry> entries, Arena lifetime, MemorySegment memory) {
        this.domain = domain;
        this.entries = entries;
        this.lifetime = lifetime;
        this.memory = memory;
    }

    @Override
    public MemorySegment memory() {
        return memory;
    }

    @Override
    public void setUnmapNotify(int clearByte, int port) {
        unmapNotify.set(clearByte, port, memory);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmapNotify.clearByte(memory);
        synchronized (domain.hypervisor().lock) {
            for (GrantTable.Entry entry : entries) {
                entry.mappings--;
            }
        }
        lifetime.close();
        unmapNotify.notifyPort(domain);
    }

    @Override
    public String toString() {
        return "SimMappedPages[domain " + domain.domainId() + ", " + entries.size() + " pages"
                + (closed ? ", closed]" : "]");
    }
}
