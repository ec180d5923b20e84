package dev.weft.promise;

/**
 * The data of a stream and its clones: a singly linked queue of {@link StreamNode}s that grows
 * at {@link #last} and is read through each stream object's own cursor, plus the promise that
 * resolves when the end marker is enqueued.
 *
 * <p>Confined to the loop thread. Nothing here points back to a stream or to nodes already
 * appended, so a producer that holds only the queue keeps no consumed element alive.
 */
final class StreamQueue<T> {
    /** The empty tail node; readers whose cursor reaches it must feed the source. */
    StreamNode<T> last = new StreamNode<>();
    private final Resolver<Void> closed = Promise.pending();

    /** Appends {@code data}, or the end marker when it is null. */
    void enqueue(T data) {
        StreamNode<T> node = last;
        node.data = data;
        node.next = new StreamNode<>();
        last = node.next;
    }

    /** Appends the end marker and resolves {@link #closed()}. */
    void end() {
        enqueue(null);
        resolveClosed();
    }

    /** Resolves {@link #closed()}, for producers that wake their readers in between. */
    void resolveClosed() {
        closed.resolve(null);
    }

    /** Resolved once the end marker is in the queue; {@link Promise#cancel()} cannot touch it. */
    Promise<Void> closed() {
        return closed.promise();
    }

    boolean isClosed() {
        return !closed.promise().isPending();
    }
}
