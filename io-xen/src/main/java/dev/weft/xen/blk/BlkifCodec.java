package dev.weft.xen.blk;

import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.ring.RingCodec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The blkif ring entries of Xen's {@code io/blkif.h} for the x86_64 ABI (protocol {@code
 * "x86_64-abi"}), little-endian, natural alignment:
 *
 * <pre>
 * struct blkif_request (112 bytes)          struct blkif_response (16 bytes)
 *   0  u8  operation                          0  u64 id
 *   1  u8  nr_segments                        8  u8  operation
 *   2  u16 handle                            10  i16 status
 *   8  u64 id
 *  16  u64 sector_number
 *  24  seg[11], 8 bytes each: u32 gref, u8 first_sect, u8 last_sect, 2 bytes padding
 * </pre>
 *
 * <p>A ring entry is the union of the two, 112 bytes, so one 4096-byte page holds 32 entries.
 * Reads validate what a peer wrote: a request's segment count and sector bounds, a response's
 * operation and status; anything else is rejected, which breaks the ring.
 *
 * <p><b>Threading:</b> stateless; safe anywhere.
 */
public final class BlkifCodec implements RingCodec<BlkifRequest, BlkifResponse> {
    /** The one instance. */
    public static final BlkifCodec INSTANCE = new BlkifCodec();

    /** The protocol name the frontend publishes in xenstore. */
    public static final String PROTOCOL = "x86_64-abi";
    /** {@code BLKIF_OP_READ}. */
    public static final int OP_READ = 0;
    /** {@code BLKIF_OP_WRITE}. */
    public static final int OP_WRITE = 1;
    /** {@code BLKIF_OP_WRITE_BARRIER}: complete earlier writes first. */
    public static final int OP_WRITE_BARRIER = 2;
    /** {@code BLKIF_OP_FLUSH_DISKCACHE}: make completed writes durable. */
    public static final int OP_FLUSH_DISKCACHE = 3;
    /** {@code BLKIF_OP_DISCARD}. */
    public static final int OP_DISCARD = 5;
    /** {@code BLKIF_OP_INDIRECT}. */
    public static final int OP_INDIRECT = 6;
    /** {@code BLKIF_RSP_OKAY}. */
    public static final int STATUS_OKAY = 0;
    /** {@code BLKIF_RSP_ERROR}: the operation failed (EIO). */
    public static final int STATUS_ERROR = -1;
    /** {@code BLKIF_RSP_EOPNOTSUPP}: the backend does not support the operation. */
    public static final int STATUS_EOPNOTSUPP = -2;
    /** {@code BLKIF_MAX_SEGMENTS_PER_REQUEST}. */
    public static final int MAX_SEGMENTS = 11;
    /** The unit of {@code sector_number}, {@code first_sect} and {@code last_sect}. */
    public static final int SECTOR_BYTES = 512;
    /** The size of a granted page. */
    public static final int PAGE_BYTES = 4096;
    /** 512-byte sectors in a page. */
    public static final int SECTORS_PER_PAGE = PAGE_BYTES / SECTOR_BYTES;
    /** {@code VDISK_READONLY} in the backend's {@code info} node. */
    public static final int VDISK_READONLY = 0x4;

    /** Offset of {@code operation} in a request. */
    public static final int REQ_OPERATION = 0;
    /** Offset of {@code nr_segments}. */
    public static final int REQ_NR_SEGMENTS = 1;
    /** Offset of {@code handle}. */
    public static final int REQ_HANDLE = 2;
    /** Offset of {@code id}. */
    public static final int REQ_ID = 8;
    /** Offset of {@code sector_number}. */
    public static final int REQ_SECTOR_NUMBER = 16;
    /** Offset of {@code seg[0]}. */
    public static final int REQ_SEGMENTS = 24;
    /** Bytes per segment (6 of fields, padded to the u32's alignment). */
    public static final int SEGMENT_BYTES = 8;
    /** Offset of {@code gref} within a segment. */
    public static final int SEG_GREF = 0;
    /** Offset of {@code first_sect} within a segment. */
    public static final int SEG_FIRST_SECT = 4;
    /** Offset of {@code last_sect} within a segment. */
    public static final int SEG_LAST_SECT = 5;
    /** {@code sizeof(struct blkif_request)}. */
    public static final int REQUEST_BYTES = REQ_SEGMENTS + MAX_SEGMENTS * SEGMENT_BYTES;
    /** Offset of {@code id} in a response. */
    public static final int RSP_ID = 0;
    /** Offset of {@code operation} in a response. */
    public static final int RSP_OPERATION = 8;
    /** Offset of {@code status} in a response. */
    public static final int RSP_STATUS = 10;
    /** {@code sizeof(struct blkif_response)}. */
    public static final int RESPONSE_BYTES = 16;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlkifCodec() {}

    @Override
    public int entrySize() {
        return REQUEST_BYTES;
    }

    @Override
    public void writeRequest(long id, BlkifRequest request, MemorySegment slot) {
        slot.fill((byte) 0);
        slot.set(ValueLayout.JAVA_BYTE, REQ_OPERATION, (byte) request.operation());
        slot.set(ValueLayout.JAVA_BYTE, REQ_NR_SEGMENTS, (byte) request.segments().size());
        slot.set(U16, REQ_HANDLE, (short) request.handle());
        slot.set(U64, REQ_ID, id);
        slot.set(U64, REQ_SECTOR_NUMBER, request.sectorNumber());
        for (int i = 0; i < request.segments().size(); i++) {
            BlkifRequest.Segment segment = request.segments().get(i);
            long at = REQ_SEGMENTS + (long) i * SEGMENT_BYTES;
            slot.set(U32, at + SEG_GREF, segment.gref().value());
            slot.set(ValueLayout.JAVA_BYTE, at + SEG_FIRST_SECT, (byte) segment.firstSect());
            slot.set(ValueLayout.JAVA_BYTE, at + SEG_LAST_SECT, (byte) segment.lastSect());
        }
    }

    @Override
    public long requestId(MemorySegment copy) {
        return copy.get(U64, REQ_ID);
    }

    /** Reads a request; throws IllegalArgumentException if it names more than 11 segments or bad sectors. */
    @Override
    public BlkifRequest readRequest(MemorySegment copy) {
        int operation = Byte.toUnsignedInt(copy.get(ValueLayout.JAVA_BYTE, REQ_OPERATION));
        int count = Byte.toUnsignedInt(copy.get(ValueLayout.JAVA_BYTE, REQ_NR_SEGMENTS));
        if (count > MAX_SEGMENTS) {
            throw new IllegalArgumentException("nr_segments " + count + " exceeds " + MAX_SEGMENTS);
        }
        List<BlkifRequest.Segment> segments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = REQ_SEGMENTS + (long) i * SEGMENT_BYTES;
            segments.add(new BlkifRequest.Segment(new GrantRef(copy.get(U32, at + SEG_GREF)),
                    Byte.toUnsignedInt(copy.get(ValueLayout.JAVA_BYTE, at + SEG_FIRST_SECT)),
                    Byte.toUnsignedInt(copy.get(ValueLayout.JAVA_BYTE, at + SEG_LAST_SECT))));
        }
        return new BlkifRequest(operation, Short.toUnsignedInt(copy.get(U16, REQ_HANDLE)),
                copy.get(U64, REQ_SECTOR_NUMBER), segments);
    }

    @Override
    public void writeResponse(long id, BlkifResponse response, MemorySegment slot) {
        slot.asSlice(0, RESPONSE_BYTES).fill((byte) 0);
        slot.set(U64, RSP_ID, id);
        slot.set(ValueLayout.JAVA_BYTE, RSP_OPERATION, (byte) response.operation());
        slot.set(U16, RSP_STATUS, (short) response.status());
    }

    @Override
    public long responseId(MemorySegment copy) {
        return copy.get(U64, RSP_ID);
    }

    /** Reads a response; throws IllegalArgumentException for an unknown operation or status. */
    @Override
    public BlkifResponse readResponse(MemorySegment copy) {
        int operation = Byte.toUnsignedInt(copy.get(ValueLayout.JAVA_BYTE, RSP_OPERATION));
        int status = copy.get(U16, RSP_STATUS); // sign-extended: the field is an int16_t
        if (operation > OP_INDIRECT || operation == 4) {
            throw new IllegalArgumentException("response operation " + operation + " is no blkif operation");
        }
        if (status != STATUS_OKAY && status != STATUS_ERROR && status != STATUS_EOPNOTSUPP) {
            throw new IllegalArgumentException("response status " + status + " is not OKAY, ERROR or EOPNOTSUPP");
        }
        return new BlkifResponse(operation, status);
    }
}
