package dev.weft.loop;

import dev.weft.promise.Promise;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One {@link Loop#submit}: the inbox task that starts the work on the loop thread, and the future
 * the submitting thread holds.
 *
 * <p><b>Threading: the future side is safe from any thread; {@link #run()}, {@link #promise} and
 * the in-flight links are confined to the loop thread.</b>
 *
 * <p>Cancelling the future from any thread enqueues a task that cancels the promise on the loop
 * thread. Waiting for the future on the loop thread itself ({@code get}, {@code join}) throws
 * instead of deadlocking: the loop would be waiting for itself.
 */
final class Submission<T> extends CompletableFuture<T> implements Runnable {

    private final Loop loop;
    private final Supplier<? extends Promise<? extends T>> work;

    // Loop thread only.
    private Promise<? extends T> promise;
    Submission<?> prevInFlight;
    Submission<?> nextInFlight;

    Submission(Loop loop, Supplier<? extends Promise<? extends T>> work) {
        this.loop = loop;
        this.work = work;
    }

    /** Loop thread: start the work and complete this future when its promise resolves. */
    @Override
    public void run() {
        if (isDone()) {
            return; // cancelled (or rejected by close) before it reached the loop
        }
        Promise<? extends T> started = Promise.apply(work);
        promise = started;
        if (started.isPending()) {
            loop.inFlight(this);
            started.onAny(this::fulfil, this::fail);
        } else if (started.isFulfilled()) {
            complete(started.value());
        } else {
            completeExceptionally(started.failure());
        }
    }

    private void fulfil(T value) {
        loop.landed(this);
        complete(value);
    }

    private void fail(Throwable failure) {
        loop.landed(this);
        completeExceptionally(failure);
    }

    /** Loop thread, at close: fail the future with {@code failure}, then cancel the promise. */
    void abandon(LoopClosed failure) {
        completeExceptionally(failure);
        if (promise != null) {
            promise.cancel();
        }
    }

    /** Loop thread: the cancel task. */
    void cancelPromise() {
        if (promise != null) {
            promise.cancel();
        }
    }

    /** Cancels this future and, on the loop thread, the promise it waits for. Any thread. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            loop.executeQuietly(this::cancelPromise);
        }
        return cancelled;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseOnLoopThread("get()");
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuseOnLoopThread("get(timeout)");
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        refuseOnLoopThread("join()");
        return super.join();
    }

    private void refuseOnLoopThread(String method) {
        if (!isDone() && loop.inLoopThread()) {
            throw new IllegalStateException("CompletableFuture." + method + " on " + Thread.currentThread().getName()
                    + ", the thread of " + loop + ", would deadlock: only this thread can complete it."
                    + " On the loop, use the promise (flatMap) instead of blocking on the future");
        }
    }
}
