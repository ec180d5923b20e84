package dev.weft.xen.grant;

import java.lang.foreign.MemorySegment;

/**
 * Pages of another domain mapped into this one. Everything read from them is written by the peer
 * at any moment: read once, validate, then use.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 */
public interface MappedPages extends AutoCloseable {

    /** The mapped pages, contiguous; invalid after {@link #close()}. */
    MemorySegment memory();

    /**
     * Asks for {@code port} to be notified (and, if {@code clearByte} is non-negative, that byte
     * zeroed) when this mapping goes away, even if this process dies: gntdev's SET_UNMAP_NOTIFY.
     */
    void setUnmapNotify(int clearByte, int port);

    /** Unmaps the pages (munmap, then the grant unmap). Idempotent. */
    @Override
    void close();
}
