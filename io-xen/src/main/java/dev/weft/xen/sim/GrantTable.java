package dev.weft.xen.sim;

import dev.weft.xen.grant.GrantException;
import dev.weft.xen.grant.GrantRef;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * One domain's grant table as the hypervisor keeps it: reference → (grantee, writability, page,
 * how many mappings hold it).
 *
 * <p>Threading: every method is called with the hypervisor's lock held ({@link
 * SimHypervisor#lock}), so the table and the map counts need no ordering of their own. Granting,
 * mapping and ending are set-up operations, not hot paths. What the two domains then write to the
 * page is ordered by their own protocol (the shared ring's fences), exactly as on real Xen.
 */
final class GrantTable {
    /** Xen reserves the first entries for the toolstack (GNTTAB_NR_RESERVED_ENTRIES). */
    static final int FIRST_REF = 8;
    /** Entries in the model's table: 32 frames of 512 v1 entries, Linux's default maximum. */
    static final int MAX_REFS = 32 * 512;

    private final Map<Integer, Entry> entries = new HashMap<>();
    private int nextHint = FIRST_REF;

    /** Grants {@code page} to {@code grantee}; returns its reference. Lock held. */
    GrantRef grant(int grantee, boolean writable, MemorySegment page, String operation) {
        if (entries.size() >= MAX_REFS - FIRST_REF) {
            throw new GrantException(operation, GrantException.Reason.TABLE_FULL,
                    "all " + (MAX_REFS - FIRST_REF) + " grant entries are in use; end some grants first");
        }
        int ref = nextHint;
        while (entries.containsKey(ref)) {
            ref = ref + 1 == MAX_REFS ? FIRST_REF : ref + 1;
        }
        nextHint = ref + 1 == MAX_REFS ? FIRST_REF : ref + 1;
        entries.put(ref, new Entry(grantee, writable, page));
        return new GrantRef(ref);
    }

    /** The live entry for {@code ref}, or null. Lock held. */
    Entry entry(GrantRef ref) {
        return entries.get(ref.value());
    }

    /** Removes the entry (access ended). Lock held. */
    void remove(GrantRef ref) {
        entries.remove(ref.value());
    }

    /** How many grants are live. Lock held. */
    int size() {
        return entries.size();
    }

    /** One grant: whom it is for, whether it may be written, its page, and its mappings. */
    static final class Entry {
        final int grantee;
        final boolean writable;
        final MemorySegment page;
        /** Mappings currently holding the page. Hypervisor lock. */
        int mappings;

        Entry(int grantee, boolean writable, MemorySegment page) {
            this.grantee = grantee;
            this.writable = writable;
            this.page = page;
        }
    }
}
