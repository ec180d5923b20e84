/**
 * vchan: a byte stream between two domains over granted pages and an event channel, wire-compatible
 * with Xen's libxenvchan ({@link dev.weft.xen.vchan.Vchan}, a {@link dev.weft.loop.device.Flow}).
 * The server shares a control page ({@code struct vchan_interface}) and the rings, and publishes
 * {@code <path>/ring-ref} and {@code <path>/event-channel} in xenstore; the client maps them.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: a vchan belongs to the loop of the event channels it was
 * made with.
 */
package dev.weft.xen.vchan;
