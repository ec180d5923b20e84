package dev.weft.xen.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.ring.SharedRing;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The netif structs byte for byte, against layouts written out by hand from Xen's public {@code io/netif.h}. */
class NetifLayoutTest {
    private static final HexFormat HEX = HexFormat.of();

    private static MemorySegment bytes(String hex, int size) {
        MemorySegment segment = MemorySegment.ofArray(new byte[size]);
        byte[] given = HEX.parseHex(hex.replace(" ", ""));
        MemorySegment.copy(MemorySegment.ofArray(given), 0, segment, 0, given.length);
        return segment;
    }

    private static String hex(MemorySegment slot, int size) {
        return HEX.formatHex(slot.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void entrySizesGiveRingsOf256() {
        assertEquals(12, NetifTxCodec.INSTANCE.entrySize());
        assertEquals(8, NetifRxCodec.INSTANCE.entrySize());
        assertEquals(256, SharedRing.entryCount(4096, NetifTxCodec.INSTANCE.entrySize()));
        assertEquals(256, SharedRing.entryCount(4096, NetifRxCodec.INSTANCE.entrySize()));
    }

    @Test
    void aTxRequestIsGrefOffsetFlagsIdSize() {
        MemorySegment slot = MemorySegment.ofArray(new byte[12]);
        NetifTxCodec.INSTANCE.writeRequest(0x0102, new Netif.TxRequest(new GrantRef(0xAABBCCDD), 0x10, 0x4, 0x5EA), slot);
        assertEquals("ddccbbaa" + "1000" + "0400" + "0201" + "ea05", hex(slot, 12));
    }

    @Test
    void aTxResponseIsIdThenSignedStatus() {
        MemorySegment copy = bytes("0700 feff", 12);
        assertEquals(7L, NetifTxCodec.INSTANCE.responseId(copy));
        assertEquals(new Netif.TxResponse(Netif.RSP_DROPPED), NetifTxCodec.INSTANCE.readResponse(copy));
        assertThrows(IllegalArgumentException.class, () -> NetifTxCodec.INSTANCE.readResponse(bytes("0700 0500", 12)));
    }

    @Test
    void anRxRequestIsIdPadGref() {
        MemorySegment slot = MemorySegment.ofArray(new byte[8]);
        slot.fill((byte) 0x5A);
        NetifRxCodec.INSTANCE.writeRequest(0xFF, new Netif.RxRequest(new GrantRef(9)), slot);
        assertEquals("ff00" + "0000" + "09000000", hex(slot, 8));
    }

    @Test
    void anRxResponseIsIdOffsetFlagsAndASignedStatus() {
        MemorySegment ok = bytes("0300 0a00 0100 dc05", 8);
        assertEquals(3L, NetifRxCodec.INSTANCE.responseId(ok));
        assertEquals(new Netif.RxResponse(10, 1, 1500), NetifRxCodec.INSTANCE.readResponse(ok));
        assertEquals(new Netif.RxResponse(0, 0, -1), NetifRxCodec.INSTANCE.readResponse(bytes("0300 0000 0000 ffff", 8)));
    }
}
