package dev.weft.loop;

/**
 * An engine with no readiness sources: it blocks until the loop's next timer or a {@link
 * #wakeup()}, nothing else. The engine for computation (promises, timers, cross-thread work) and
 * for tests that need no I/O. It uses no file descriptor: blocking is {@link
 * java.util.concurrent.locks.LockSupport#parkNanos park}, waking is {@code unpark}.
 *
 * <p><b>Threading: all operations except {@link #wakeup()} MUST be called on the loop thread.</b>
 *
 * <p>{@link #register} throws {@link UnsupportedOperationException}: I/O needs the epoll or NIO
 * engine of io-unix, or the Xen engine of io-xen.
 */
public final class PureEngine implements Engine {

    private final Parker parker = new Parker();
    private boolean closed;

    /** Creates an engine; it holds no operating-system resource. */
    public PureEngine() {}

    /**
     * Always throws: this engine has no readiness sources.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void register(int source, int interest, ReadyHandler handler) {
        throw new UnsupportedOperationException("PureEngine has no readiness sources (asked to watch "
                + source + "); use an I/O engine from io-unix or io-xen");
    }

    /**
     * Always throws: this engine has no readiness sources.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void modify(int source, int interest) {
        throw new UnsupportedOperationException("PureEngine has no readiness sources (source " + source + ")");
    }

    /**
     * Always throws: this engine has no readiness sources.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void unregister(int source) {
        throw new UnsupportedOperationException("PureEngine has no readiness sources (source " + source + ")");
    }

    /**
     * Parks until {@link #wakeup()} or the timeout; no handler is ever called.
     *
     * @return always 0
     * @throws IllegalStateException if the engine is closed
     */
    @Override
    public int poll(long timeoutNanos) {
        if (closed) {
            throw new IllegalStateException("PureEngine.poll after close; the loop that owned it has shut down");
        }
        parker.await(timeoutNanos);
        return 0;
    }

    /** Unparks the loop thread, or makes its next poll return at once. Any thread, also after close. */
    @Override
    public void wakeup() {
        parker.wake();
    }

    /** Marks the engine closed; it holds nothing to release. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "PureEngine";
    }
}
