package dev.weft.xen.grant;

/** What ending a grant's access reported. */
public enum EndAccess {
    /** Access ended: the peer can no longer map the pages and this domain may reuse them. */
    ENDED,
    /**
     * The peer still maps a page, so access could not be ended (Xen's gnttab_end_foreign_access
     * refusing). The pages must not be reused: they may still be read and written by the peer.
     */
    BUSY
}
