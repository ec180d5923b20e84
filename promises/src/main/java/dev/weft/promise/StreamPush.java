package dev.weft.promise;

/**
 * The producer side of an unbounded push stream (Lwt_stream.create's push function): made with
 * its stream by {@link Stream#create()}, it appends elements to that stream and closes it.
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b>
 *
 * <p>A push never waits: the stream buffers every unread element. Readers waiting at the end of
 * the stream are woken with their callbacks run as by {@link Resolver#resolveLater}. This object
 * does not keep the stream or its unread elements alive: once every reader dropped the stream,
 * they can be collected while the producer lives on (which is why {@link Stream#create()} hands
 * out the stream and its producer side by side).
 *
 * @param <T> the element type; elements may not be null
 */
public final class StreamPush<T> {
    private final StreamSource.Pushed<T> source;

    StreamPush(StreamSource.Pushed<T> source) {
        this.source = source;
    }

    /**
     * Appends {@code value} and wakes the readers waiting for it.
     *
     * @throws StreamClosed if the stream was closed
     * @throws NullPointerException if {@code value} is null
     */
    public void push(T value) {
        if (value == null) {
            throw new NullPointerException("StreamPush.push: stream elements may not be null; close() "
                    + "ends the stream");
        }
        if (source.queue.isClosed()) {
            throw new StreamClosed("StreamPush.push: the stream is closed; stop producing once close() "
                    + "was called");
        }
        source.queue.enqueue(value);
        source.wakeReaders();
    }

    /**
     * Ends the stream: readers get the end of stream after the elements already pushed, and
     * {@link Stream#closed()} resolves. Closing a closed stream does nothing.
     */
    public void close() {
        if (source.queue.isClosed()) {
            return;
        }
        source.queue.enqueue(null);
        source.wakeReaders();
        source.queue.resolveClosed();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return source.queue.isClosed();
    }
}
