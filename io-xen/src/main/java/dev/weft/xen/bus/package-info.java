/**
 * Xenbus: the handshake by which a split device's frontend and backend find each other through
 * xenstore ({@link dev.weft.xen.bus.XenbusState}, {@link dev.weft.xen.bus.Frontend}, {@link
 * dev.weft.xen.bus.Backend}).
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: a driver end runs on the loop of its xenstore client.
 */
package dev.weft.xen.bus;
