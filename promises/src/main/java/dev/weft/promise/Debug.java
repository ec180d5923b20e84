package dev.weft.promise;

/**
 * The {@code -Dweft.debug=true} switch: owner-thread checks and async stack traces. A static final
 * flag, so with the switch off the JIT removes every check guarded by it.
 */
final class Debug {
    /** Whether debug checks are on for this JVM; read once at class initialisation. */
    static final boolean ENABLED = Boolean.getBoolean("weft.debug");

    private Debug() {}

    /** The thread to record as a new promise's owner: the current one in debug mode, else null. */
    static Thread ownerForNewPromise() {
        return ENABLED ? Thread.currentThread() : null;
    }

    /**
     * Fails fast when a promise is used off the thread that created it. Only called when
     * {@link #ENABLED}; a promise made before debug mode knew its owner (owner null) is not checked.
     */
    static void checkOwner(Promise<?> promise) {
        Thread owner = promise.owner;
        Thread current = Thread.currentThread();
        if (owner != null && owner != current) {
            throw new IllegalStateException("promise created on thread '" + owner.getName()
                    + "' used from thread '" + current.getName()
                    + "': promises are confined to their loop's thread; cross threads with the loop's"
                    + " execute()/submit()");
        }
    }
}
