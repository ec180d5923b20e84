package dev.weft.xen.grant;

import java.util.List;

/**
 * Maps pages that another domain granted to this one (Linux's {@code /dev/xen/gntdev}).
 *
 * <p><b>Threading: all operations MUST be called on the thread of the loop that owns the
 * handle.</b>
 */
public interface GrantMapper extends AutoCloseable {

    /**
     * Maps the granted pages of {@code domain} named by {@code refs}, contiguously, in order.
     *
     * @param writable whether to map them writable (the grant must allow it)
     */
    MappedPages map(int domain, List<GrantRef> refs, boolean writable);

    /** Releases the handle; mappings still open stay valid until each is closed. */
    @Override
    void close();
}
