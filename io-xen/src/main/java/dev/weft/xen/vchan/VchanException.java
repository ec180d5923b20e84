package dev.weft.xen.vchan;

import java.io.IOException;
import java.io.Serial;

/**
 * A vchan could not be set up, or its peer went away under a pending write. The peer breaking the
 * ring itself (indices that cannot be) is reported as the ring's {@link
 * dev.weft.xen.ring.RingBroken} instead.
 */
public final class VchanException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /**
         * {@code <path>/ring-ref} or {@code <path>/event-channel} is missing or not a valid number:
         * the server has not listened yet, or listened elsewhere. Retry later or check the path.
         */
        BAD_XENSTORE_ENTRY,
        /**
         * The control page describes rings that cannot be (orders outside 10..20, two rings in the
         * same place, a grant list running into a ring): the server is broken or hostile.
         */
        BAD_LAYOUT,
        /** The peer closed (its live byte is 0) while a write still had bytes to send. */
        PEER_CLOSED,
        /**
         * A server's {@code close()} only: the client still mapped the server's pages {@link
         * Vchan#UNMAP_BOUND} after it; the server let go of its port all the same and set the pages
         * aside for good (never reused). The client has not closed its end.
         */
        UNMAP_TIMEOUT
    }

    private final Reason reason;

    /** A failure for {@code reason}; {@code detail} names the vchan and the values involved. */
    public VchanException(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }
}
