package dev.weft.xen.store;

/**
 * The errors an {@code XS_ERROR} reply may name: xs_wire.h's {@code xsd_errors} table, each
 * with its Linux errno number. Immutable.
 *
 * <p>On the wire only the name travels (for example {@code "ENOENT"} and a NUL); the numbers
 * are for callers that map errors to errno values.
 */
public enum XsError {
    /** Invalid argument: a malformed path, payload or request. */
    EINVAL(22, "invalid argument"),
    /** Permission denied by the node's permissions. */
    EACCES(13, "permission denied"),
    /** The node or watch already exists. */
    EEXIST(17, "already exists"),
    /** Is a directory. */
    EISDIR(21, "is a directory"),
    /** No such node, transaction, watch or domain. */
    ENOENT(2, "no such entry"),
    /** The daemon is out of memory. */
    ENOMEM(12, "out of memory"),
    /** The daemon's quota is exhausted. */
    ENOSPC(28, "no space (quota)"),
    /** Input/output error. */
    EIO(5, "input/output error"),
    /** The directory is not empty. */
    ENOTEMPTY(39, "directory not empty"),
    /** The daemon does not implement the request. */
    ENOSYS(38, "not implemented"),
    /** The store is read-only. */
    EROFS(30, "read-only"),
    /** The resource is busy. */
    EBUSY(16, "busy"),
    /** Try again: a transaction conflicted with another change and must be retried. */
    EAGAIN(11, "try again (transaction conflict)"),
    /** Already connected. */
    EISCONN(106, "already connected"),
    /** The request or reply would exceed XENSTORE_PAYLOAD_MAX. */
    E2BIG(7, "argument list too long"),
    /** Operation not permitted. */
    EPERM(1, "operation not permitted");

    private final int errno;
    private final String meaning;

    XsError(int errno, String meaning) {
        this.errno = errno;
        this.meaning = meaning;
    }

    /** The Linux errno number. */
    public int errno() {
        return errno;
    }

    /** A few words saying what the error means. */
    public String meaning() {
        return meaning;
    }

    /** The error named {@code name} exactly (case-sensitive, as on the wire), or null. */
    public static XsError ofName(String name) {
        for (XsError error : values()) {
            if (error.name().equals(name)) {
                return error;
            }
        }
        return null;
    }
}
