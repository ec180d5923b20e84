package dev.weft.loop;

import dev.weft.promise.Resolver;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handle that lets any thread settle one loop-confined promise: the outcome is handed to the
 * loop, which settles the promise on its own thread and is woken to do so. Made by
 * {@link Bridges#resolverFor}.
 *
 * <p><b>Threading: ANY THREAD.</b> On the loop thread the promise is settled at once; from any
 * other thread it is settled in a coming iteration of the loop (through {@link Loop#execute}).
 *
 * <p>This is the safe replacement for {@code future.thenAccept(resolver::resolve)}, which races
 * with the loop and does not wake it. The first {@code resolve} or {@code reject} wins; a second
 * one throws {@link IllegalStateException} on the calling thread, loudly, instead of failing
 * later on the loop. Settling a promise that was cancelled meanwhile does nothing, as with a
 * plain {@link Resolver}.
 *
 * @param <T> the type of the promise's value
 */
public final class ThreadSafeResolver<T> {
    private final Loop loop;
    private final Resolver<T> resolver;
    /** Set by the first settle, from whichever thread it came: the one-shot guard. */
    private final AtomicBoolean settled = new AtomicBoolean();

    ThreadSafeResolver(Loop loop, Resolver<T> resolver) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * Fulfils the promise with {@code value} on the loop thread. ANY THREAD.
     *
     * @throws IllegalStateException if this handle already settled its promise
     * @throws LoopClosed if the loop is closed (the promise is then never settled)
     */
    public void resolve(T value) {
        claim("resolve");
        if (loop.inLoopThread()) {
            resolver.resolve(value);
        } else {
            loop.execute(() -> resolver.resolve(value));
        }
    }

    /**
     * Rejects the promise with {@code failure} on the loop thread. ANY THREAD.
     *
     * @throws IllegalStateException if this handle already settled its promise
     * @throws LoopClosed if the loop is closed (the promise is then never settled)
     */
    public void reject(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        claim("reject");
        if (loop.inLoopThread()) {
            resolver.reject(failure);
        } else {
            loop.execute(() -> resolver.reject(failure));
        }
    }

    /** Whether {@code resolve} or {@code reject} was called on this handle. ANY THREAD. */
    public boolean isSettled() {
        return settled.get();
    }

    private void claim(String operation) {
        if (!settled.compareAndSet(false, true)) {
            throw new IllegalStateException("ThreadSafeResolver." + operation
                    + ": the promise was already settled through this handle; settle it once");
        }
    }
}
