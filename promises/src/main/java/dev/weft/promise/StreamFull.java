package dev.weft.promise;

import java.io.Serial;

/**
 * A push into a {@link BoundedStreamPush bounded stream} while another push is already waiting for
 * room (Lwt_stream's {@code Full}): a bounded stream parks one blocked push at a time, so wait for
 * the previous push's promise before pushing again.
 */
public final class StreamFull extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure of a push that found another push already blocked.
     *
     * @param message what happened and what to do
     */
    public StreamFull(String message) {
        super(message);
    }
}
