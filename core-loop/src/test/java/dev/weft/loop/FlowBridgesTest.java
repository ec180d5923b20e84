package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Stream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Flow.Publisher to Stream and back: order, backpressure, errors, cancellation, threads. */
class FlowBridgesTest {

    private static final String LOOP_THREAD = "flow-loop";

    private final Loop loop = Loop.builder().name("flow").build();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() {
        pool.shutdownNow();
        loop.close();
    }

    private <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- publisher to stream

    @Test
    void aMillionElementsPublishedFromAnotherThreadReachASlowReaderInOrderOnce() throws Exception {
        loop.start(LOOP_THREAD, true);
        int count = 1_000_000;
        SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(pool, 64);
        CompletableFuture<Long> checked = loop.submit(() -> {
            Stream<Integer> stream = Bridges.fromPublisher(loop, publisher, 32).stream();
            // Only now: a SubmissionPublisher drops what is submitted before anyone subscribes.
            pool.execute(() -> {
                for (int i = 0; i < count; i++) {
                    publisher.submit(i); // blocks while the subscriber's buffer is full
                }
                publisher.close();
            });
            long[] next = {0};
            return stream.iterS(element -> {
                if (element != next[0]) {
                    return Promise.rejected(new AssertionError("expected " + next[0] + ", got " + element));
                }
                next[0]++;
                return next[0] % 128 == 0 ? Promise.pause() : Promise.unit(); // a slow reader: yields to the loop
            }).map(done -> next[0]);
        });

        assertEquals(count, await(checked));
    }

    @Test
    void aPublisherIsAskedOnlyForWhatFitsInThePrefetchBuffer() throws Exception {
        loop.start(LOOP_THREAD, true);
        CountingPublisher publisher = new CountingPublisher();
        int prefetch = 16;

        CompletableFuture<List<Integer>> firstTen = loop.submit(() ->
                Bridges.fromPublisher(loop, publisher, prefetch).stream().nget(10));
        List<Integer> read = await(firstTen);

        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), read);
        assertTrue(publisher.requested.get() <= read.size() + prefetch,
                "requested " + publisher.requested.get() + " after reading " + read.size());
    }

    @Test
    void aPublisherFailureRejectsReadsAfterTheBufferedElementsWithTheSameFailure() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("upstream broke");
        Flow.Publisher<Integer> publisher = oneThen(subscriber -> subscriber.onError(failure));
        Stream<Integer> elements = await(loop.call(() -> Bridges.fromPublisher(loop, publisher, 8).stream()));

        assertEquals(Optional.of(1), await(loop.submit(elements::get)));
        Throwable seen = await(loop.submit(() -> elements.get().map(v -> (Throwable) null).recover(Promise::of)));
        assertSame(failure, seen);
    }

    @Test
    void aSubscriptionWhoseRequestThrowsRejectsReadsWithWhatItThrew() throws Exception {
        loop.start(LOOP_THREAD, true);
        IllegalStateException broken = new IllegalStateException("request broke");
        Flow.Publisher<Integer> publisher = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                throw broken;
            }

            @Override
            public void cancel() {}
        });

        Throwable seen = await(loop.submit(() -> Bridges.fromPublisher(loop, publisher, 4).stream().get()
                .map(v -> (Throwable) null).recover(Promise::of)));

        assertSame(broken, seen);
    }

    @Test
    void aPublisherThatSignalsAfterTheLoopClosedIsNotThrownAtAndItsSubscriptionIsCancelled() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<Flow.Subscriber<? super Integer>> subscribed = new CompletableFuture<>();
        AtomicInteger cancels = new AtomicInteger();
        Flow.Publisher<Integer> publisher = subscriber -> {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {
                    cancels.incrementAndGet();
                }
            });
            subscribed.complete(subscriber);
        };
        await(loop.call(() -> Bridges.fromPublisher(loop, publisher, 4)));
        Flow.Subscriber<? super Integer> subscriber = await(subscribed);
        loop.close();

        // rule 2.13: a subscriber's signal methods return normally; one that cannot go on cancels
        subscriber.onNext(1);
        subscriber.onComplete();

        assertEquals(1, cancels.get());
    }

    @Test
    void aSubscriptionThatArrivesAfterTheLoopClosedIsCancelledNotThrownAt() {
        AtomicInteger cancels = new AtomicInteger();
        Flow.Subscription subscription = new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {
                cancels.incrementAndGet();
            }
        };
        List<Flow.Subscriber<? super Integer>> subscribers = new ArrayList<>();
        Bridges.fromPublisher(loop, subscribers::add, 4); // a publisher that answers later
        loop.close();

        subscribers.getFirst().onSubscribe(subscription);

        assertEquals(1, cancels.get());
    }

    @Test
    void cancellingTheStreamCancelsTheSubscriptionAndRejectsReadsWithCancelled() throws Exception {
        loop.start(LOOP_THREAD, true);
        CountingPublisher publisher = new CountingPublisher();
        CompletableFuture<PublisherStream<Integer>> made = loop.call(() ->
                Bridges.fromPublisher(loop, publisher, 4));
        PublisherStream<Integer> bridge = await(made);

        Throwable seen = await(loop.submit(() -> bridge.stream().get().flatMap(first -> {
            bridge.cancel();
            return bridge.stream().get();
        }).map(v -> (Throwable) null).recover(Promise::of)));

        assertInstanceOf(Cancelled.class, seen);
        assertTrue(publisher.cancelled.get());
    }

    @Test
    void anIdlePublishersSubscriptionIsCancelledWhenTheLoopCloses() throws Exception {
        loop.start(LOOP_THREAD, true);
        AtomicInteger cancels = new AtomicInteger();
        await(loop.call(() -> Bridges.fromPublisher(loop, silent(cancels), 4)));

        loop.close();

        assertEquals(1, cancels.get());
    }

    @Test
    void aReadWaitingOnThePublisherIsRejectedWithLoopClosedWhenTheLoopCloses() throws Exception {
        loop.start(LOOP_THREAD, true);
        Promise<Optional<Integer>> read = await(loop.call(() ->
                Bridges.fromPublisher(loop, silent(new AtomicInteger()), 4).stream().get()));

        loop.close(); // joins the loop thread, so its writes to the promise are visible here

        assertTrue(read.isRejected(), "the read is still " + read);
        LoopClosed closed = assertInstanceOf(LoopClosed.class, read.failure());
        assertEquals(false, closed.refused());
    }

    @Test
    void aStreamFedByAPublisherOnAClosedLoopCancelsTheSubscriptionAndRefusesReads() {
        AtomicInteger cancels = new AtomicInteger();
        loop.close(); // on this thread, which the loop was never run on: it is now the loop's

        Stream<Integer> stream = Bridges.fromPublisher(loop, silent(cancels), 4).stream();

        assertEquals(1, cancels.get());
        LoopClosed refused = assertInstanceOf(LoopClosed.class, stream.get().failure());
        assertTrue(refused.refused());
    }

    @Test
    void aFinishedPublisherStreamLeavesNothingForTheLoopsRelease() throws Exception {
        loop.start(LOOP_THREAD, true);
        Flow.Publisher<Integer> one = oneThen(Flow.Subscriber::onComplete);
        CompletableFuture<List<Integer>> all = loop.submit(() ->
                Bridges.fromPublisher(loop, one, 4).stream().toList());

        assertEquals(List.of(1), await(all));
        assertEquals(0, await(loop.call(loop::releasablesHeld)));
    }

    // ---------------------------------------------------------------- stream to publisher

    @Test
    void aStreamIsReadOnlyAsFastAsItsSubscriberRequests() throws Exception {
        loop.start(LOOP_THREAD, true);
        AtomicInteger generated = new AtomicInteger();
        Flow.Publisher<Integer> publisher = await(loop.call(() -> Bridges.toPublisher(loop,
                Stream.fromDirect(() -> Optional.of(generated.getAndIncrement())))));
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();

        publisher.subscribe(subscriber);
        await(subscriber.subscribed).request(3);
        await(subscriber.received(3));

        assertEquals(List.of(0, 1, 2), subscriber.elements());
        assertEquals(3, await(loop.call(generated::get)));
    }

    @Test
    void everySignalOfAStreamPublisherIsMadeOnTheLoopThread() throws Exception {
        loop.start(LOOP_THREAD, true);
        Flow.Publisher<Integer> publisher = Bridges.toPublisher(loop, await(loop.call(() -> Stream.of(List.of(1, 2)))));
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();

        publisher.subscribe(subscriber);
        await(subscriber.subscribed).request(Long.MAX_VALUE);
        await(subscriber.terminated);

        assertEquals(List.of(1, 2), subscriber.elements());
        assertEquals(List.of(LOOP_THREAD), subscriber.signalThreads());
    }

    @Test
    void aRejectedReadEndsTheSubscriptionWithTheSameFailure() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("source broke");
        Flow.Publisher<Integer> publisher = await(loop.call(() -> Bridges.toPublisher(loop,
                Stream.<Integer>from(() -> Promise.rejected(failure)))));
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();

        publisher.subscribe(subscriber);
        await(subscriber.subscribed).request(1);

        assertSame(failure, await(subscriber.terminated));
    }

    @Test
    void cancellingASubscriptionCancelsItsPendingReadAndLosesNoElement() throws Exception {
        loop.start(LOOP_THREAD, true);
        Stream.WithPush<Integer> pushed = await(loop.call(Stream::<Integer>create));
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
        Flow.Subscription subscription = subscribedWithAReadWaiting(pushed.stream(), subscriber);

        subscription.cancel();
        await(loop.call(() -> {
            pushed.push().push(7);
            return null;
        }));

        assertEquals(Optional.of(7), await(loop.submit(() -> pushed.stream().get())));
        assertEquals(List.of(), subscriber.elements());
    }

    @Test
    void aReadThatLandsAfterTheSubscriberCancelledButBeforeTheLoopSawItIsDeliveredNotDropped() throws Exception {
        loop.start(LOOP_THREAD, true);
        Stream.WithPush<Integer> pushed = await(loop.call(Stream::<Integer>create));
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
        Flow.Subscription subscription = subscribedWithAReadWaiting(pushed.stream(), subscriber);

        // the cancel's task is queued behind this one, so the push lands the read first
        await(loop.call(() -> {
            subscription.cancel();
            pushed.push().push(7);
            return null;
        }));
        await(loop.call(() -> null)); // the cancel's own task has run

        // the read consumed 7 from the stream, so the subscriber must get it (rule 1.8 allows
        // signals until the cancel is seen): dropping it would lose it for every reader
        assertEquals(List.of(7), subscriber.elements());
    }

    @Test
    void aSecondSubscriberIsRefused() throws Exception {
        loop.start(LOOP_THREAD, true);
        Flow.Publisher<Integer> publisher = Bridges.toPublisher(loop, await(loop.call(() -> Stream.of(List.of(1)))));
        publisher.subscribe(new RecordingSubscriber<>());
        RecordingSubscriber<Integer> second = new RecordingSubscriber<>();

        publisher.subscribe(second);

        assertInstanceOf(IllegalStateException.class, await(second.terminated));
    }

    @Test
    void aSubscriberWhoseReadWaitsIsFailedOnceWithLoopClosedWhenTheLoopCloses() throws Exception {
        loop.start(LOOP_THREAD, true);
        Stream.WithPush<Integer> pushed = await(loop.call(Stream::<Integer>create));
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
        subscribedWithAReadWaiting(pushed.stream(), subscriber);

        loop.close();

        LoopClosed closed = assertInstanceOf(LoopClosed.class, subscriber.terminated.getNow(null),
                "the subscriber was not terminated by the close");
        assertEquals(false, closed.refused());
        assertEquals(1, subscriber.terminals());
        assertEquals(List.of(LOOP_THREAD), subscriber.signalThreads());
    }

    @Test
    void aSubscriberWithoutDemandIsFailedWithLoopClosedWhenTheLoopCloses() throws Exception {
        loop.start(LOOP_THREAD, true);
        Stream.WithPush<Integer> pushed = await(loop.call(Stream::<Integer>create));
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
        Bridges.toPublisher(loop, pushed.stream()).subscribe(subscriber);
        await(subscriber.subscribed);

        loop.close();

        assertInstanceOf(LoopClosed.class, subscriber.terminated.getNow(null));
        assertEquals(1, subscriber.terminals());
    }

    @Test
    void aCompletedOrCancelledSubscriptionLeavesNothingForTheLoopsRelease() throws Exception {
        loop.start(LOOP_THREAD, true);
        RecordingSubscriber<Integer> completed = new RecordingSubscriber<>();
        Bridges.toPublisher(loop, await(loop.call(() -> Stream.of(List.of(1))))).subscribe(completed);
        await(completed.subscribed).request(2);
        await(completed.terminated);
        RecordingSubscriber<Integer> cancelled = new RecordingSubscriber<>();
        Stream.WithPush<Integer> pushed = await(loop.call(Stream::<Integer>create));
        subscribedWithAReadWaiting(pushed.stream(), cancelled).cancel();

        assertEquals(0, await(loop.call(loop::releasablesHeld)));
        loop.close();
        assertEquals(0, cancelled.terminals(), "a cancelled subscriber needs no terminal signal");
    }

    /** Subscribes {@code subscriber} to a publisher of {@code stream} and requests one element. */
    private Flow.Subscription subscribedWithAReadWaiting(Stream<Integer> stream,
            RecordingSubscriber<Integer> subscriber) throws Exception {
        Bridges.toPublisher(loop, stream).subscribe(subscriber);
        Flow.Subscription subscription = await(subscriber.subscribed);
        subscription.request(1); // the read now waits for a push
        return subscription;
    }

    // ---------------------------------------------------------------- test doubles

    /** A publisher that sends 1 at the first request, then ends the way {@code end} says. */
    private static Flow.Publisher<Integer> oneThen(java.util.function.Consumer<Flow.Subscriber<? super Integer>> end) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private boolean sent;

            @Override
            public void request(long n) {
                if (!sent) {
                    sent = true;
                    subscriber.onNext(1);
                    end.accept(subscriber);
                }
            }

            @Override
            public void cancel() {}
        });
    }

    /** A publisher that subscribes and never sends anything; counts the cancels it gets. */
    private static Flow.Publisher<Integer> silent(AtomicInteger cancels) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {
                cancels.incrementAndGet();
            }
        });
    }

    /** An endless publisher of 0, 1, 2, ... that emits on the requesting thread and counts demand. */
    private static final class CountingPublisher implements Flow.Publisher<Integer> {
        final AtomicLong requested = new AtomicLong();
        final java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();

        @Override
        public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private int next;

                @Override
                public void request(long n) {
                    requested.addAndGet(n);
                    for (long i = 0; i < n && !cancelled.get(); i++) {
                        subscriber.onNext(next++);
                    }
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
        }
    }

    /** Records what it receives and on which threads; requests nothing by itself. */
    private static final class RecordingSubscriber<T> implements Flow.Subscriber<T> {
        final CompletableFuture<Flow.Subscription> subscribed = new CompletableFuture<>();
        final CompletableFuture<Throwable> terminated = new CompletableFuture<>();
        private final List<T> elements = new ArrayList<>();
        private final List<String> threads = new ArrayList<>();
        private int terminals;
        private final java.util.Map<CompletableFuture<Void>, Integer> waiters = new java.util.HashMap<>();

        synchronized List<T> elements() {
            return List.copyOf(elements);
        }

        synchronized int terminals() {
            return terminals;
        }

        synchronized List<String> signalThreads() {
            return threads.stream().distinct().toList();
        }

        synchronized CompletableFuture<Void> received(int count) {
            CompletableFuture<Void> waiter = new CompletableFuture<>();
            if (elements.size() >= count) {
                waiter.complete(null);
            } else {
                waiters.put(waiter, count);
            }
            return waiter;
        }

        private synchronized void terminated() {
            terminals++;
        }

        private synchronized void saw() {
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            saw();
            subscribed.complete(subscription);
        }

        @Override
        public synchronized void onNext(T item) {
            saw();
            elements.add(item);
            waiters.entrySet().removeIf(w -> elements.size() >= w.getValue() && w.getKey().complete(null));
        }

        @Override
        public void onError(Throwable throwable) {
            saw();
            terminated();
            terminated.complete(throwable);
        }

        @Override
        public void onComplete() {
            saw();
            terminated();
            terminated.complete(null);
        }
    }
}
