package dev.weft.loop.device;

import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A block device of fixed-size sectors (MirageOS's {@code Mirage_block.S}): a file or a block
 * device on io-unix, blkfront on io-xen.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> Several operations may be pending at once; the device
 * may complete them in any order, and only a write's fulfilment says its data is durable to the
 * degree the backend promises (documented by the implementation).
 */
public interface Block {

    /**
     * What a block device is.
     *
     * @param readWrite whether {@link #write} is allowed
     * @param sectorSize the sector size in bytes (512 or 4096 in practice)
     * @param sectors the number of sectors
     */
    record Info(boolean readWrite, int sectorSize, long sectors) {}

    /** The device's geometry and mode. */
    Info info();

    /**
     * Reads consecutive sectors from {@code startSector} into {@code buffers}, filled in order;
     * each buffer's size is a multiple of the sector size. Rejected with an IOException if the
     * range passes the end of the device or the device failed.
     */
    Promise<Void> read(long startSector, List<MemorySegment> buffers);

    /**
     * Writes {@code buffers}, in order, to consecutive sectors from {@code startSector}; each
     * buffer's size is a multiple of the sector size and must not change until the promise
     * resolves. Rejected with an IOException if the device is read-only, the range passes its
     * end, or it failed.
     */
    Promise<Void> write(long startSector, List<MemorySegment> buffers);

    /** Fails pending operations and releases the device. Idempotent. */
    Promise<Void> disconnect();
}
