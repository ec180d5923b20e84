package dev.weft.promise;

/**
 * The producer side of a bounded push stream (Lwt_stream.create_bounded's push object): made with
 * its stream by {@link Stream#createBounded(int)}, it appends elements while fewer than
 * {@link #size()} are unread, and otherwise makes one push wait for room.
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b>
 *
 * <p>{@link #push} returns an already-fulfilled promise when there is room. When the stream is
 * full, the value is parked and the push's promise stays pending until a read makes room (the
 * parked value is then the next element appended, and the promise is fulfilled as by
 * {@link Resolver#resolveLater}). Only one push may wait: another push meanwhile is rejected with
 * {@link StreamFull}. Cancelling the waiting push drops its value. A push after {@link #close()}
 * is rejected with {@link StreamClosed}, and so is a push still waiting when the stream closes.
 * Bounded streams cannot be {@link Stream#clone() cloned}.
 *
 * <p><b>Size 0 is a rendezvous:</b> the stream holds no element that no reader asked for. A push
 * waits until a reader stands at the tail (a {@code get}, or any read that waits for the next
 * element), then hands it the value and is fulfilled; if a reader is waiting already, the push is
 * fulfilled at once. The one element such a stream may hold unread is the one handed to a reader
 * that was cancelled before it took it; the next reader takes it. A stream {@linkplain #resize
 * resized} to 0 becomes one once its unread elements are read. (Lwt's {@code create_bounded 0}
 * accepts the size but deadlocks: its push waits for a read that waits for the push; see
 * docs/promises.md.)
 *
 * @param <T> the element type; elements may not be null
 */
public final class BoundedStreamPush<T> {
    private final StreamSource.Bounded<T> source;

    BoundedStreamPush(StreamSource.Bounded<T> source) {
        this.source = source;
    }

    /**
     * Appends {@code value}, or waits for room to do so; see the class notes.
     *
     * @throws NullPointerException if {@code value} is null
     */
    public Promise<Void> push(T value) {
        if (value == null) {
            throw new NullPointerException("BoundedStreamPush.push: stream elements may not be null; "
                    + "close() ends the stream");
        }
        return source.push(value);
    }

    /**
     * Ends the stream after the elements already appended; a push still waiting is rejected with
     * {@link StreamClosed} and its value dropped. Closing a closed stream does nothing.
     */
    public void close() {
        source.close();
    }

    /** How many unread elements the stream holds before a push must wait; 0 for a rendezvous. */
    public int size() {
        return source.size();
    }

    /**
     * Changes {@link #size()}; if that makes room, a waiting push is admitted at once. Resized to
     * 0, the stream is a rendezvous (see the class notes) once the unread elements are read.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public void resize(int size) {
        source.resize(size);
    }

    /** How many pushed elements are unread (the waiting push not included). */
    public int count() {
        return source.count();
    }

    /** Whether a push is waiting for room. */
    public boolean isBlocked() {
        return source.isBlocked();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return source.isClosed();
    }
}
