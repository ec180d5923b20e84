package dev.weft.promise;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A key for a value that flows through a promise chain, such as a request id or a tracing span
 * (Lwt's {@code 'a Lwt.key}; the role MDC plays for threads). Bind a value with
 * {@link Promise#withValue}; read it with {@link #get()}, {@link #orElse} or {@link #isBound()}
 * from any callback of the chain.
 *
 * <p><b>Threading: a key is immutable and may be shared by every thread</b> (keep one in a
 * {@code static final} field). Reading it reads the binding of the calling thread at that moment:
 * on a loop's thread, the binding of the chain whose code is running; elsewhere, the binding of
 * the enclosing {@code withValue} call on that thread, if any. A binding never crosses threads.
 *
 * <p>Keys are compared by identity: two keys made with the same name are two different keys, as
 * two calls of Lwt's {@code new_key} are. The name only serves messages.
 *
 * @param <T> the type of the values bound to this key
 */
public final class ContextKey<T> {
    private final String name;

    private ContextKey(String name) {
        this.name = name;
    }

    /**
     * A new key, distinct from every other key (Lwt.new_key). {@code name} appears in messages
     * and {@link #toString()}.
     */
    public static <T> ContextKey<T> named(String name) {
        return new ContextKey<>(Objects.requireNonNull(name, "name"));
    }

    /** The name this key was made with. */
    public String name() {
        return name;
    }

    /** Whether a value is bound to this key for the code running now on this thread. */
    public boolean isBound() {
        return lookup() != null;
    }

    /**
     * The value bound to this key for the code running now on this thread (Lwt.get).
     *
     * @throws NoSuchElementException if no value is bound (use {@link #orElse} to read it
     *     without a binding)
     */
    public T get() {
        T value = lookup();
        if (value == null) {
            throw new NoSuchElementException("context key '" + name + "' is not bound here: bind it with"
                    + " Promise.withValue(key, value, body) around the chain that reads it");
        }
        return value;
    }

    /** The value bound to this key for the code running now, or {@code other} if none is. */
    public T orElse(T other) {
        T value = lookup();
        return value == null ? other : value;
    }

    private T lookup() {
        Context context = Context.current();
        return context == null ? null : Promise.cast(context.lookup(this));
    }

    @Override
    public String toString() {
        return "ContextKey[" + name + "]";
    }
}
