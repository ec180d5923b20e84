package dev.weft.promise;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Debug mode's watch for rejected promises that are garbage-collected unobserved: per thread, a
 * phantom reference to each rejected promise that nothing had observed when it was rejected, and
 * the queue the collector puts them on. {@link #drain} (a loop calls it once per iteration,
 * through {@link LoopHooks#reportUnhandledRejections()}) reports to the async-exception hook each
 * collected promise whose failure was still not observed. A queue drained on the owner's thread
 * rather than a {@link java.lang.ref.Cleaner}: the report then reaches the hook of the loop the
 * promise belonged to, on that loop's thread, as every other async exception does.
 *
 * <p>Observed means: a callback of any kind was attached to the promise before it was rejected,
 * or, after, a handler ({@code recover}, {@code tryBind}, {@code andFinally}, {@code onFailure},
 * {@code onSuccess}, {@code onAny}, {@code onTermination}) was attached to it, a combinator took
 * it as an input, a {@code flatMap} returned it to its caller's chain, or its outcome was read
 * with {@code failure()} or {@code value()} (as a loop's {@code run(p)} does). Not observing: a
 * {@code map} or {@code flatMap} on the rejected promise (they return it as it is, the failure not
 * handled), {@code isRejected()} and the other state tests. A promise cancelled (rejected with
 * {@link Cancelled}) is never reported: cancelling is deliberate.
 *
 * <p>Threading: confined to its thread, like the promises it watches; the collector's enqueueing
 * is the only cross-thread step, and ReferenceQueue handles it.
 */
final class UnhandledRejections {
    private static final ThreadLocal<UnhandledRejections> PER_THREAD =
            ThreadLocal.withInitial(UnhandledRejections::new);

    private final ReferenceQueue<Promise<?>> collected = new ReferenceQueue<>();
    /** The trackers not yet collected: a phantom reference must stay reachable to be enqueued. */
    private final Set<Tracker> watched = Collections.newSetFromMap(new IdentityHashMap<>());

    private UnhandledRejections() {}

    /** A rejected promise under watch, with what the report needs once it is gone. */
    private static final class Tracker extends PhantomReference<Promise<?>> {
        final Debug.Origin origin;
        final Throwable failure;

        Tracker(Promise<?> promise, ReferenceQueue<Promise<?>> queue, Debug.Origin origin, Throwable failure) {
            super(promise, queue);
            this.origin = origin;
            this.failure = failure;
        }
    }

    /** Watches {@code promise}, just rejected with {@code failure} and not observed. Debug mode only. */
    static void track(Promise<?> promise, Debug.Origin origin, Throwable failure) {
        if (origin.tracked || failure instanceof Cancelled) {
            return;
        }
        origin.tracked = true;
        UnhandledRejections mine = PER_THREAD.get();
        mine.watched.add(new Tracker(promise, mine.collected, origin, failure));
    }

    /** Reports the promises collected unobserved so far on this thread; returns how many. */
    static int drain() {
        UnhandledRejections mine = PER_THREAD.get();
        int reported = 0;
        for (var ref = mine.collected.poll(); ref != null; ref = mine.collected.poll()) {
            reported += mine.report((Tracker) ref);
        }
        return reported;
    }

    /**
     * Waits up to {@code millis} for one promise watched on this thread to be collected, then
     * drains; returns how many were reported. For tests, after they dropped a promise and asked
     * for a collection: the wait ends as soon as the collector enqueues it, no sleep involved.
     */
    static int awaitAndDrain(long millis) throws InterruptedException {
        UnhandledRejections mine = PER_THREAD.get();
        var first = mine.collected.remove(TimeUnit.MILLISECONDS.toMillis(millis));
        int reported = first == null ? 0 : mine.report((Tracker) first);
        return reported + drain();
    }

    /** How many rejected promises this thread watches now. */
    static int watchedCount() {
        return PER_THREAD.get().watched.size();
    }

    private int report(Tracker tracker) {
        watched.remove(tracker);
        if (tracker.origin.observed) {
            return 0;
        }
        LoopHooks.reportAsyncException(new UnhandledRejection(tracker.failure, tracker.origin.sites));
        return 1;
    }
}
