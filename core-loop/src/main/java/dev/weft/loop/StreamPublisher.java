package dev.weft.loop;

import dev.weft.promise.Promise;
import dev.weft.promise.Stream;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Flow.Publisher} of a Weft {@link Stream}'s elements: made by
 * {@link Bridges#toPublisher}. The stream is read on the loop thread, one element per unit of
 * demand and never ahead of it, so a slow subscriber holds the producer back through the
 * stream's own backpressure (a bounded push stream's {@code push} waits).
 *
 * <p><b>Threading: {@code subscribe}, {@code request} and {@code cancel} are ANY THREAD. Every
 * signal to the subscriber ({@code onSubscribe}, {@code onNext}, {@code onError},
 * {@code onComplete}) is made on the loop thread, so a subscriber must not block in them.</b>
 *
 * <p>The publisher is unicast: elements of a stream go to one reader each, so a second subscriber
 * is refused with {@link IllegalStateException}; give each subscriber its own publisher of a
 * {@link Stream#clone()}. A rejected read ends the subscription with that failure, unchanged; the
 * end of the stream completes it. Cancelling cancels the pending read on the loop thread, which
 * loses no element (a cancelled read consumes nothing; one that completed before the cancel
 * reached the loop is still delivered, as rule 1.8 allows); the stream stays open for other readers.
 *
 * <p>A publisher that can no longer produce must say so (rule 1.4): when the loop shuts down, a
 * subscriber still subscribed (not cancelled, not yet terminated) gets {@code onError} with a
 * {@link LoopClosed} ({@link LoopClosed#refused()} false), once, on the loop thread during its
 * release, and nothing after it; its pending read is cancelled. A subscription that ended before
 * leaves nothing behind in the loop.
 *
 * @param <T> the element type
 */
public final class StreamPublisher<T> implements Flow.Publisher<T> {
    private final Loop loop;
    private final Stream<? extends T> stream;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    StreamPublisher(Loop loop, Stream<? extends T> stream) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.stream = Objects.requireNonNull(stream, "stream");
    }

    /**
     * Subscribes {@code subscriber}: its {@code onSubscribe} comes on the loop thread. A second
     * subscriber, or any subscriber once the loop is closed, gets {@code onError} at once on the
     * calling thread. ANY THREAD.
     */
    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (!subscribed.compareAndSet(false, true)) {
            refuse(subscriber, new IllegalStateException("StreamPublisher: a stream publisher takes one "
                    + "subscriber; publish a clone() of the stream for each further subscriber"));
            return;
        }
        Reading<T> reading = new Reading<>(loop, stream, subscriber);
        try {
            loop.execute(reading::start);
        } catch (LoopClosed closed) {
            refuse(subscriber, closed);
        }
    }

    private static void refuse(Flow.Subscriber<?> subscriber, Throwable why) {
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
        });
        subscriber.onError(why);
    }

    /** One subscription: the demand (any thread) and the read in flight (loop thread). */
    private static final class Reading<T> implements Flow.Subscription, Releasable {
        private final Loop loop;
        private final Stream<? extends T> stream;
        private final Flow.Subscriber<? super T> subscriber;

        // Any thread: requested and not yet delivered, capped at Long.MAX_VALUE (rule 3.17).
        private final AtomicLong demand = new AtomicLong();
        private volatile boolean cancelled;

        // Loop thread only.
        private Promise<? extends Optional<? extends T>> pendingRead;
        private boolean started;
        private boolean done;

        Reading(Loop loop, Stream<? extends T> stream, Flow.Subscriber<? super T> subscriber) {
            this.loop = loop;
            this.stream = stream;
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancelled = true;
                loop.executeQuietly(() -> fail(new IllegalArgumentException(
                        "Flow.Subscription.request: n must be positive (rule 3.9), got " + n)));
                return;
            }
            long before = demand.getAndAccumulate(n, (current, add) -> {
                long sum = current + add;
                return sum < 0 ? Long.MAX_VALUE : sum;
            });
            if (before == 0) {
                loop.executeQuietly(this::pump);
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            loop.executeQuietly(this::cancelled);
        }

        // ------------------------------------------------------------ loop thread

        void start() {
            started = true;
            if (!loop.holdUntilRelease(this)) {
                done = true; // cannot happen (start runs before the release) but must not hang if it did
                refuse(subscriber, new LoopClosed(loop.name(), "a stream publisher's subscription"));
                return;
            }
            subscriber.onSubscribe(this);
            pump();
        }

        /** The loop shut down: a subscriber still waiting is told, as rule 1.4 requires. */
        @Override
        public void release(LoopClosed why) {
            if (cancelled) {
                stopReading(); // a cancelled subscriber wants no signal
            } else {
                fail(why);
            }
        }

        private void cancelled() {
            stopReading();
            loop.letGo(this);
        }

        /** Reads and delivers while there is demand and reads complete at once. */
        private void pump() {
            if (!started || done || pendingRead != null) {
                return; // not yet subscribed, finished, or a read's callback will pump again
            }
            while (!cancelled && demand.get() > 0) {
                Promise<? extends Optional<? extends T>> read = stream.get();
                if (read.isPending()) {
                    pendingRead = read;
                    read.onAny(this::landed, this::failedRead);
                    return;
                }
                if (read.isRejected()) {
                    fail(read.failure());
                    return;
                }
                if (!deliver(read.value())) {
                    return;
                }
            }
        }

        private void landed(Optional<? extends T> element) {
            pendingRead = null;
            // Delivered even if the subscriber cancelled meanwhile: the read consumed the element,
            // and a cancel seen late still allows signals (rule 1.8); pump stops at the flag.
            if (deliver(element)) {
                pump();
            }
        }

        private void failedRead(Throwable failure) {
            pendingRead = null;
            if (!cancelled) {
                fail(failure);
            }
        }

        /** Delivers one read's outcome; false once the stream ended. */
        private boolean deliver(Optional<? extends T> element) {
            if (element.isEmpty()) {
                done = true;
                loop.letGo(this);
                subscriber.onComplete();
                return false;
            }
            demand.decrementAndGet(); // before onNext, which may request again
            subscriber.onNext(element.get());
            return true;
        }

        private void fail(Throwable failure) {
            if (done) {
                return;
            }
            done = true;
            stopReading();
            loop.letGo(this);
            subscriber.onError(failure);
        }

        private void stopReading() {
            Promise<?> read = pendingRead;
            pendingRead = null;
            if (read != null) {
                read.cancel();
            }
        }
    }
}
