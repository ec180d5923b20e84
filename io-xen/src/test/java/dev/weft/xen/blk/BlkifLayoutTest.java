package dev.weft.xen.blk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.ring.SharedRing;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The blkif structs byte for byte, against layouts written out by hand from Xen's public {@code
 * io/blkif.h} for x86_64 (natural alignment, little-endian).
 */
class BlkifLayoutTest {
    private static final HexFormat HEX = HexFormat.of();

    private static MemorySegment bytes(String hex, int size) {
        MemorySegment segment = MemorySegment.ofArray(new byte[size]);
        byte[] given = HEX.parseHex(hex.replace(" ", ""));
        MemorySegment.copy(MemorySegment.ofArray(given), 0, segment, 0, given.length);
        return segment;
    }

    @Test
    void structSizesAreThoseOfBlkifH() {
        assertEquals(112, BlkifCodec.REQUEST_BYTES);
        assertEquals(16, BlkifCodec.RESPONSE_BYTES);
        assertEquals(112, BlkifCodec.INSTANCE.entrySize());
        assertEquals(32, SharedRing.entryCount(4096, BlkifCodec.INSTANCE.entrySize()));
    }

    @Test
    void aRequestIsWrittenWithTheFieldsAtTheirOffsets() {
        BlkifRequest request = new BlkifRequest(BlkifCodec.OP_WRITE, 0xCA00, 0x0102030405060708L, List.of(
                new BlkifRequest.Segment(new GrantRef(0xAABBCCDD), 1, 6), new BlkifRequest.Segment(new GrantRef(8), 0, 7)));
        MemorySegment slot = MemorySegment.ofArray(new byte[112]);
        slot.fill((byte) 0x5A); // the codec must clear what it does not set
        BlkifCodec.INSTANCE.writeRequest(0x1122334455667788L, request, slot);
        MemorySegment expected = bytes("01 02 00ca 00000000 8877665544332211 0807060504030201"
                + " ddccbbaa 01 06 0000  08000000 00 07 0000", 112);
        assertArrayEquals(expected.toArray(ValueLayout.JAVA_BYTE), slot.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void aRequestReadsBackFromItsBytes() {
        MemorySegment copy = bytes("00 01 3412 00000000 0100000000000000 1000000000000000 09000000 00 03 0000", 112);
        assertEquals(1L, BlkifCodec.INSTANCE.requestId(copy));
        assertEquals(new BlkifRequest(BlkifCodec.OP_READ, 0x1234, 16, List.of(
                new BlkifRequest.Segment(new GrantRef(9), 0, 3))), BlkifCodec.INSTANCE.readRequest(copy));
    }

    @Test
    void aResponseIsWrittenWithItsSignedStatusAtOffsetTen() {
        MemorySegment slot = MemorySegment.ofArray(new byte[112]);
        BlkifCodec.INSTANCE.writeResponse(0x0102030405060708L, new BlkifResponse(BlkifCodec.OP_FLUSH_DISKCACHE,
                BlkifCodec.STATUS_EOPNOTSUPP), slot);
        assertEquals("0807060504030201" + "03" + "00" + "feff" + "00000000",
                HEX.formatHex(slot.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE)));
    }

    @Test
    void aResponseStatusIsReadAsSigned() {
        MemorySegment copy = bytes("0500000000000000 01 00 ffff", 112);
        assertEquals(5L, BlkifCodec.INSTANCE.responseId(copy));
        assertEquals(new BlkifResponse(BlkifCodec.OP_WRITE, BlkifCodec.STATUS_ERROR), BlkifCodec.INSTANCE.readResponse(copy));
    }

    @Test
    void aResponseWithAnUnknownStatusOrOperationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> BlkifCodec.INSTANCE.readResponse(bytes("0000000000000000 00 00 0300", 112)));
        assertThrows(IllegalArgumentException.class, () -> BlkifCodec.INSTANCE.readResponse(bytes("0000000000000000 09 00 0000", 112)));
    }

    @Test
    void aRequestOfMoreThanElevenSegmentsOrSectorsOutsideAPageIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> BlkifCodec.INSTANCE.readRequest(bytes("00 0c", 112)));
        assertThrows(IllegalArgumentException.class, () -> BlkifCodec.INSTANCE.readRequest(
                bytes("00 01 0000 00000000 0000000000000000 0000000000000000 09000000 00 08 0000", 112)));
        assertThrows(IllegalArgumentException.class, () -> BlkifCodec.INSTANCE.readRequest(
                bytes("00 01 0000 00000000 0000000000000000 0000000000000000 09000000 05 02 0000", 112)));
    }
}
