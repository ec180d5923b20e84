/**
 * Blkfront: a Xen virtual block device ({@code vbd}) as a {@link dev.weft.loop.device.Block}
 * ({@link dev.weft.xen.blk.Blkfront}), the blkif wire format of Xen's {@code io/blkif.h} ({@link
 * dev.weft.xen.blk.BlkifCodec}), and a software backend serving a file ({@link
 * dev.weft.xen.blk.Blkback}) for tests and for driver domains written in Java.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>: each end runs on the loop of its xenstore client and
 * event channels; the two ends run on different loops (two domains).
 */
package dev.weft.xen.blk;
