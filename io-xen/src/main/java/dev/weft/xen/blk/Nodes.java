package dev.weft.xen.blk;

import dev.weft.xen.bus.XenbusNodes;

/** The vbd's untrusted xenstore values as {@link BlockDeviceException}s when they make no sense. */
final class Nodes {
    private Nodes() {}

    /** A decimal in {@code [min, max]}, or a BROKEN {@link BlockDeviceException} naming the node. */
    static long decimal(String path, String value, long min, long max) throws BlockDeviceException {
        return XenbusNodes.decimal(value, min, max).orElseThrow(() -> new BlockDeviceException(
                BlockDeviceException.Reason.BROKEN, path + " = \"" + value + "\" is not a number in " + min + ".." + max));
    }

    /** Whether a feature node says "1" (absent reads as "0"). */
    static boolean flag(String value) {
        return value.trim().equals("1");
    }
}
