package dev.weft.xen.sim;

import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.SharedPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Pages a model domain shared: their grants, their memory, and ending access.
 *
 * <p>Threading: the owner's loop thread; the grant table under the hypervisor lock.
 *
 * <p>The memory goes back to the domain's {@link PagePool} only by an {@link #end()} that returns
 * {@link EndAccess#ENDED} (this side's view closes then), which
 * requires that no mapping holds any of the pages: a peer's view of them can never outlive them.
 * The unmap notification (byte cleared, port notified) fires at the first {@code end()}, busy or
 * not: it is how a peer still mapping the pages learns that this side has let go (gntalloc fires
 * it when the sharing process releases the pages, whatever the peer does).
 */
final class SimSharedPages implements SharedPages {
    private final SimDomain domain;
    private final MemorySegment block;
    private final Arena lifetime = Arena.ofConfined();
    private final MemorySegment memory;
    private final List<GrantRef> refs;
    private final UnmapNotify unmapNotify = new UnmapNotify();
    private boolean notified;
    private boolean ended;

    @SuppressWarnings("restricted") // a view of the pool's block that dies with this share
    SimSharedPages(SimDomain domain, MemorySegment block, List<GrantRef> refs) {
        this.domain = domain;
        this.block = block;
        this.memory = block.reinterpret(lifetime, null);
        this.refs = refs;
    }

    @Override
    public List<GrantRef> refs() {
        return refs;
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
    public EndAccess end() {
        if (ended) {
            return EndAccess.ENDED;
        }
        if (!notified) {
            notified = true;
            unmapNotify.clearByte(memory);
            unmapNotify.notifyPort(domain);
        }
        synchronized (domain.hypervisor().lock) {
            for (GrantRef ref : refs) {
                if (domain.grants.entry(ref).mappings > 0) {
                    return EndAccess.BUSY;
                }
            }
            refs.forEach(domain.grants::remove);
        }
        ended = true;
        lifetime.close();
        domain.pages.give(block);
        return EndAccess.ENDED;
    }

    @Override
    public String toString() {
        return "SimSharedPages[domain " + domain.domainId() + ", " + refs + (ended ? ", ended]" : "]");
    }
}
