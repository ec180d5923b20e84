package dev.weft.promise;

import java.io.Serial;

/**
 * {@link Stream#next()} or {@link Stream#lastNew()} reached the end of the stream (Lwt_stream's
 * {@code Empty}): use {@link Stream#get()} to read an end of stream as a value instead.
 */
public final class StreamEmpty extends java.util.NoSuchElementException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure of a read at the end of a stream.
     *
     * @param message what happened and what to do
     */
    public StreamEmpty(String message) {
        super(message);
    }
}
