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
public final class PureEngine extends SourcelessEngine {

    /** Creates an engine; it holds no operating-system resource. */
    public PureEngine() {}

    /**
     * Parks until {@link #wakeup()} or the timeout; no handler is ever called.
     *
     * @return always 0
     * @throws IllegalStateException if the engine is closed
     */
    @Override
    public int poll(long timeoutNanos) {
        checkOpen();
        parker.await(timeoutNanos);
        return 0;
    }

    @Override
    public String toString() {
        return "PureEngine";
    }
}
