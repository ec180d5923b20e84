package dev.weft.loop;

/**
 * What the engines without readiness sources share ({@link PureEngine}, {@link VirtualTimeEngine}):
 * registering a source is an error, waking up unparks the loop thread, closing only marks.
 *
 * <p>Threading: as {@link Engine}; {@link #wakeup()} from any thread.
 */
abstract sealed class SourcelessEngine implements Engine permits PureEngine, VirtualTimeEngine {
    /** Where the loop thread waits; {@link #wakeup()} releases it. */
    final Parker parker = new Parker();
    private boolean closed;

    /**
     * Always throws: this engine has no readiness sources.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public final void register(int source, int interest, ReadyHandler handler) {
        throw noSources(source);
    }

    /**
     * Always throws: this engine has no readiness sources.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public final void modify(int source, int interest) {
        throw noSources(source);
    }

    /**
     * Always throws: this engine has no readiness sources.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public final void unregister(int source) {
        throw noSources(source);
    }

    private UnsupportedOperationException noSources(int source) {
        return new UnsupportedOperationException(getClass().getSimpleName() + " has no readiness sources (source "
                + source + "); use an I/O engine from io-unix or io-xen");
    }

    /** Unparks the loop thread, or makes its next poll return at once. Any thread, also after close. */
    @Override
    public final void wakeup() {
        parker.wake();
    }

    /** Marks the engine closed; it holds nothing to release. */
    @Override
    public final void close() {
        closed = true;
    }

    /** Fails a poll on a closed engine. */
    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName()
                    + ".poll after close; the loop that owned it has shut down");
        }
    }
}
