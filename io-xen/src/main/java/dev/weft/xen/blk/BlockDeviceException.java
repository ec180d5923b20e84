package dev.weft.xen.blk;

import java.io.IOException;
import java.io.Serial;

/**
 * Why a block operation failed, as a {@link Reason}. The reason says what to do: fix the call
 * (BAD_BUFFER, OUT_OF_RANGE, READ_ONLY), retry later or elsewhere (BACKEND_ERROR, UNSUPPORTED),
 * or give the device up (BROKEN, DISCONNECTED, CLOSE_TIMEOUT).
 */
public final class BlockDeviceException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** A buffer's size is not a whole number of sectors. */
        BAD_BUFFER,
        /** The sectors pass the end of the device. */
        OUT_OF_RANGE,
        /** A write to a device the backend offers read-only. */
        READ_ONLY,
        /** The backend answered BLKIF_RSP_ERROR: the I/O itself failed. */
        BACKEND_ERROR,
        /** The backend does not support the operation (BLKIF_RSP_EOPNOTSUPP, or never offered it). */
        UNSUPPORTED,
        /** The backend broke the protocol; the device accepts nothing more until it reconnects. */
        BROKEN,
        /** The device is not connected (yet, or any more). */
        DISCONNECTED,
        /** No grant could be made for the request's pages (the grant table is full). */
        NO_GRANTS,
        /**
         * The backend did not close within the bound after the frontend did: the device was
         * released on the guest's side all the same.
         */
        CLOSE_TIMEOUT
    }

    private final Reason reason;

    /** A failure for {@code reason}, with {@code detail} naming the values involved. */
    public BlockDeviceException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    /** As {@link #BlockDeviceException(Reason, String)}, caused by {@code cause}. */
    public BlockDeviceException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }
}
