package dev.weft.xen.blk;

import dev.weft.xen.grant.GrantRef;
import java.util.List;
import java.util.Objects;

/**
 * One blkif request as it travels in a ring slot (Xen's {@code struct blkif_request}), minus its
 * id, which the ring assigns. Immutable.
 *
 * @param operation one of the {@code OP_} codes of {@link BlkifCodec}
 * @param handle the virtual device's handle ({@code blkif_vdev_t})
 * @param sectorNumber the first sector, always in 512-byte units whatever the device's sector size
 * @param segments at most {@link BlkifCodec#MAX_SEGMENTS} granted pages, in order
 */
public record BlkifRequest(int operation, int handle, long sectorNumber, List<Segment> segments) {

    /**
     * One granted page of a request ({@code struct blkif_request_segment}): the 512-byte sectors
     * {@code firstSect} to {@code lastSect} (inclusive, 0 to 7) of the page {@code gref} names.
     *
     * @param gref the page's grant reference
     * @param firstSect the first 512-byte sector of the page that is transferred
     * @param lastSect the last one, inclusive
     */
    public record Segment(GrantRef gref, int firstSect, int lastSect) {
        /** Checks that the sectors lie in one 4096-byte page, first before last. */
        public Segment {
            Objects.requireNonNull(gref, "gref");
            if (firstSect < 0 || lastSect < firstSect || lastSect >= BlkifCodec.SECTORS_PER_PAGE) {
                throw new IllegalArgumentException("segment sectors " + firstSect + ".." + lastSect
                        + " do not lie within one page (0..7, first <= last)");
            }
        }

        /** Bytes transferred by this segment. */
        public int bytes() {
            return (lastSect - firstSect + 1) * BlkifCodec.SECTOR_BYTES;
        }
    }

    /** Checks the field ranges the C struct can hold. */
    public BlkifRequest {
        segments = List.copyOf(segments);
        if (operation < 0 || operation > 0xFF) {
            throw new IllegalArgumentException("operation " + operation + " is not a u8");
        }
        if (handle < 0 || handle > 0xFFFF) {
            throw new IllegalArgumentException("handle " + handle + " is not a u16");
        }
        if (segments.size() > BlkifCodec.MAX_SEGMENTS) {
            throw new IllegalArgumentException(segments.size() + " segments; a request holds at most "
                    + BlkifCodec.MAX_SEGMENTS);
        }
    }

    /** Bytes transferred by all segments. */
    public int bytes() {
        int bytes = 0;
        for (Segment segment : segments) {
            bytes += segment.bytes();
        }
        return bytes;
    }
}
