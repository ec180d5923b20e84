package dev.weft.promise;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The values bound by {@link Promise#withValue} at one moment on one thread: an immutable map from
 * {@link ContextKey} to value, and the machinery that carries it through promise chains (Lwt's
 * sequence-associated storage). Confined to one thread like the rest of the core; a Context
 * object itself is immutable, so a captured one is never changed under a callback.
 *
 * <p><b>How it flows.</b> The thread's current context lives in its {@link Resolution}
 * ({@code Resolution.context}, null when nothing is bound). Every node that will run user code
 * later (a pending {@code flatMap}/{@code map}, a {@code recover}, {@code tryBind},
 * {@code andFinally}, a plain callback, an {@code onCancel}) captures the current context when it
 * is made, by wrapping the user's function in a {@code Bound} object that installs the captured
 * context around the call and restores the previous one after, even if the function throws. And
 * the drain that runs callbacks clears the context while it runs them, so a callback that captured
 * nothing sees nothing, whichever chain resolved its promise. So a value is visible in every
 * callback registered while it was bound, however late that callback runs (after a pause, a
 * timer, an I/O wait), and in no other: Lwt's rule, where bind snapshots the storage and its
 * callback restores it.
 *
 * <p><b>Cost.</b> Until the first {@code withValue} in the JVM, {@link #inUse} is false and a
 * registration pays one static load and a branch; the drain pays a load and a null test. Once
 * contexts are in use, a registration also looks up the thread's Resolution, and registrations
 * made while a value is bound allocate one wrapper each. A map holds each key at most once, so a
 * recursive server loop that binds the same key on every turn keeps a map of constant size.
 */
final class Context {
    /**
     * Set by the first {@code withValue} that binds a value, on any thread, and never cleared:
     * until then no registration needs to look for a context. A plain field: a thread only has a
     * context after its own {@code withValue}, whose write it sees in program order; other threads
     * seeing it late only delays their (needless) look-ups.
     */
    static boolean inUse;

    /** The keys bound, each once, in the order first bound; parallel to {@link #values}. */
    private final ContextKey<?>[] keys;
    /** The non-null value of each key in {@link #keys}. */
    private final Object[] values;

    private Context(ContextKey<?>[] keys, Object[] values) {
        this.keys = keys;
        this.values = values;
    }

    /** The context bound on this thread now, or null if none is. */
    static Context current() {
        return Resolution.current().context;
    }

    /** The value bound to {@code key} in this context, or null. */
    Object lookup(ContextKey<?> key) {
        int at = indexOf(key);
        return at < 0 ? null : values[at];
    }

    /** How many keys are bound in this context. */
    int size() {
        return keys.length;
    }

    private int indexOf(ContextKey<?> key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code outer} (null meaning empty) with {@code key} bound to {@code value}, or unbound if
     * {@code value} is null; null if the result is empty.
     */
    static Context with(Context outer, ContextKey<?> key, Object value) {
        if (outer == null) {
            return value == null ? null : new Context(new ContextKey<?>[] {key}, new Object[] {value});
        }
        int at = outer.indexOf(key);
        if (value == null) {
            return at < 0 ? outer : outer.without(at);
        }
        if (at >= 0) {
            Object[] values = outer.values.clone();
            values[at] = value;
            return new Context(outer.keys, values);
        }
        int n = outer.keys.length;
        ContextKey<?>[] keys = Arrays.copyOf(outer.keys, n + 1);
        Object[] values = Arrays.copyOf(outer.values, n + 1);
        keys[n] = key;
        values[n] = value;
        return new Context(keys, values);
    }

    private Context without(int at) {
        int n = keys.length;
        if (n == 1) {
            return null;
        }
        ContextKey<?>[] fewerKeys = new ContextKey<?>[n - 1];
        Object[] fewerValues = new Object[n - 1];
        System.arraycopy(keys, 0, fewerKeys, 0, at);
        System.arraycopy(values, 0, fewerValues, 0, at);
        System.arraycopy(keys, at + 1, fewerKeys, at, n - at - 1);
        System.arraycopy(values, at + 1, fewerValues, at, n - at - 1);
        return new Context(fewerKeys, fewerValues);
    }

    /** See {@link Promise#withValue}. */
    static <T, R> Promise<R> withValue(ContextKey<T> key, T value, Supplier<? extends Promise<? extends R>> body) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(body, "body");
        Resolution resolution = Resolution.current();
        Context outer = resolution.context;
        Context inner = with(outer, key, value);
        if (inner != null) {
            inUse = true;
        }
        resolution.context = inner;
        try {
            return Promise.apply(body);
        } finally {
            resolution.context = outer;
        }
    }

    // ---------------------------------------------------------------- capturing at registration

    /** The context that a node made now must run under, or null (the common, unused case). */
    private static Context toCapture() {
        return inUse ? Resolution.current().context : null;
    }

    /** {@code f}, or {@code f} bound to the current context if one is bound; null stays null. */
    static <T, R> Function<T, R> captureFunction(Function<T, R> f) {
        Context context = toCapture();
        return context == null || f == null ? f : Promise.cast(new Bound(Bound.FUNCTION, f, context));
    }

    /** {@code f}, or {@code f} bound to the current context if one is bound; null stays null. */
    static <R> Supplier<R> captureSupplier(Supplier<R> f) {
        Context context = toCapture();
        return context == null || f == null ? f : Promise.cast(new Bound(Bound.SUPPLIER, f, context));
    }

    /** {@code f}, or {@code f} bound to the current context if one is bound; null stays null. */
    static <T> Consumer<T> captureConsumer(Consumer<T> f) {
        Context context = toCapture();
        return context == null || f == null ? f : Promise.cast(new Bound(Bound.CONSUMER, f, context));
    }

    /** {@code f}, or {@code f} bound to the current context if one is bound; null stays null. */
    static Runnable captureRunnable(Runnable f) {
        Context context = toCapture();
        return context == null || f == null ? f : new Bound(Bound.RUNNABLE, f, context);
    }

    /**
     * A user's function and the context it was registered under: calling it installs that context,
     * calls the function, and restores the context it found, even if the function throws. One
     * class for the four shapes of user code; {@code kind} says which one {@code f} is, because a
     * user's object may implement several of them.
     */
    // Function's and Consumer's default andThen overload each other here; no code calls them.
    @SuppressWarnings("overloads")
    private static final class Bound implements Function<Object, Object>, Supplier<Object>, Consumer<Object>, Runnable {
        static final byte FUNCTION = 0;
        static final byte SUPPLIER = 1;
        static final byte CONSUMER = 2;
        static final byte RUNNABLE = 3;

        private final byte kind;
        private final Object f;
        private final Context context;

        Bound(byte kind, Object f, Context context) {
            this.kind = kind;
            this.f = f;
            this.context = context;
        }

        @Override
        public Object apply(Object argument) {
            return call(argument);
        }

        @Override
        public Object get() {
            return call(null);
        }

        @Override
        public void accept(Object argument) {
            call(argument);
        }

        @Override
        public void run() {
            call(null);
        }

        private Object call(Object argument) {
            Resolution resolution = Resolution.current();
            Context outer = resolution.context;
            resolution.context = context;
            try {
                switch (kind) {
                    case FUNCTION -> {
                        return Promise.<Function<Object, Object>>cast(f).apply(argument);
                    }
                    case SUPPLIER -> {
                        return ((Supplier<?>) f).get();
                    }
                    case CONSUMER -> Promise.<Consumer<Object>>cast(f).accept(argument);
                    default -> ((Runnable) f).run();
                }
                return null;
            } finally {
                resolution.context = outer;
            }
        }
    }
}
