package dev.weft.xen.grant;

import java.util.Objects;

/**
 * A grant operation was refused: the message names the operation, the {@link Reason} and the
 * grant, e.g. {@code map(domain=1, gref 9, writable): READ_ONLY_GRANT (the granting domain shared
 * it read-only; map it read-only)}.
 *
 * <p>Immutable; safe to pass between threads.
 */
public final class GrantException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a grant operation was refused (Xen's GNTST_* statuses, in words). */
    public enum Reason {
        /** No such domain (GNTST_bad_domain). */
        NO_SUCH_DOMAIN,
        /** The granting domain has no grant under that reference, or has ended it (GNTST_bad_gntref). */
        BAD_REF,
        /** The grant exists but names another domain as the one allowed to map it (GNTST_permission_denied). */
        NOT_GRANTED_TO_THIS_DOMAIN,
        /** A writable mapping of a grant shared read-only (GNTST_permission_denied). */
        READ_ONLY_GRANT,
        /** The grant table has no free entry (GNTST_no_space). */
        TABLE_FULL
    }

    /** Why it failed. */
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param operation the operation and its arguments
     * @param reason why it was refused
     * @param meaning what to do about it, for the reader of the message
     */
    public GrantException(String operation, Reason reason, String meaning) {
        super(Objects.requireNonNull(operation, "operation") + ": " + Objects.requireNonNull(reason, "reason")
                + " (" + Objects.requireNonNull(meaning, "meaning") + ")");
        this.reason = reason;
    }

    /** Why the operation was refused. */
    public Reason reason() {
        return reason;
    }
}
