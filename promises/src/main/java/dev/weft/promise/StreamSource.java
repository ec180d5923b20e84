package dev.weft.promise;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a stream's elements come from (Lwt_stream's {@code source}): a generator called when a
 * reader reaches the tail, or a producer that pushes. {@link #feed()} is called by a reader
 * standing at the tail and resolves once something (an element, the end, or nothing new when
 * woken) may have been appended.
 *
 * <p>Confined to the loop thread.
 */
abstract sealed class StreamSource<T> {
    final StreamQueue<T> queue = new StreamQueue<>();

    /** Asks for more; the returned promise is a cancelable view, so a cancelled reader leaves the source alone. */
    abstract Promise<Void> feed();

    /** Called when a reader consumed an element; bounded sources count them. */
    void consumed() {}

    /** Whether clones may share this source (Lwt forbids cloning bounded streams). */
    boolean cloneable() {
        return true;
    }

    /**
     * An asynchronous generator (Lwt_stream.from): one call in flight at a time, shared by the
     * readers that reach the tail meanwhile. A failure goes to those readers and leaves the
     * stream open; the next read calls the generator again.
     */
    static final class Generator<T> extends StreamSource<T> {
        private final Supplier<? extends Promise<Optional<T>>> generator;
        private Promise<Void> inFlight = Promise.unit();

        Generator(Supplier<? extends Promise<Optional<T>>> generator) {
            this.generator = generator;
        }

        @Override
        Promise<Void> feed() {
            if (!inFlight.isPending()) {
                inFlight = Promise.<Optional<T>>apply(generator).map(this::append);
            }
            return Promise.protect(inFlight);
        }

        private Void append(Optional<T> next) {
            if (next.isPresent()) {
                queue.enqueue(next.get());
            } else {
                queue.end();
            }
            return null;
        }
    }

    /** A synchronous generator (Lwt_stream.from_direct); a throw fails the read that fed. */
    static final class Direct<T> extends StreamSource<T> {
        private final Supplier<Optional<T>> generator;

        Direct(Supplier<Optional<T>> generator) {
            this.generator = generator;
        }

        @Override
        Promise<Void> feed() {
            Optional<T> next;
            try {
                next = generator.get();
                if (next.isPresent()) {
                    queue.enqueue(next.get());
                } else {
                    queue.end();
                }
            } catch (RuntimeException | Error failure) {
                return Promise.rejected(failure);
            }
            return Promise.unit();
        }
    }

    /**
     * Elements pushed by a producer ({@link StreamPush}, {@link BoundedStreamPush}): readers at the
     * tail wait on a shared signal, renewed each time it fires. Readers get a protected view of
     * it, so cancelling one reader neither wakes nor cancels the others, and loses no element:
     * elements are only consumed by the read that returns them.
     */
    static sealed class Pushed<T> extends StreamSource<T> permits Bounded {
        private Resolver<Void> signal = Promise.pending();
        private boolean readerWaiting;

        @Override
        final Promise<Void> feed() {
            if (admitForReader()) {
                return Promise.unit(); // the reader finds the element at once
            }
            readerWaiting = true;
            return Promise.protect(signal.promise());
        }

        /**
         * A reader stands at the tail: appends an element for it now if the source holds one
         * back for a reader (a zero-size bounded stream's waiting push). False if it has none.
         */
        boolean admitForReader() {
            return false;
        }

        /** Whether a reader waits at the tail for the next element (it may have been cancelled since). */
        final boolean readerWaiting() {
            return readerWaiting;
        }

        /** Wakes the readers waiting at the tail, if any (callbacks as by resolveLater). */
        final void wakeReaders() {
            if (readerWaiting) {
                readerWaiting = false;
                Resolver<Void> fired = signal;
                signal = Promise.pending();
                fired.resolveLater(null);
            }
        }
    }

    /**
     * A push source that holds at most {@code size} unread elements, plus one blocked push
     * (Lwt_stream.create_bounded); size 0 is a rendezvous, where a push waits for a reader at the
     * tail. {@link BoundedStreamPush} is its public face.
     */
    static final class Bounded<T> extends Pushed<T> {
        private int size;
        private int count;
        private boolean closed;
        /** The value of the one push waiting for room, or null. */
        private T blocked;
        private Resolver<Void> blockedPusher;

        Bounded(int size) {
            this.size = requireSize(size, "createBounded");
        }

        Promise<Void> push(T value) {
            if (closed) {
                return Promise.rejected(new StreamClosed("BoundedStreamPush.push: the stream is closed; "
                        + "stop producing once close() was called"));
            }
            if (blocked != null) {
                return Promise.rejected(new StreamFull("BoundedStreamPush.push: another push is already "
                        + "waiting for room (" + count + "/" + size + " unread); wait for its promise first"));
            }
            if (count >= size && !rendezvous()) {
                return block(value);
            }
            queue.enqueue(value);
            count++;
            wakeReaders();
            return Promise.unit();
        }

        /**
         * Whether a zero-size stream may take an element now: a reader waits for one and none is
         * unread. Size 0 is a rendezvous (Lwt's create_bounded 0 deadlocks instead: its reader
         * waits for a push that waits for a read): the stream holds an element only for a reader
         * that asked for it, so the one unread element it may hold is that reader's.
         */
        private boolean rendezvous() {
            return size == 0 && count == 0 && readerWaiting();
        }

        @Override
        boolean admitForReader() {
            if (size == 0 && count == 0 && blocked != null) {
                count++;
                admitBlocked();
                return true;
            }
            return false;
        }

        /** Parks {@code value} until a read makes room; cancelling the push drops the value. */
        private Promise<Void> block(T value) {
            Resolver<Void> pusher = Promise.task();
            blocked = value;
            blockedPusher = pusher;
            pusher.promise().onCancel(() -> {
                if (blockedPusher == pusher) {
                    blocked = null;
                    blockedPusher = null;
                }
            });
            return pusher.promise();
        }

        /**
         * Admits the blocked value into the queue, wakes the readers waiting at the tail, if any
         * (the reader of a zero-size stream's rendezvous finds it without waiting, but a reader
         * still waiting is never left asleep beside an element) and fulfils its push; the caller
         * counts the element.
         */
        private void admitBlocked() {
            Resolver<Void> pusher = blockedPusher;
            queue.enqueue(blocked);
            blocked = null;
            blockedPusher = null;
            wakeReaders();
            pusher.resolveLater(null);
        }

        @Override
        void consumed() {
            count--;
            // Only a read that leaves fewer than size unread makes room: after a resize down, the
            // reads first bring the count under the new size (Lwt admits the push at the next read).
            if (blocked != null && count < size) {
                count++;
                admitBlocked();
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            queue.enqueue(null);
            if (blocked != null) {
                Resolver<Void> pusher = blockedPusher;
                blocked = null;
                blockedPusher = null;
                pusher.rejectLater(new StreamClosed("BoundedStreamPush.push: the stream was closed while "
                        + "this push waited for room; the value was dropped"));
            }
            wakeReaders();
            queue.resolveClosed();
        }

        void resize(int newSize) {
            size = requireSize(newSize, "resize");
            if (count < size && blocked != null) {
                count++;
                admitBlocked();
            }
        }

        int size() {
            return size;
        }

        int count() {
            return count;
        }

        boolean isBlocked() {
            return blocked != null;
        }

        boolean isClosed() {
            return closed;
        }

        @Override
        boolean cloneable() {
            return false;
        }

        private static int requireSize(int size, String operation) {
            if (size < 0) {
                throw new IllegalArgumentException("Stream." + operation + ": size must be >= 0, got " + size);
            }
            return size;
        }
    }
}
