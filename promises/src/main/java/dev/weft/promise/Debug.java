package dev.weft.promise;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * The {@code -Dweft.debug=true} switch: owner-thread checks, async stack traces
 * ({@link AsyncTrace}) and unhandled-rejection reports ({@link UnhandledRejections}). A static
 * final flag, so with the switch off the JIT removes every call guarded by it: each hook below is
 * called only under {@code if (Debug.ENABLED)}.
 *
 * <p>What debug mode knows of a promise is its {@link Origin}, kept in a side table rather than
 * in fields, so that a promise is 24 bytes, not 32, when debug mode is off. Weak keys, so that
 * the table holds no promise alive; synchronized, because the owner check it serves exists to
 * catch calls from the wrong thread.
 */
final class Debug {
    /** Whether debug checks are on for this JVM; read once at class initialisation. */
    static final boolean ENABLED = Boolean.getBoolean("weft.debug");

    private Debug() {}

    /**
     * What debug mode knows of one promise. It holds nothing that refers to the promise, so that
     * an unhandled-rejection tracker may keep it after the promise is collected.
     */
    static final class Origin {
        /**
         * The thread that made the promise, checked by {@link #checkOwner}; null for a promise
         * made fulfilled, which is never written again, so every thread may share it (a constant
         * such as Flow's {@code ChunkHandler.READ_ON}, used by every loop of a group), as {@link
         * Promise#unit()} is shared.
         */
        final Thread owner;
        /**
         * The sites the promise stands for, innermost first: where it was made, then, once
         * promises it followed became its proxies (see {@link Promise}'s notes), theirs before it.
         */
        StackTraceElement[] sites;
        /** Whether its failure was observed (see {@link UnhandledRejections}). */
        boolean observed;
        /** Whether an unhandled-rejection tracker watches it. */
        boolean tracked;
        /**
         * For a promise made pending, what {@link PendingRegistry}'s report shows: the Weft call
         * that made it, the application frame behind it (null if none was found near it), when,
         * and what its driver says it waits on (null if nothing was said).
         */
        StackTraceElement madeBy;
        StackTraceElement calledFrom;
        long madeNanos;
        Supplier<String> description;

        Origin(Thread owner, StackTraceElement[] sites) {
            this.owner = owner;
            this.sites = sites;
        }
    }

    private static final Map<Promise<?>, Origin> ORIGINS =
            ENABLED ? Collections.synchronizedMap(new WeakHashMap<>()) : Map.of();

    /**
     * Records the current thread as {@code promise}'s owner (none if it is made fulfilled: see
     * {@link Origin#owner}) and, unless it is made fulfilled (it can then never fail), where it
     * was made; a promise made rejected has that site added to its failure's trace at once.
     * Called from Promise's constructor.
     */
    static void created(Promise<?> promise) {
        if (promise.state == Promise.PENDING) { // one stack walk serves both the trace and the pending report
            PendingRegistry.Creation creation = PendingRegistry.walk();
            Origin origin = new Origin(Thread.currentThread(), sitesOf(creation.site()));
            origin.madeBy = creation.madeBy();
            origin.calledFrom = creation.calledFrom();
            origin.madeNanos = System.nanoTime();
            ORIGINS.put(promise, origin);
            return;
        }
        StackTraceElement[] sites = promise.state == Promise.FULFILLED ? AsyncTrace.NO_SITES
                : sitesOf(AsyncTrace.callSite());
        Thread owner = promise.state == Promise.FULFILLED ? null : Thread.currentThread();
        ORIGINS.put(promise, new Origin(owner, sites));
        if (promise.state == Promise.REJECTED) {
            rejected(promise);
        }
    }

    private static StackTraceElement[] sitesOf(StackTraceElement site) {
        return site == null ? AsyncTrace.NO_SITES : new StackTraceElement[] {site};
    }

    /** What debug mode knows of {@code promise}, or null if it was made before or without it. */
    static Origin originOf(Promise<?> promise) {
        return ORIGINS.get(promise);
    }

    /** Every promise debug mode knows of and its origin, at this moment; promises may be null (collected). */
    static List<Map.Entry<Promise<?>, Origin>> snapshot() {
        synchronized (ORIGINS) {
            return new ArrayList<>(ORIGINS.entrySet());
        }
    }

    /** The sites {@code promise} stands for, innermost first; empty if unknown. */
    static StackTraceElement[] sitesOf(Promise<?> promise) {
        Origin origin = ORIGINS.get(promise);
        return origin == null ? AsyncTrace.NO_SITES : origin.sites;
    }

    /**
     * {@code root} was just rejected (made so, or settled): its sites go to the failure's trace,
     * and unless callbacks wait on it, it is tracked as an unhandled rejection until observed.
     */
    static void rejected(Promise<?> root) {
        Throwable failure = (Throwable) root.value;
        Origin origin = ORIGINS.get(root);
        if (origin == null) {
            return;
        }
        AsyncTrace.record(failure, origin.sites);
        if (root.callbacks != null) {
            origin.observed = true;
        } else {
            UnhandledRejections.track(root, origin, failure);
        }
    }

    /** Settle hook: {@code root} has just taken its final state. */
    static void settled(Promise<?> root) {
        if (root.state == Promise.REJECTED) {
            rejected(root);
        }
    }

    /**
     * Someone consumed {@code root}'s outcome (see {@link UnhandledRejections} for what counts): if
     * it is rejected, its failure is observed.
     */
    static void observed(Promise<?> root) {
        if (root.state != Promise.REJECTED) {
            return;
        }
        Origin origin = ORIGINS.get(root);
        if (origin != null) {
            origin.observed = true;
        }
    }

    /** {@code inner} became a proxy of {@code outer}: outer now stands for inner's sites too. */
    static void proxied(Promise<?> inner, Promise<?> outer) {
        Origin innerOrigin = ORIGINS.get(inner);
        Origin outerOrigin = ORIGINS.get(outer);
        if (innerOrigin != null && outerOrigin != null) {
            outerOrigin.sites = AsyncTrace.append(innerOrigin.sites, outerOrigin.sites);
        }
    }

    /**
     * Fails fast when a promise is used off the thread that created it. A promise with no
     * recorded owner (the shared unit promise, one made fulfilled) is not checked.
     */
    static void checkOwner(Promise<?> promise) {
        Origin origin = ORIGINS.get(promise);
        Thread current = Thread.currentThread();
        if (origin != null && origin.owner != null && origin.owner != current) {
            throw new IllegalStateException("promise created on thread '" + origin.owner.getName()
                    + "' used from thread '" + current.getName()
                    + "': promises are confined to their loop's thread; cross threads with the loop's"
                    + " execute()/submit()");
        }
    }
}
