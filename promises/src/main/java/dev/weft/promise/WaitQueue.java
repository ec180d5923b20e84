package dev.weft.promise;

import java.util.ArrayList;
import java.util.List;

/**
 * A FIFO queue of promises waiting for a resource (Lwt's {@code add_task_r} over an
 * {@code Lwt_sequence}): each waiter is a cancelable {@link Promise#task() task}, and cancelling
 * it unlinks it in O(1), so a cancelled waiter is never handed the resource.
 *
 * <p>Confined to the loop thread, like promises. Each waiter may carry a payload: the value a
 * blocked writer wants to put, for instance.
 *
 * @param <R> what a waiter's promise is fulfilled with
 * @param <P> the payload a waiter carries ({@code Void} when none)
 */
final class WaitQueue<R, P> {
    /** One waiter: a doubly linked node, unlinked when taken or cancelled. */
    static final class Waiter<R, P> {
        final Resolver<R> resolver;
        final P payload;
        Waiter<R, P> previous;
        Waiter<R, P> next;
        boolean linked = true;

        Waiter(Resolver<R> resolver, P payload) {
            this.resolver = resolver;
            this.payload = payload;
        }
    }

    private Waiter<R, P> first;
    private Waiter<R, P> last;
    private int size;

    /** Appends a waiter carrying no payload and returns its cancelable promise. */
    Promise<R> add() {
        return add(null);
    }

    /** Appends a waiter carrying {@code payload} and returns its cancelable promise. */
    Promise<R> add(P payload) {
        Resolver<R> resolver = Promise.task();
        Waiter<R, P> waiter = new Waiter<>(resolver, payload);
        if (last == null) {
            first = waiter;
        } else {
            last.next = waiter;
            waiter.previous = last;
        }
        last = waiter;
        size++;
        resolver.promise().onCancel(() -> unlink(waiter));
        return resolver.promise();
    }

    /** Removes and returns the oldest waiter, or null if there is none. */
    Waiter<R, P> poll() {
        Waiter<R, P> waiter = first;
        if (waiter != null) {
            unlink(waiter);
        }
        return waiter;
    }

    /** Removes every waiter and returns them oldest first (a snapshot, as Lwt's broadcast takes). */
    List<Waiter<R, P>> pollAll() {
        List<Waiter<R, P>> all = new ArrayList<>(size);
        for (Waiter<R, P> w = poll(); w != null; w = poll()) {
            all.add(w);
        }
        return all;
    }

    boolean isEmpty() {
        return first == null;
    }

    int size() {
        return size;
    }

    private void unlink(Waiter<R, P> waiter) {
        if (!waiter.linked) {
            return;
        }
        waiter.linked = false;
        if (waiter.previous == null) {
            first = waiter.next;
        } else {
            waiter.previous.next = waiter.next;
        }
        if (waiter.next == null) {
            last = waiter.previous;
        } else {
            waiter.next.previous = waiter.previous;
        }
        waiter.previous = null;
        waiter.next = null;
        size--;
    }
}
