package dev.weft.promise;

import java.util.Optional;

/**
 * A box holding at most one value, for handing values between cooperative tasks (Lwt_mvar):
 * {@link #put} waits while the box is full, {@link #take} waits while it is empty, and both
 * kinds of waiters are served in FIFO order.
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b>
 *
 * <p>A value put while a taker waits goes straight to the oldest taker; a take while putters
 * wait moves the oldest putter's value into the box and fulfils that putter. Waiters are woken
 * as by {@link Resolver#resolveLater}. A waiting put or take is cancelable: a cancelled putter's
 * value never enters the box, and a cancelled taker is never given a value. Values may not be null.
 *
 * @param <T> the type of the value
 */
public final class Mailbox<T> {
    private final WaitQueue<Void, T> putters = new WaitQueue<>();
    private final WaitQueue<T, Void> takers = new WaitQueue<>();
    /** The value in the box, or null when it is empty. */
    private T contents;

    private Mailbox(T contents) {
        this.contents = contents;
    }

    /** An empty mailbox (Lwt_mvar.create_empty). */
    public static <T> Mailbox<T> createEmpty() {
        return new Mailbox<>(null);
    }

    /** A mailbox holding {@code value} (Lwt_mvar.create). */
    public static <T> Mailbox<T> create(T value) {
        return new Mailbox<>(requireValue(value));
    }

    /**
     * Puts {@code value} in the box: an already-fulfilled promise if the box was empty (the value
     * went in, or to the oldest waiting taker), else a cancelable promise fulfilled once the value
     * has entered the box, after the values of earlier putters.
     */
    public Promise<Void> put(T value) {
        requireValue(value);
        if (contents != null) {
            return putters.add(value);
        }
        WaitQueue.Waiter<T, Void> taker = takers.poll();
        if (taker == null) {
            contents = value;
        } else {
            taker.resolver.resolveLater(value);
        }
        return Promise.unit();
    }

    /**
     * Takes the value out of the box: an already-fulfilled promise if it was full, else a
     * cancelable promise fulfilled with the next value put, after earlier takers are served.
     */
    public Promise<T> take() {
        T value = takeOrNull();
        return value != null ? Promise.of(value) : takers.add();
    }

    /** Takes the value if the box is full, without waiting (Lwt_mvar.take_available). */
    public Optional<T> takeAvailable() {
        return Optional.ofNullable(takeOrNull());
    }

    /** Whether the box is empty. */
    public boolean isEmpty() {
        return contents == null;
    }

    private T takeOrNull() {
        T value = contents;
        if (value == null) {
            return null;
        }
        WaitQueue.Waiter<Void, T> putter = putters.poll();
        if (putter == null) {
            contents = null;
        } else {
            contents = putter.payload;
            putter.resolver.resolveLater(null);
        }
        return value;
    }

    private static <T> T requireValue(T value) {
        if (value == null) {
            throw new NullPointerException("Mailbox values may not be null; wrap them in Optional if "
                    + "absence is a value");
        }
        return value;
    }
}
