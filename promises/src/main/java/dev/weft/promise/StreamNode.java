package dev.weft.promise;

/**
 * One cell of a stream's queue (see {@link StreamQueue}): an element, or the end marker when
 * {@code data} is null and {@code next} is set, or the empty tail when {@code next} is null.
 */
final class StreamNode<T> {
    T data;
    StreamNode<T> next;
}
