package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.util.OptionalLong;

/**
 * Reading a split driver's xenstore nodes, whose values the other end wrote and are therefore
 * untrusted: optional nodes, checked decimals, and parsing that rejects a promise with the
 * driver's own typed exception instead of throwing.
 *
 * <p><b>Threading:</b> the promises are those of the xenstore client's loop.
 */
public final class XenbusNodes {
    private XenbusNodes() {}

    /** Parses untrusted values and goes on with a promise; may throw the driver's exception. */
    @FunctionalInterface
    public interface Parse<T> {
        /** Parses, then continues. */
        Promise<T> run() throws Exception;
    }

    /** The node's value, or {@code absent} if there is no such node (other failures pass through). */
    public static Promise<String> readOptional(XenStore store, String path, String absent) {
        return store.read(path).recover(failure -> failure instanceof XenStoreException missing
                && missing.error() == XsError.ENOENT ? Promise.of(absent) : Promise.rejected(failure));
    }

    /** The decimal {@code value} if it is one and lies in {@code [min, max]}; empty otherwise. */
    public static OptionalLong decimal(String value, long min, long max) {
        try {
            long parsed = Long.parseLong(value.trim());
            return parsed >= min && parsed <= max ? OptionalLong.of(parsed) : OptionalLong.empty();
        } catch (NumberFormatException notANumber) {
            return OptionalLong.empty();
        }
    }

    /** Runs {@code parse}; whatever it throws rejects the returned promise instead. */
    public static <T> Promise<T> parsed(Parse<T> parse) {
        try {
            return parse.run();
        } catch (Exception failure) {
            return Promise.rejected(failure);
        }
    }
}
