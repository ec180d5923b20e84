package dev.weft.samples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a server on a group of loops has begun its graceful shutdown: once every loop's exit hook
 * has stopped accepting, so that from then on no loop takes a new connection. One loop's hook
 * alone is not enough: the others still accept (and answer without {@code Connection: close})
 * until their own hook runs a moment later.
 *
 * <p>Threading: ANY THREAD (each loop's exit hook calls {@link #loopStopped} on its own thread).
 */
final class Draining {
    private final AtomicInteger loopsAccepting;
    private final CompletableFuture<Void> begun = new CompletableFuture<>();

    /** For a server on {@code loops} loops. */
    Draining(int loops) {
        this.loopsAccepting = new AtomicInteger(loops);
    }

    /** One loop's exit hook has stopped accepting; the last one completes {@link #begun()}. */
    void loopStopped() {
        if (loopsAccepting.decrementAndGet() == 0) {
            begun.complete(null);
        }
    }

    /** Completed once every loop has stopped accepting. */
    CompletableFuture<Void> begun() {
        return begun;
    }
}
