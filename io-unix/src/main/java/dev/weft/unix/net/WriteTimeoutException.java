package dev.weft.unix.net;

import dev.weft.unix.ConnectionException;
import dev.weft.unix.Errno;
import java.io.Serial;
import java.time.Duration;

/**
 * A flow's output made no progress for its {@link FlowOptions#writeTimeout()}: the peer stopped
 * reading, so the flow reset the connection and closed. The output was either queued in the flow
 * (the kernel took none of it) or, on the epoll engine, held by the kernel (the peer acknowledged
 * none of it). Its pending writes and read are rejected with this.
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
     * @param waitingBytes the output still waiting for the peer: queued in the flow, or held by
     *     the kernel and not acknowledged
     * @param timeout the write timeout that passed
     */
    public WriteTimeoutException(Object flow, long waitingBytes, Duration timeout) {
        super("write", flow + ": the peer took none of " + waitingBytes + " bytes waiting for it for "
                + timeout.toMillis() + " ms; reset", Errno.ETIMEDOUT.number());
    }
}
