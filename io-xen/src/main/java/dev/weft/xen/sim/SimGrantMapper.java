package dev.weft.xen.sim;

import dev.weft.xen.grant.GrantException;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's {@code /dev/xen/gntdev} handle: maps another domain's grants by handing out a view
 * of the very memory the granting domain shared, after the checks Xen makes (the grant exists, is
 * granted to this domain, and allows writing if a writable mapping is asked for).
 *
 * <p>Threading: the SPI's (loop thread of the owner); the grant table under the hypervisor lock.
 *
 * <p>Each mapping's view lives in a confined arena of its own (so only the mapping thread may use
 * and unmap it), closed by {@link MappedPages#close()}, so the view is unusable after unmapping
 * although the memory lives on; a read-only mapping is a
 * {@linkplain MemorySegment#asReadOnly() read-only} view. The model cannot remap memory, so
 * several references map only if they are consecutive pages, in order, as they are when one
 * share granted them together (see docs/xen.md).
 */
final class SimGrantMapper implements GrantMapper {
    private final SimDomain domain;
    private boolean closed;

    SimGrantMapper(SimDomain domain) {
        this.domain = domain;
    }

    @Override
    public MappedPages map(int granter, List<GrantRef> refs, boolean writable) {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (refs.isEmpty()) {
            throw new IllegalArgumentException("map(domain=" + granter + "): no grant references");
        }
        List<GrantTable.Entry> entries = new ArrayList<>(refs.size());
        synchronized (domain.hypervisor().lock) {
            SimDomain owner = domain.hypervisor().find(granter);
            for (GrantRef ref : refs) {
                entries.add(check(owner, granter, ref, writable));
            }
            checkConsecutive(granter, refs, entries);
            for (GrantTable.Entry entry : entries) {
                entry.mappings++;
            }
        }
        // Confined: closing it costs nothing, where closing a shared arena stops every thread.
        Arena lifetime = Arena.ofConfined();
        return new SimMappedPages(domain, entries, lifetime, view(entries, writable, lifetime));
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "SimGrantMapper[domain " + domain.domainId() + "]";
    }

    private GrantTable.Entry check(SimDomain owner, int granter, GrantRef ref, boolean writable) {
        String operation = "map(domain=" + granter + ", " + ref + (writable ? ", writable)" : ", read-only)");
        if (owner == null) {
            throw new GrantException(operation, GrantException.Reason.NO_SUCH_DOMAIN, "no domain " + granter);
        }
        GrantTable.Entry entry = owner.grants.entry(ref);
        if (entry == null) {
            throw new GrantException(operation, GrantException.Reason.BAD_REF,
                    "domain " + granter + " has no such grant, or has ended it");
        }
        if (entry.grantee != domain.domainId()) {
            throw new GrantException(operation, GrantException.Reason.NOT_GRANTED_TO_THIS_DOMAIN,
                    "the grant is for domain " + entry.grantee + ", this is domain " + domain.domainId());
        }
        if (writable && !entry.writable) {
            throw new GrantException(operation, GrantException.Reason.READ_ONLY_GRANT,
                    "the granting domain shared it read-only; map it read-only");
        }
        return entry;
    }

    private static void checkConsecutive(int granter, List<GrantRef> refs, List<GrantTable.Entry> entries) {
        long base = entries.get(0).page.address();
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).page.address() != base + (long) i * SimHypervisor.PAGE_SIZE) {
                throw new UnsupportedOperationException("map(domain=" + granter + ", " + refs
                        + "): the model maps several references only if they are consecutive pages of"
                        + " one share, in order; map them one by one");
            }
        }
    }

    /** A view of the granted pages with a lifetime of its own. */
    @SuppressWarnings("restricted") // the model's whole point: a second view of memory another domain owns
    private static MemorySegment view(List<GrantTable.Entry> entries, boolean writable, Arena lifetime) {
        MemorySegment view = entries.get(0).page.reinterpret(
                (long) entries.size() * SimHypervisor.PAGE_SIZE, lifetime, null);
        return writable ? view : view.asReadOnly();
    }
}
