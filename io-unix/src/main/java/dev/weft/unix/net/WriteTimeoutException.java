package dev.weft.unix.net;

import dev.weft.unix.ConnectionException;
import dev.weft.unix.Errno;
import java.io.Serial;
import java.time.Duration;

/**
 * A flow's queued output made no progress for its {@link FlowOptions#writeTimeout()}: the peer
 * stopped reading, so the flow was closed. Its pending writes and read are rejected with this.
 *
 * <p>Immutable. A {@link ConnectionException} with errno ETIMEDOUT on the call {@code write}: the
 * peer is the cause. What to do: nothing more for this connection, it is closed already.
 */
public final class WriteTimeoutException extends ConnectionException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure for {@code flow}.
     *
     * @param flow the flow that was closed, shown by its {@code toString()}
     * @param queuedBytes the output that was still queued
     * @param timeout the write timeout that passed
     */
    public WriteTimeoutException(Object flow, long queuedBytes, Duration timeout) {
        super("write", flow + ": the peer took no byte of " + queuedBytes + " queued bytes for "
                + timeout.toMillis() + " ms; closed", Errno.ETIMEDOUT.number());
    }
}
