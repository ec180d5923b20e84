package dev.weft.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.loop.PublisherStream;
import dev.weft.loop.PureEngine;
import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.promise.Stream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Promise and Mono, Stream and Flux: values, thread hops, errors, cancellation both ways. */
class ReactorBridgesTest {

    private static final String LOOP_THREAD = "reactor-loop";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Loop loop = Loop.builder().name("reactor").build();
    private final Scheduler elsewhere = Schedulers.newParallel("elsewhere", 2);

    @AfterEach
    void close() {
        elsewhere.dispose();
        loop.close();
    }

    private <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- Mono

    @Test
    void aMonoOfAPromiseEmitsItsValueOnTheLoopThread() {
        loop.start(LOOP_THREAD, true);

        String seen = ReactorBridges.mono(loop, () -> loop.sleep(Duration.ofMillis(1)).map(v -> "slept"))
                .map(value -> value + "@" + Thread.currentThread().getName())
                .block(PATIENCE);

        assertEquals("slept@" + LOOP_THREAD, seen);
    }

    @Test
    void aMonoSignalledOnAnotherThreadResolvesItsPromiseOnTheLoopThread() throws Exception {
        loop.start(LOOP_THREAD, true);
        Mono<Integer> elsewhereMono = Mono.just(5).publishOn(elsewhere);

        String seen = await(loop.submit(() -> ReactorBridges.fromMono(loop, elsewhereMono)
                .map(value -> value + "@" + Thread.currentThread().getName())));

        assertEquals("5@" + LOOP_THREAD, seen);
    }

    @Test
    void aFailedMonoRejectsItsPromiseWithTheSameFailure() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("mono broke");
        Mono<Integer> failing = Mono.<Integer>error(failure).subscribeOn(elsewhere);

        Throwable seen = await(loop.submit(() -> ReactorBridges.fromMono(loop, failing)
                .map(v -> (Throwable) null).recover(Promise::of)));

        assertSame(failure, seen);
    }

    @Test
    void aRejectedPromiseFailsItsMonoWithTheSameFailure() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("promise broke");
        Promise<Object> rejected = await(loop.call(() -> Promise.rejected(failure))); // made on the loop thread

        Signal<Object> signal = ReactorBridges.toMono(loop, rejected).materialize().block(PATIENCE);

        assertSame(failure, signal.getThrowable());
    }

    @Test
    void anEmptyMonoFulfilsItsPromiseWithNullAndANullPromiseIsAnEmptyMono() throws Exception {
        loop.start(LOOP_THREAD, true);

        assertNull(await(loop.submit(() -> ReactorBridges.fromMono(loop, Mono.<String>empty()))));
        assertTrue(ReactorBridges.mono(loop, () -> Promise.of(null)).hasElement().map(has -> !has).block(PATIENCE));
    }

    @Test
    void disposingAMonoSubscriptionCancelsThePromiseOnTheLoopThread() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<String> cancelledOn = new CompletableFuture<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Mono<String> mono = ReactorBridges.mono(loop, () -> {
            Resolver<String> resolver = Promise.task();
            resolver.promise().onCancel(() -> cancelledOn.complete(Thread.currentThread().getName()));
            started.complete(null);
            return resolver.promise();
        });
        Disposable subscription = mono.subscribe();
        await(started);

        subscription.dispose();

        assertEquals(LOOP_THREAD, await(cancelledOn));
    }

    @Test
    void cancellingThePromiseOfAMonoCancelsItsSubscription() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<Void> upstreamCancelled = new CompletableFuture<>();
        Mono<String> never = Mono.<String>never().doOnCancel(() -> upstreamCancelled.complete(null));

        await(loop.call(() -> {
            ReactorBridges.fromMono(loop, never).cancel();
            return null;
        }));

        await(upstreamCancelled);
    }

    @Test
    void aCancelledPromiseFailsItsMonoWithCancelled() {
        loop.start(LOOP_THREAD, true);

        Signal<Object> signal = ReactorBridges.mono(loop, () -> {
            Promise<Object> sleeping = loop.sleep(Duration.ofHours(1)).map(v -> v);
            sleeping.cancel();
            return sleeping;
        }).materialize().block(PATIENCE);

        assertInstanceOf(Cancelled.class, signal.getThrowable());
    }

    @Test
    void aMonoFeedingAPromiseIsCancelledWhenTheLoopCloses() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        Mono<Integer> never = Mono.<Integer>never().doOnCancel(() -> cancelled.complete(null));
        await(loop.call(() -> ReactorBridges.fromMono(loop, never)));

        loop.close();

        assertTrue(cancelled.isDone(), "the Mono runs on for a loop that is gone");
    }

    @Test
    void aMonoWhosePromiseSettledBeforeReactorLookedStillSignalsOnTheLoopThread() throws Exception {
        LateWakerEngine engine = new LateWakerEngine();
        try (Loop late = Loop.builder().name("late").engine(engine).build()) {
            engine.loop = late;
            late.start("late-loop", true);
            Thread loopThread = late.call(Thread::currentThread).get(60, TimeUnit.SECONDS);
            while (loopThread.getState() != Thread.State.WAITING) {
                Thread.onSpinWait(); // until the loop blocks, so that the subscription's submit wakes it
            }

            engine.slow = true;
            String seen = ReactorBridges.mono(late, () -> Promise.of("ready"))
                    .map(value -> Thread.currentThread().getName())
                    .block(PATIENCE);
            engine.slow = false;

            assertEquals("late-loop", seen);
        }
    }

    // ---------------------------------------------------------------- Flux to Stream

    @Test
    void aMillionElementsOfAFluxOnAnotherThreadReachASlowStreamReaderInOrderOnce() throws Exception {
        loop.start(LOOP_THREAD, true);
        int count = 1_000_000;
        Flux<Integer> flux = Flux.range(0, count).publishOn(elsewhere, 64);

        long checked = await(loop.submit(() -> {
            Stream<Integer> stream = ReactorBridges.fromFlux(loop, flux, 32).stream();
            long[] next = {0};
            return stream.iterS(element -> {
                if (element != next[0]) {
                    return Promise.rejected(new AssertionError("expected " + next[0] + ", got " + element));
                }
                next[0]++;
                return next[0] % 128 == 0 ? Promise.pause() : Promise.unit(); // a slow reader: yields to the loop
            }).map(done -> next[0]);
        }));

        assertEquals(count, checked);
    }

    @Test
    void elementsOfAFluxSignalledOnAnotherThreadAreReadOnTheLoopThread() throws Exception {
        loop.start(LOOP_THREAD, true);
        Flux<Integer> elsewhereFlux = Flux.just(1, 2).publishOn(elsewhere);

        List<String> seen = await(loop.submit(() -> ReactorBridges.fromFlux(loop, elsewhereFlux, 4).stream()
                .map(element -> element + "@" + Thread.currentThread().getName())
                .toList()));

        assertEquals(List.of("1@" + LOOP_THREAD, "2@" + LOOP_THREAD), seen);
    }

    @Test
    void aStreamFedByAFluxRequestsOnlyWhatFitsItsBuffer() throws Exception {
        loop.start(LOOP_THREAD, true);
        AtomicInteger requested = new AtomicInteger();
        Flux<Integer> endless = Flux.<Integer, Integer>generate(() -> 0, (n, sink) -> {
            sink.next(n);
            return n + 1;
        }).doOnRequest(n -> requested.addAndGet((int) Math.min(n, Integer.MAX_VALUE)));
        int prefetch = 16;

        List<Integer> read = await(loop.submit(() -> ReactorBridges.fromFlux(loop, endless, prefetch).stream().nget(10)));

        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), read);
        assertTrue(requested.get() <= read.size() + prefetch, "requested " + requested.get());
    }

    @Test
    void aFailedFluxRejectsTheReadAfterItsElementsWithTheSameFailure() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("flux broke");
        Flux<Integer> failing = Flux.concat(Flux.just(1, 2), Flux.error(failure)).subscribeOn(elsewhere);

        Throwable seen = await(loop.submit(() -> {
            Stream<Integer> stream = ReactorBridges.fromFlux(loop, failing, 8).stream();
            return stream.nget(2).flatMap(two -> stream.get()).map(v -> (Throwable) null).recover(Promise::of);
        }));

        assertSame(failure, seen);
    }

    @Test
    void cancellingTheStreamOfAFluxCancelsItsSubscription() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<Void> upstreamCancelled = new CompletableFuture<>();
        Flux<Long> ticking = Flux.<Long, Long>generate(() -> 0L, (n, sink) -> {
            sink.next(n);
            return n + 1;
        }).subscribeOn(elsewhere).doOnCancel(() -> upstreamCancelled.complete(null));

        await(loop.submit(() -> {
            PublisherStream<Long> bridge = ReactorBridges.fromFlux(loop, ticking, 4);
            return bridge.stream().get().map(first -> {
                bridge.cancel();
                return first;
            });
        }));

        await(upstreamCancelled);
    }

    @Test
    void aFluxFeedingAStreamIsCancelledWhenTheLoopCloses() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        Flux<Integer> never = Flux.<Integer>never().doOnCancel(() -> cancelled.complete(null));
        await(loop.call(() -> ReactorBridges.fromFlux(loop, never, 4)));

        loop.close();

        assertTrue(cancelled.isDone(), "the upstream Flux was not cancelled by the close");
    }

    // ---------------------------------------------------------------- Stream to Flux

    @Test
    void aFluxOfAStreamWaitingForElementsFailsWithLoopClosedWhenTheLoopCloses() throws Exception {
        loop.start(LOOP_THREAD, true);
        Stream.WithPush<Integer> pushed = await(loop.call(Stream::<Integer>create));
        CompletableFuture<Void> ended = ReactorBridges.toFlux(loop, pushed.stream()).then().toFuture();

        loop.close();

        // blockLast() on this Flux would have hung for ever: the close is its terminal signal
        assertTrue(ended.isCompletedExceptionally(), "the Flux is still running: " + ended);
        Throwable why = ended.handle((v, failure) -> failure).join();
        assertInstanceOf(LoopClosed.class, why);
    }

    @Test
    void aMillionStreamElementsReachASlowFluxSubscriberOnAnotherThreadInOrderOnce() throws Exception {
        loop.start(LOOP_THREAD, true);
        int count = 1_000_000;
        Stream<Integer> stream = await(loop.call(() -> {
            int[] next = {0};
            return Stream.fromDirect(() -> next[0] < count ? Optional.of(next[0]++) : Optional.empty());
        }));

        Long checked = ReactorBridges.toFlux(loop, stream)
                .publishOn(elsewhere, 16) // the subscriber runs elsewhere, pulling 16 at a time
                .reduce(0L, (expected, element) -> {
                    if (element.longValue() != expected) {
                        throw new AssertionError("expected " + expected + ", got " + element);
                    }
                    return expected + 1;
                })
                .block(PATIENCE);

        assertEquals(count, checked);
    }

    @Test
    void aFluxOfAStreamReadsOnlyWhatItsSubscriberRequests() throws Exception {
        loop.start(LOOP_THREAD, true);
        AtomicInteger generated = new AtomicInteger();
        Stream<Integer> stream = await(loop.call(() ->
                Stream.fromDirect(() -> Optional.of(generated.getAndIncrement()))));
        CompletableFuture<List<Integer>> three = new CompletableFuture<>();
        List<Integer> received = new java.util.concurrent.CopyOnWriteArrayList<>();

        ReactorBridges.toFlux(loop, stream).subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(3);
            }

            @Override
            protected void hookOnNext(Integer value) {
                received.add(value);
                if (received.size() == 3) {
                    three.complete(List.copyOf(received));
                    cancel(); // done: else the loop's close fails it, and it has no error handler
                }
            }
        });

        assertEquals(List.of(0, 1, 2), await(three));
        assertEquals(3, await(loop.call(generated::get)));
    }

    @Test
    void aRejectedStreamReadFailsTheFluxWithTheSameFailure() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("stream broke");
        Stream<Integer> stream = await(loop.call(() -> Stream.<Integer>from(() -> Promise.rejected(failure))));

        Signal<Integer> signal = ReactorBridges.toFlux(loop, stream).materialize().blockFirst(PATIENCE);

        assertSame(failure, signal.getThrowable());
    }

    @Test
    void disposingAFluxSubscriptionCancelsTheStreamsPendingReadAndLosesNoElement() throws Exception {
        loop.start(LOOP_THREAD, true);
        Stream.WithPush<Integer> pushed = await(loop.call(Stream::<Integer>create));
        CompletableFuture<Void> requested = new CompletableFuture<>();
        List<Integer> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable subscription = ReactorBridges.toFlux(loop, pushed.stream())
                .doOnRequest(n -> requested.complete(null))
                .subscribe(received::add);
        await(requested);

        subscription.dispose();
        await(loop.call(() -> {
            pushed.push().push(7);
            return null;
        }));

        assertEquals(Optional.of(7), await(loop.submit(() -> pushed.stream().get())));
        assertEquals(List.of(), received);
    }

    /**
     * A pure engine whose wakeup, while {@code slow}, returns to the waking thread only once the
     * loop has ended the iteration it was woken for: the slowest legal scheduling of a thread that
     * submits work, in which the future is complete before the submitter looks at it.
     */
    private static final class LateWakerEngine implements Engine {
        private final PureEngine inner = new PureEngine();
        volatile Loop loop;
        volatile boolean slow;

        @Override
        public void register(int source, int interest, ReadyHandler handler) {
            inner.register(source, interest, handler);
        }

        @Override
        public void modify(int source, int interest) {
            inner.modify(source, interest);
        }

        @Override
        public void unregister(int source) {
            inner.unregister(source);
        }

        @Override
        public int poll(long timeoutNanos) {
            return inner.poll(timeoutNanos);
        }

        @Override
        public void wakeup() {
            long before = loop.metrics().iterations();
            inner.wakeup();
            if (slow && !loop.inLoopThread()) {
                while (loop.metrics().iterations() <= before) {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
