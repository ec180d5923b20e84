package dev.weft.xen.bus;

import dev.weft.promise.Promise;

/**
 * What a split driver does at the two moments of the xenbus handshake; the {@link Frontend} or
 * {@link Backend} decides when.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: called on the loop of the end's xenstore client, never
 * twice at once for one end.
 */
public interface XenbusDriver {

    /**
     * Connects the device: a frontend allocates and grants its ring and event channel and
     * publishes them under {@link XenbusEnd#path()}; a backend reads them from {@link
     * XenbusEnd#otherPath()} and maps them. Called again after every reconnection. A rejection
     * stops the end ({@link XenbusEnd#stopped()} rejects with it).
     */
    Promise<Void> connect(XenbusEnd end);

    /**
     * Disconnects: unmaps, ends grants, closes the event channel. Called once after each
     * {@link #connect} that succeeded, when the device closes.
     */
    Promise<Void> disconnect(XenbusEnd end);
}
