package dev.weft.promise;

import java.io.Serial;

/**
 * A push into a stream that was closed (Lwt_stream's {@code Closed}): nothing can be added after
 * {@code close()}; check {@code isClosed()} or stop producing when the stream closes.
 */
public final class StreamClosed extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure of a push into a closed stream.
     *
     * @param message what happened and what to do
     */
    public StreamClosed(String message) {
        super(message);
    }
}
