/**
 * Xenstore: the wire protocol of Xen's {@code xs_wire.h} ({@link dev.weft.xen.store.Message},
 * {@link dev.weft.xen.store.MessageType}, {@link dev.weft.xen.store.XsError}) and the client
 * {@link dev.weft.xen.store.XenStore}, which runs over any {@link dev.weft.loop.device.Flow}.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: a client and everything it returns belong to the loop
 * of its flow.
 */
package dev.weft.xen.store;
