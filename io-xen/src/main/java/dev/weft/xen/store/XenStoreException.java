package dev.weft.xen.store;

import java.util.Objects;

/**
 * A xenstore request failed: the daemon answered {@code XS_ERROR} with an errno name, or the
 * client refused the request before sending it for the same reason (an invalid path is {@link
 * XsError#EINVAL}, a payload over the limit {@link XsError#E2BIG}). The connection is fine and
 * can be used further. Immutable.
 */
public final class XenStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error; not serialised with the exception's message. */
    private final transient XsError error;

    /**
     * An error for the request described by {@code context}.
     *
     * @param error the errno name the daemon returned
     * @param context what was asked, for example {@code "READ /local/domain/3/name"}
     */
    public XenStoreException(XsError error, String context) {
        super(context + ": " + error.name() + " (" + error.meaning() + ")");
        this.error = Objects.requireNonNull(error, "error");
    }

    /** The errno name the daemon returned. */
    public XsError error() {
        return error;
    }
}
