package dev.weft.unix.net;

import java.io.Serial;
import java.nio.channels.ClosedChannelException;

/**
 * The failure of an operation on a socket that was closed, or that was closed while the
 * operation waited: a pending read, write, accept or receive is rejected with it by
 * {@code close()}, and any operation started after {@code close()} (or a write after
 * {@code shutdown(WRITE)}) is too.
 *
 * <p>Immutable. It is a {@link ClosedChannelException}, the failure the
 * {@link dev.weft.loop.device.Flow} contract names for use after close, with a message that says
 * which operation on which socket. What to do: nothing, if the close was yours (a server
 * shutting a connection down); otherwise, stop using the socket.
 */
public final class SocketClosedException extends ClosedChannelException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** What failed, e.g. {@code "read on SocketFlow[fd=12]"}. */
    private final String message;

    /**
     * Creates the failure of {@code operation} on {@code socket}.
     *
     * @param operation what was refused, e.g. {@code "read"} or {@code "pending write"}
     * @param socket the socket, shown by its {@code toString()}
     * @param why why it is closed, e.g. {@code "the socket was closed"}
     */
    public SocketClosedException(String operation, Object socket, String why) {
        this.message = operation + " on " + socket + " failed: " + why;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
