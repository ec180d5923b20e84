package dev.weft.promise;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The {@code -Dweft.debug=true} switch: owner-thread checks and async stack traces. A static final
 * flag, so with the switch off the JIT removes every check guarded by it.
 */
final class Debug {
    /** Whether debug checks are on for this JVM; read once at class initialisation. */
    static final boolean ENABLED = Boolean.getBoolean("weft.debug");

    private Debug() {}

    /**
     * Each promise's creating thread, in debug mode only: a side table rather than a field, so
     * that a promise is 24 bytes, not 32, when debug mode is off. Weak keys, so that it holds no
     * promise alive; synchronized, because the check it serves exists to catch calls from the
     * wrong thread.
     */
    private static final Map<Promise<?>, Thread> OWNERS =
            ENABLED ? Collections.synchronizedMap(new WeakHashMap<>()) : Map.of();

    /** Records the current thread as {@code promise}'s owner. Only called when {@link #ENABLED}. */
    static void recordOwner(Promise<?> promise) {
        OWNERS.put(promise, Thread.currentThread());
    }

    /**
     * Where each pending flatMap or map was called, in debug mode only, for async traces: a side
     * table for the same reason as {@link #OWNERS}.
     */
    private static final Map<ChainedPromise<?, ?>, StackTraceElement> SITES =
            ENABLED ? Collections.synchronizedMap(new WeakHashMap<>()) : Map.of();

    /** Records where {@code promise} was made. Only called when {@link #ENABLED}. */
    static void recordSite(ChainedPromise<?, ?> promise, StackTraceElement site) {
        if (site != null) {
            SITES.put(promise, site);
        }
    }

    /** Where {@code promise} was made, or null if unknown. Only called when {@link #ENABLED}. */
    static StackTraceElement siteOf(ChainedPromise<?, ?> promise) {
        return SITES.get(promise);
    }

    /**
     * Fails fast when a promise is used off the thread that created it. Only called when
     * {@link #ENABLED}; a promise with no recorded owner (the shared unit promise) is not checked.
     */
    static void checkOwner(Promise<?> promise) {
        Thread owner = OWNERS.get(promise);
        Thread current = Thread.currentThread();
        if (owner != null && owner != current) {
            throw new IllegalStateException("promise created on thread '" + owner.getName()
                    + "' used from thread '" + current.getName()
                    + "': promises are confined to their loop's thread; cross threads with the loop's"
                    + " execute()/submit()");
        }
    }
}
