/**
 * The domain's lifecycle: shutdown, reboot, suspend and crash requests from the toolstack,
 * watched in xenstore and delivered as a promise ({@link dev.weft.xen.lifecycle.Lifecycle}).
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of the xenstore client used.
 */
package dev.weft.xen.lifecycle;
