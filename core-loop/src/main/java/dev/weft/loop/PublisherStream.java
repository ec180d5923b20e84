package dev.weft.loop;

import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.promise.Stream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * A Weft {@link Stream} fed by a {@link Flow.Publisher}, with backpressure: made by
 * {@link Bridges#fromPublisher}. At most {@code prefetch} elements are ever requested beyond those
 * the stream's readers took, so the buffer never holds more than {@code prefetch}; as readers take
 * elements, more are requested in batches of about three quarters of {@code prefetch}.
 *
 * <p><b>Threading: {@link #stream()} and {@link #cancel()} are LOOP THREAD only, like any stream.
 * The publisher may signal on any thread: its signals are queued and handled on the loop thread,
 * which is woken for them; {@code request} and {@code cancel} reach the publisher from the loop
 * thread only, so they are serial as Reactive Streams requires.</b>
 *
 * <p>When the loop shuts down, its release cancels the subscription (so the publisher stops) and
 * rejects the waiting read and every read after the buffered elements with a {@link LoopClosed}
 * ({@link LoopClosed#refused()} false). From then on the publisher's signals are dropped, and a
 * subscription that arrives only then is cancelled, on the signalling thread; nothing is thrown at
 * the publisher (rule 2.13). A subscription that ended before (completed, failed, cancelled)
 * leaves nothing behind in the loop.
 *
 * <p>The stream ends when the publisher completes. When the publisher fails, every read after the
 * buffered elements is rejected with its failure, unchanged. {@link #cancel()} cancels the
 * subscription, drops the buffered elements and rejects every later read with {@link Cancelled}.
 * A reader that stops reading should call it: dropping the stream does not end the subscription.
 *
 * <p>Implementation notes: signals cross through an MPSC queue drained by one loop task at a
 * time; {@code wip} counts signals not yet drained, so only the signal that finds it zero
 * schedules the drain (one {@link Loop#execute} per burst, not per element). Elements are queued
 * as themselves; the other signals are private records, which no element can be.
 *
 * @param <T> the element type
 */
public final class PublisherStream<T> implements Releasable {
    private final Loop loop;
    private final int prefetch;
    private final int batch;
    private final Stream<T> stream;

    // Any thread: the signals the publisher sent and how many are not yet drained.
    private final MpscUnboundedXaddArrayQueue<Object> signals = new MpscUnboundedXaddArrayQueue<>(256);
    private final AtomicInteger wip = new AtomicInteger();
    /**
     * The first subscription the publisher gave, so that a closed loop can still cancel it; {@link
     * #GONE} once the loop let the publisher go. Whichever of the first {@code onSubscribe} and the
     * loop's release comes second cancels that subscription, exactly once, by the CAS.
     */
    private final AtomicReference<Flow.Subscription> firstSubscription = new AtomicReference<>();
    /** The first subscription itself, kept after {@link #GONE} replaced it, to tell a second one. */
    private volatile Flow.Subscription firstGiven;
    /** The loop refused the drain: signals are dropped from then on. */
    private volatile boolean abandoned;

    // Loop thread only.
    private final ArrayDeque<T> buffer = new ArrayDeque<>();
    private Flow.Subscription subscription;
    private Resolver<Optional<T>> waitingRead;
    private int takenSinceRequest;
    private boolean completed;
    private Throwable failure;
    private boolean cancelled;

    PublisherStream(Loop loop, int prefetch) {
        if (prefetch <= 0) {
            throw new IllegalArgumentException("prefetch must be positive, got " + prefetch);
        }
        this.loop = Objects.requireNonNull(loop, "loop");
        this.prefetch = prefetch;
        this.batch = Math.max(1, prefetch - (prefetch >> 2));
        this.stream = Stream.from(this::nextElement);
        if (!loop.holdUntilRelease(this)) {
            release(new LoopClosed(loop.name(), "fromPublisher")); // the subscription it would feed is refused
        }
    }

    /** The stream of the publisher's elements. LOOP THREAD. */
    public Stream<T> stream() {
        return stream;
    }

    /**
     * Cancels the subscription (now, or as soon as it arrives), drops the buffered elements and
     * rejects the waiting read and every later one with {@link Cancelled}. Cancelling twice, or
     * after the publisher finished, does nothing more. LOOP THREAD.
     */
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        buffer.clear();
        if (subscription != null) {
            subscription.cancel();
        }
        finishWaitingRead();
        loop.letGo(this);
    }

    /**
     * The loop shut down: cancel the subscription so the publisher stops, and reject the waiting
     * read (and the reads after the buffer) with {@code why}. LOOP THREAD, once, in the release.
     */
    @Override
    public void release(LoopClosed why) {
        letPublisherGo(); // not abandon(): a refused signal's thread may be draining the queue now
        if (!cancelled && !completed && failure == null) {
            failure = why;
        }
        finishWaitingRead();
    }

    Flow.Subscriber<T> subscriber() {
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                Objects.requireNonNull(s, "subscription");
                // signals are serial (rule 1.3): the only race is with the loop's release
                if (firstGiven == null) {
                    firstGiven = s; // before the CAS, so that abandon() never takes it for a second one
                }
                if (!firstSubscription.compareAndSet(null, s) && firstSubscription.get() == GONE) {
                    s.cancel(); // the loop let the publisher go before it subscribed
                    return;
                }
                signal(new Subscribed(s));
            }

            @Override
            public void onNext(T element) {
                signal(Objects.requireNonNull(element, "element (Reactive Streams forbids null)"));
            }

            @Override
            public void onError(Throwable error) {
                signal(new Failed(Objects.requireNonNull(error, "error")));
            }

            @Override
            public void onComplete() {
                signal(Completed.INSTANCE);
            }
        };
    }

    // ---------------------------------------------------------------- any thread

    private void signal(Object signal) {
        if (abandoned) {
            return;
        }
        signals.offer(signal);
        if (wip.getAndIncrement() == 0) {
            try {
                loop.execute(this::drain);
            } catch (LoopClosed closed) {
                abandon();
            }
        }
    }

    /**
     * A signal the closed loop refused: no one will read these signals, so cancel, never throw
     * into the publisher's thread (rule 2.13: a subscriber's signal methods return normally, and
     * the only way it may stop the publisher is to cancel). No drain runs or will run (the final
     * drain ran before the release; the refused signal leaves wip above zero), and the publisher's
     * signals are serial (rule 1.3), so this thread is the queue's one consumer.
     */
    private void abandon() {
        letPublisherGo();
        Flow.Subscription first = firstGiven;
        Object signal;
        while ((signal = signals.poll()) != null) {
            if (signal instanceof Subscribed(Flow.Subscription s) && s != first) {
                s.cancel(); // a second subscription (rule 2.5), refused as the drain would
            }
        }
    }

    /**
     * Drops every later signal and cancels the first subscription unless it is cancelled already
     * or not here yet (then {@code onSubscribe} cancels it). ANY THREAD.
     */
    private void letPublisherGo() {
        abandoned = true;
        Flow.Subscription first = firstSubscription.getAndSet(GONE);
        if (first != null && first != GONE) {
            first.cancel();
        }
    }

    // ---------------------------------------------------------------- loop thread

    private void drain() {
        int missed = 1;
        do {
            Object signal;
            while ((signal = signals.poll()) != null) {
                try {
                    handle(signal);
                } catch (RuntimeException broken) {
                    brokenSubscription(broken); // keep draining: an escape would leave wip stuck above zero
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    @SuppressWarnings("unchecked")
    private void handle(Object signal) {
        switch (signal) {
            case Subscribed(Flow.Subscription s) -> subscribed(s);
            case Failed(Throwable error) -> {
                failure = error;
                finishWaitingRead();
                loop.letGo(this);
            }
            case Completed c -> {
                completed = true;
                finishWaitingRead();
                loop.letGo(this);
            }
            default -> arrived((T) signal);
        }
    }

    /**
     * A subscription whose {@code request} threw (Reactive Streams rule 3.16 forbids it): fail the
     * stream with what it threw and cancel it, as for a publisher failure.
     */
    private void brokenSubscription(RuntimeException broken) {
        if (failure == null && !completed) {
            failure = broken;
        }
        if (subscription != null) {
            subscription.cancel();
        }
        finishWaitingRead();
        loop.letGo(this);
    }

    private void subscribed(Flow.Subscription s) {
        if (subscription != null || cancelled) {
            s.cancel(); // a second subscription breaks rule 2.5; a cancelled bridge wants none
            return;
        }
        subscription = s;
        s.request(prefetch);
    }

    private void arrived(T element) {
        if (cancelled) {
            return;
        }
        if (waitingRead != null) {
            Resolver<Optional<T>> read = waitingRead;
            waitingRead = null;
            taken();
            read.resolve(Optional.of(element));
        } else {
            buffer.add(element);
        }
    }

    /** The stream's generator: called on the loop thread when a reader finds nothing buffered. */
    private Promise<Optional<T>> nextElement() {
        T element = buffer.poll();
        if (element != null) {
            taken();
            return Promise.of(Optional.of(element));
        }
        if (cancelled) {
            return Promise.rejected(new Cancelled());
        }
        if (failure != null) {
            return Promise.rejected(failure);
        }
        if (completed) {
            return Promise.of(Optional.empty());
        }
        waitingRead = Promise.pending();
        return waitingRead.promise();
    }

    /** Counts one element handed to a reader and asks for a batch once enough were taken. */
    private void taken() {
        if (++takenSinceRequest >= batch && !completed && failure == null) {
            int n = takenSinceRequest;
            takenSinceRequest = 0;
            subscription.request(n);
        }
    }

    private void finishWaitingRead() {
        if (waitingRead == null) {
            return;
        }
        Resolver<Optional<T>> read = waitingRead;
        waitingRead = null;
        if (cancelled) {
            read.reject(new Cancelled());
        } else if (failure != null) {
            read.reject(failure);
        } else {
            read.resolve(Optional.empty());
        }
    }

    /** Stands in {@link #firstSubscription} once the loop let the publisher go. */
    private static final Flow.Subscription GONE = new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    };

    private record Subscribed(Flow.Subscription subscription) {}

    private record Failed(Throwable error) {}

    private enum Completed { INSTANCE }
}
