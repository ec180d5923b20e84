package dev.weft.loop;

/**
 * The multiplexer a {@link Loop} blocks in (Lwt_engine's role): it watches readiness sources,
 * blocks for at most a timeout, and can be woken from another thread.
 *
 * <p>A readiness source is an {@code int} whose meaning belongs to the engine: a file descriptor
 * for the epoll and NIO engines, an event-channel port for the Xen engine. Interest and readiness
 * are bit sets of {@link #READABLE} and {@link #WRITABLE}; an engine may add {@link #ERROR}.
 *
 * <p><b>Threading: all operations except {@link #wakeup()} MUST be called on the loop thread.</b>
 * {@code wakeup()} may be called from any thread at any time, also after {@code close()}.
 */
public interface Engine extends AutoCloseable {

    /** Interest in, or readiness for, reading. */
    int READABLE = 1;
    /** Interest in, or readiness for, writing. */
    int WRITABLE = 2;
    /** The source reported an error or hang-up; delivered whatever the interest. */
    int ERROR = 4;

    /** Told which events of a source are ready. Runs on the loop thread, inside {@link #poll}. */
    @FunctionalInterface
    interface ReadyHandler {
        /**
         * Called when the source has some of the events it was registered for.
         *
         * @param readyEvents a non-empty bit set of {@link #READABLE}, {@link #WRITABLE}, {@link #ERROR}
         */
        void onReady(int readyEvents);
    }

    /**
     * Starts watching {@code source} for the events in {@code interest}.
     *
     * @throws IllegalStateException if the source is already registered or the engine is closed
     */
    void register(int source, int interest, ReadyHandler handler);

    /**
     * Replaces the interest set of a registered source; {@code 0} pauses it without removing it,
     * and a paused source reports nothing, not even {@link #ERROR}.
     */
    void modify(int source, int interest);

    /**
     * Stops watching {@code source}. Must be called before the source is closed. After it
     * returns, the source's handler is never called again, even for events already collected.
     */
    void unregister(int source);

    /**
     * Blocks until a source is ready, {@link #wakeup()} is called, or the timeout passes, then
     * calls the handlers of the ready sources. If a handler throws, the exception propagates
     * out of {@code poll}; readiness not yet dispatched is reported again by the next poll. A
     * poll may also return before its timeout having called no handler (a signal interrupted the
     * wait, the park woke spuriously): the loop then iterates again and computes a new timeout, so
     * an engine need not read a clock to resume a wait.
     *
     * <p>An engine whose wait is coarser than a nanosecond (epoll_wait counts milliseconds) should
     * round a positive timeout up, not down: the loop fires a timer only once its deadline has
     * passed, so waking before it costs an extra iteration, and rounding to 0 would spin.
     *
     * @param timeoutNanos {@code 0} to check without blocking, a negative value to wait without
     *     limit, otherwise the longest time to block
     * @return the number of handlers called
     */
    int poll(long timeoutNanos);

    /**
     * Whether the engine knows, without a system call, that readiness is waiting for the next
     * {@link #poll}: then the loop ends its further pause rounds (step 1 of {@link Loop}'s
     * iteration) at its next check instead of running on to its bound. An engine that cannot tell
     * without polling answers false, as this default does, and the loop's bound of pause rounds
     * alone keeps its I/O fair. The loop asks once per few dozen pauses, so an answer must cost
     * a few memory loads at most. A false "true" costs an early poll; a false "false" delays the
     * readiness until the bound, never longer. LOOP THREAD ONLY.
     *
     * @return true only if a poll now would find a source ready, as far as the engine knows
     */
    default boolean readinessWaiting() {
        return false;
    }

    /**
     * Makes a blocked or the next {@link #poll} return promptly. Safe from any thread; callers
     * coalesce bursts themselves, so an engine may make one system call per invocation.
     */
    void wakeup();

    /** Releases the engine's resources. Registered sources are forgotten, not closed. */
    @Override
    void close();
}
