package dev.weft.loop;

import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.promise.Stream;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * The safe ways across the loop's thread boundary: {@link CompletionStage} and
 * {@link Flow.Publisher} in, {@link CompletableFuture} and {@link Flow.Publisher} out, and a
 * {@link ThreadSafeResolver} for hand-written callbacks.
 *
 * <p><b>Threading: every promise and stream these methods return belongs to the loop and is
 * settled or fed only on the loop thread, whatever thread the other side signals on; the loop is
 * woken to do so.</b> Methods marked LOOP THREAD make a loop-confined object and must be called on
 * the thread that runs (or will run) the loop: called on another thread while the loop is bound
 * to one, they throw {@link IllegalStateException}. The ones marked ANY THREAD may be called
 * anywhere.
 *
 * <p>Errors cross unchanged, with two translations that keep each side's own notion of
 * cancellation: a stage that was cancelled ({@link CancellationException}) rejects its promise
 * with {@link Cancelled}, and a {@link CompletionException} wrapper is unwrapped to its cause.
 */
public final class Bridges {
    private Bridges() {}

    /**
     * A promise settled with {@code stage}'s outcome, on the loop thread, whatever thread completes
     * the stage. Cancelling the promise cancels the stage if it is a {@link Future} (e.g. a
     * {@link CompletableFuture}). If the loop shuts down first, its release rejects the promise
     * with a {@link LoopClosed} ({@link LoopClosed#refused()} false) and cancels the stage if it
     * is a {@code Future}, so that no work runs on for a loop that is gone; the stage's outcome
     * is then dropped. LOOP THREAD.
     */
    public static <T> Promise<T> fromStage(Loop loop, CompletionStage<? extends T> stage) {
        Objects.requireNonNull(stage, "stage");
        requireLoopThread(loop, "fromStage");
        Resolver<T> resolver = Promise.task();
        Promise<T> promise = resolver.promise();
        StageBridge<T> bridge = new StageBridge<>(loop, resolver, stage instanceof Future<?> f ? f : null);
        if (bridge.future != null) {
            promise.onCancel(() -> bridge.future.cancel(false));
        }
        if (loop.holdUntilRelease(bridge)) {
            promise.onTermination(() -> loop.letGo(bridge));
        } else {
            bridge.release(new LoopClosed(loop.name(), "fromStage"));
        }
        stage.whenComplete(bridge);
        return promise;
    }

    /**
     * {@link #fromStage}'s link: settles the promise from the stage's outcome, unless the loop's
     * release came first. {@code released} is written on the loop thread and read on the
     * completing thread; one that read it false just before the release either settles through an
     * accepted task (run before the release) or is refused by the closed loop and drops the
     * outcome, as the release said.
     */
    private static final class StageBridge<T> implements Releasable, BiConsumer<T, Throwable> {
        private final Resolver<T> resolver;
        private final ThreadSafeResolver<T> settle;
        final Future<?> future;
        private volatile boolean released;

        StageBridge(Loop loop, Resolver<T> resolver, Future<?> future) {
            this.resolver = resolver;
            this.settle = resolverFor(loop, resolver);
            this.future = future;
        }

        @Override
        public void accept(T value, Throwable failure) {
            if (released) {
                return;
            }
            try {
                if (failure == null) {
                    settle.resolve(value);
                } else {
                    settle.reject(translate(failure));
                }
            } catch (LoopClosed refused) {
                // the loop shut down under this completion: its release rejected the promise
            }
        }

        @Override
        public void release(LoopClosed why) {
            released = true;
            if (resolver.promise().isPending()) {
                resolver.reject(why);
            }
            if (future != null) {
                future.cancel(false); // its completion, on this thread, finds the bridge released
            }
        }
    }

    /**
     * A future completed from the loop thread with {@code promise}'s outcome (the failure
     * unchanged, {@link Cancelled} included). Cancelling the future cancels the promise on the
     * loop thread; if the loop closes first, the future fails with {@link LoopClosed}. ANY THREAD:
     * the promise is only touched on the loop thread.
     */
    public static <T> CompletableFuture<T> toFuture(Loop loop, Promise<? extends T> promise) {
        Objects.requireNonNull(promise, "promise");
        CompletableFuture<T> future = loop.submit(() -> promise);
        // A submission cancelled before it reached the loop never starts its work; this promise
        // exists already, so it must be cancelled all the same.
        future.whenComplete((value, failure) -> {
            if (future.isCancelled()) {
                loop.executeQuietly(promise::cancel);
            }
        });
        return future;
    }

    /**
     * A handle through which any thread may settle {@code resolver}'s promise, which stays
     * confined to the loop; see {@link ThreadSafeResolver}. ANY THREAD.
     */
    public static <T> ThreadSafeResolver<T> resolverFor(Loop loop, Resolver<T> resolver) {
        return new ThreadSafeResolver<>(loop, resolver);
    }

    /**
     * Subscribes to {@code publisher} and feeds its elements to a stream on the loop, asking for
     * at most {@code prefetch} elements beyond those read; see {@link PublisherStream}. LOOP THREAD.
     *
     * @throws IllegalArgumentException if {@code prefetch} is not positive
     */
    public static <T> PublisherStream<T> fromPublisher(Loop loop, Flow.Publisher<? extends T> publisher,
            int prefetch) {
        requireLoopThread(loop, "fromPublisher");
        PublisherStream<T> bridge = new PublisherStream<>(loop, prefetch);
        publisher.subscribe(bridge.subscriber());
        return bridge;
    }

    /**
     * A publisher of {@code stream}'s elements, read on the loop only as subscribers request them;
     * see {@link StreamPublisher}. ANY THREAD.
     */
    public static <T> Flow.Publisher<T> toPublisher(Loop loop, Stream<? extends T> stream) {
        return new StreamPublisher<>(loop, stream);
    }

    /**
     * Fails loudly when a LOOP THREAD bridge is called on another thread than the loop's: the
     * promise or stream it makes would be confined to the wrong thread. A loop not yet bound to a
     * thread (not yet run) is taken to be run later by the caller.
     */
    private static void requireLoopThread(Loop loop, String operation) {
        if (loop.confinedElsewhere()) {
            throw new IllegalStateException("Bridges." + operation + " makes a promise confined to "
                    + loop.name() + "'s thread but was called from " + Thread.currentThread().getName()
                    + "; call it on the loop thread, e.g. inside loop.submit(() -> ...)");
        }
    }

    /** {@code work}'s value as a fulfilled promise, or what it threw as a rejected one. */
    static <T> Promise<T> callNow(Callable<? extends T> work) {
        try {
            return Promise.of(work.call());
        } catch (Exception failure) {
            return Promise.rejected(failure);
        }
    }

    /** The failure a promise is rejected with for a stage that completed with {@code failure}. */
    static Throwable translate(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        return cause instanceof CancellationException ? new Cancelled() : cause;
    }
}
