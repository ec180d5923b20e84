package dev.weft.xen.grant;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Pages this domain granted to a peer: their references (to publish, usually in xenstore) and
 * their memory as this domain sees it.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 */
public interface SharedPages {

    /** One reference per page, in page order. */
    List<GrantRef> refs();

    /** The pages, contiguous, {@code refs().size() * 4096} bytes; invalid after a successful end. */
    MemorySegment memory();

    /**
     * Asks for {@code port} to be notified (and, if {@code clearByte} is non-negative, that byte of
     * the pages to be zeroed) when this domain lets go of the pages, by {@link #end()} or because
     * its process died, so that the peer can tell a live end from a dead one: Linux's gntalloc
     * SET_UNMAP_NOTIFY. A negative {@code port} asks for no event.
     */
    void setUnmapNotify(int clearByte, int port);

    /**
     * Ends the peer's access and, if it ended, releases the memory. {@link EndAccess#BUSY} leaves
     * everything as it was: the caller may retry later and must never reuse the pages meanwhile.
     */
    EndAccess end();
}
