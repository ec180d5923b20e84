package dev.weft.xen.grant;

/**
 * Shares this domain's pages with another domain (Linux's {@code /dev/xen/gntalloc}).
 *
 * <p><b>Threading: all operations MUST be called on the thread of the loop that owns the
 * handle.</b>
 */
public interface GrantAllocator extends AutoCloseable {

    /**
     * Allocates {@code pages} zeroed pages and grants them to {@code domain}.
     *
     * @param writable whether the peer may write the pages
     * @throws GrantException with {@link GrantException.Reason#TABLE_FULL} if no more grants fit
     *     (other failures are the platform's own runtime exceptions)
     */
    SharedPages share(int domain, int pages, boolean writable);

    /** Releases the handle; pages still shared stay valid until each is closed. */
    @Override
    void close();
}
