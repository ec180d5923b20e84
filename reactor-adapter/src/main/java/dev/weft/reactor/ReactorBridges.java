package dev.weft.reactor;

import dev.weft.loop.Bridges;
import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.loop.PublisherStream;
import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Stream;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Promise to Mono and back, Stream to Flux and back, and the loop as a Reactor
 * {@link Scheduler}: the Reactor face of {@link Bridges}.
 *
 * <p><b>Threading: a promise or stream made here belongs to the loop and is settled or fed only on
 * the loop thread, whatever thread Reactor signals on. A Mono or Flux made here signals its
 * subscribers on the loop thread: they must not block there ({@code publishOn} moves them
 * off).</b> Methods marked LOOP THREAD make a loop-confined object; the others are ANY THREAD.
 *
 * <p><b>Cancellation crosses both ways.</b> Disposing a subscription to a Mono of a promise
 * cancels the promise on the loop thread; cancelling a promise of a Mono cancels the Mono's
 * subscription. Disposing a subscription to a Flux of a stream cancels the stream's pending read
 * (which loses no element); {@link PublisherStream#cancel()} cancels the Flux's subscription.
 *
 * <p><b>Errors cross unchanged</b>, the same object on both sides; a Weft promise that was
 * cancelled reaches a Mono subscriber as {@link Cancelled}. A promise fulfilled with null is an
 * empty Mono, and an empty Mono fulfils its promise with null.
 */
public final class ReactorBridges {
    private ReactorBridges() {}

    /**
     * A Mono of {@code promise}'s outcome, signalled on the loop thread. Disposing a subscription
     * cancels the promise, which every other subscriber then sees. ANY THREAD.
     */
    public static <T> Mono<T> toMono(Loop loop, Promise<? extends T> promise) {
        Objects.requireNonNull(promise, "promise");
        return signalledOnLoop(loop, () -> Bridges.<T>toFuture(loop, promise));
    }

    /**
     * A lazy Mono: each subscription calls {@code work} on the loop thread and emits the outcome
     * of the promise it returns; disposing the subscription cancels that promise. ANY THREAD.
     */
    public static <T> Mono<T> mono(Loop loop, Supplier<? extends Promise<? extends T>> work) {
        Objects.requireNonNull(work, "work");
        return signalledOnLoop(loop, () -> loop.<T>submit(work));
    }

    /**
     * A Mono of the future each subscription makes, signalled on the loop thread as the class
     * notes promise. Not {@code Mono.fromFuture}: a future completed before Reactor attaches to
     * it (the subscribing thread was slow, the promise quick) would signal on the subscribing
     * thread. A completion seen off the loop thread hops there, unless the loop is closed and
     * has no thread left. Disposing the subscription cancels the future (and so the promise);
     * a cancelled subscription gets no signal.
     */
    private static <T> Mono<T> signalledOnLoop(Loop loop, Supplier<CompletableFuture<T>> futures) {
        return Mono.create(sink -> {
            CompletableFuture<T> future = futures.get();
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onCancel(() -> {
                cancelled.set(true);
                future.cancel(false);
            });
            future.whenComplete((value, failure) -> {
                Runnable signal = () -> {
                    if (!cancelled.get()) {
                        emit(sink, value, failure);
                    }
                };
                if (loop.inLoopThread()) {
                    signal.run();
                    return;
                }
                try {
                    loop.execute(signal);
                } catch (LoopClosed closed) {
                    signal.run(); // no loop thread is left to signal on
                }
            });
        });
    }

    private static <T> void emit(MonoSink<T> sink, T value, Throwable failure) {
        if (failure != null) {
            sink.error(failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause()
                    : failure);
        } else if (value == null) {
            sink.success(); // a promise fulfilled with null is an empty Mono
        } else {
            sink.success(value);
        }
    }

    /**
     * Subscribes to {@code mono} now and returns a promise of its outcome, settled on the loop
     * thread. Cancelling the promise cancels the subscription. LOOP THREAD.
     */
    public static <T> Promise<T> fromMono(Loop loop, Mono<? extends T> mono) {
        return Bridges.fromStage(loop, mono.toFuture());
    }

    /**
     * A Flux of {@code stream}'s elements, read on the loop thread only as the subscriber
     * requests them; one subscriber per stream (see {@link dev.weft.loop.StreamPublisher}). ANY
     * THREAD.
     */
    public static <T> Flux<T> toFlux(Loop loop, Stream<? extends T> stream) {
        return JdkFlowAdapter.flowPublisherToFlux(Bridges.<T>toPublisher(loop, stream));
    }

    /**
     * Subscribes to {@code publisher} (a Flux, typically) and feeds a stream on the loop,
     * requesting at most {@code prefetch} elements beyond those read; see
     * {@link PublisherStream}. LOOP THREAD.
     *
     * @throws IllegalArgumentException if {@code prefetch} is not positive
     */
    public static <T> PublisherStream<T> fromFlux(Loop loop, Publisher<? extends T> publisher, int prefetch) {
        Flux<T> flux = Flux.from(publisher);
        return Bridges.fromPublisher(loop, JdkFlowAdapter.publisherToFlowPublisher(flux), prefetch);
    }

    /** The loop as a Reactor scheduler; see {@link LoopScheduler}. ANY THREAD. */
    public static Scheduler scheduler(Loop loop) {
        return new LoopScheduler(loop);
    }
}
