package dev.weft.xen.ring;

import java.io.Serial;

/**
 * The peer broke the protocol of a shared ring or byte pipe: it published an index that cannot be
 * (more entries or bytes than the buffer holds), answered a request that is not outstanding, or
 * wrote an entry its codec rejects. The ring is then unusable for ever: every outstanding and
 * later operation fails with this same failure, and nothing more is read from the shared memory.
 *
 * <p>What to do: treat the device as faulty or hostile; close it and, if the backend may have
 * recovered, reconnect through xenbus. Never retry on the same ring.
 */
public final class RingBroken extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What the peer did wrong. */
    public enum Reason {
        /** The peer's producer index is further ahead than the ring holds (RING_*_PROD_OVERFLOW). */
        INDEX_OVERFLOW,
        /** A response names an id that has no outstanding request. */
        UNKNOWN_ID,
        /** The codec rejected an entry's bytes (a field out of range, an impossible length). */
        MALFORMED_ENTRY
    }

    private final Reason reason;

    /** A failure for {@code reason}; {@code detail} names the ring and the values that were wrong. */
    public RingBroken(Reason reason, String detail) {
        this(reason, detail, null);
    }

    /** As {@link #RingBroken(Reason, String)}, caused by the codec's own exception. */
    public RingBroken(Reason reason, String detail, Throwable cause) {
        super(detail + " (the peer is faulty or hostile: close the device and reconnect; never retry on"
                + " this ring)", cause);
        this.reason = reason;
    }

    /** What the peer did wrong. */
    public Reason reason() {
        return reason;
    }
}
