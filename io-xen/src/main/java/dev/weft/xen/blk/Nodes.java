package dev.weft.xen.blk;

import dev.weft.promise.Promise;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;

/** Reading the other end's xenstore nodes, whose values are untrusted: parsed and range-checked. */
final class Nodes {
    private Nodes() {}

    /** The node's value, or {@code absent} if the node does not exist. */
    static Promise<String> readOptional(XenStore store, String path, String absent) {
        return store.read(path).recover(failure -> failure instanceof XenStoreException missing
                && missing.error() == XsError.ENOENT ? Promise.of(absent) : Promise.rejected(failure));
    }

    /** A decimal in {@code [min, max]}, or a BROKEN {@link BlockDeviceException} naming the node. */
    static long decimal(String path, String value, long min, long max) throws BlockDeviceException {
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException notANumber) {
            throw new BlockDeviceException(BlockDeviceException.Reason.BROKEN,
                    path + " = \"" + value + "\" is not a decimal number", notANumber);
        }
        if (parsed < min || parsed > max) {
            throw new BlockDeviceException(BlockDeviceException.Reason.BROKEN,
                    path + " = " + parsed + " is outside " + min + ".." + max);
        }
        return parsed;
    }

    /** What parses untrusted values and goes on with a promise. */
    interface Parse<T> {
        /** Parses, then continues; throws if a value makes no sense. */
        Promise<T> run() throws BlockDeviceException;
    }

    /** Runs {@code parse}; a value that made no sense rejects the promise with its exception. */
    static <T> Promise<T> parsed(Parse<T> parse) {
        try {
            return parse.run();
        } catch (BlockDeviceException bad) {
            return Promise.rejected(bad);
        }
    }

    /** Whether a feature node says "1" (absent reads as "0"). */
    static boolean flag(String value) {
        return value.trim().equals("1");
    }
}
