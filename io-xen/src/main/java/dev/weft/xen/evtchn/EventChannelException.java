package dev.weft.xen.evtchn;

import java.util.Objects;

/**
 * An event-channel operation failed: the message names the operation with its arguments, the
 * error as Xen or Linux's evtchn device reports it ({@code EINVAL}, {@code ENOSPC}, {@code ESRCH},
 * {@code EEXIST}, {@code ENOTCONN}), and what it usually means, e.g. {@code
 * bind_interdomain(domain=1, port=7): EINVAL (the remote port is not unbound for this domain)}.
 *
 * <p>Immutable; safe to pass between threads.
 */
public final class EventChannelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The operation and its arguments. */
    private final String operation;
    /** The errno name. */
    private final String errno;

    /**
     * Creates the exception.
     *
     * @param operation the operation with its arguments, e.g. {@code notify(port=5)}
     * @param errno the errno name Xen or Linux returned, e.g. {@code EINVAL}
     * @param meaning what the error usually means, for the reader of the message
     */
    public EventChannelException(String operation, String errno, String meaning) {
        super(Objects.requireNonNull(operation, "operation") + ": " + Objects.requireNonNull(errno, "errno")
                + " (" + Objects.requireNonNull(meaning, "meaning") + ")");
        this.operation = operation;
        this.errno = errno;
    }

    /** The operation that failed, with its arguments. */
    public String operation() {
        return operation;
    }

    /** The errno name, e.g. {@code EINVAL}. */
    public String errno() {
        return errno;
    }
}
