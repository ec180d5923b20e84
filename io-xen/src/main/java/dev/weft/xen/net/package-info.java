/**
 * Netfront: a Xen virtual network interface ({@code vif}) as a {@link
 * dev.weft.loop.device.Network} ({@link dev.weft.xen.net.Netfront}), the netif wire format of
 * Xen's {@code io/netif.h} ({@link dev.weft.xen.net.NetifTxCodec}, {@link
 * dev.weft.xen.net.NetifRxCodec}), and a software backend ({@link dev.weft.xen.net.Netback}) for
 * tests.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: each end runs on the loop of its xenstore client and
 * event channels; the two ends run on different loops (two domains).
 */
package dev.weft.xen.net;
