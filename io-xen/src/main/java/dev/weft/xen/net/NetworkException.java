package dev.weft.xen.net;

import java.io.IOException;
import java.io.Serial;

/**
 * Why a network operation failed, as a {@link Reason}: fix the call (FRAME_TOO_LARGE), retry
 * (BACKEND_ERROR, NO_GRANTS), or give the device up (UNSUPPORTED, BROKEN, DISCONNECTED, CLOSE_TIMEOUT).
 */
public final class NetworkException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The frame is larger than the MTU plus the Ethernet header. */
        FRAME_TOO_LARGE,
        /**
         * The frame is shorter than an Ethernet header (14 bytes): a runt, which Linux's netback
         * would answer with NETIF_RSP_ERROR.
         */
        FRAME_TOO_SMALL,
        /** The backend answered NETIF_RSP_ERROR. */
        BACKEND_ERROR,
        /** The backend lacks a feature netfront needs ({@code feature-rx-copy}). */
        UNSUPPORTED,
        /** The backend broke the protocol; the device works no more until it reconnects. */
        BROKEN,
        /** The device is not connected (yet, or any more). */
        DISCONNECTED,
        /** No grant could be made for the frame's page. */
        NO_GRANTS,
        /**
         * The backend did not close within the bound after the frontend did: the device was
         * released on the guest's side all the same.
         */
        CLOSE_TIMEOUT
    }

    private final Reason reason;

    /** A failure for {@code reason}, with {@code detail} naming the values involved. */
    public NetworkException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    /** As {@link #NetworkException(Reason, String)}, caused by {@code cause}. */
    public NetworkException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }
}
