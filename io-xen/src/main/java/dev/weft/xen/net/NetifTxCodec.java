package dev.weft.xen.net;

import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.ring.RingCodec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The transmit ring's entries of Xen's {@code io/netif.h}, little-endian:
 *
 * <pre>
 * struct netif_tx_request (12 bytes)      struct netif_tx_response (4 bytes)
 *   0 u32 gref                              0 u16 id
 *   4 u16 offset                            2 i16 status
 *   6 u16 flags
 *   8 u16 id
 *  10 u16 size
 * </pre>
 *
 * <p>An entry is 12 bytes; a page holds 256. A response's status must be one netif.h defines.
 *
 * <p><b>Threading:</b> stateless; safe anywhere.
 */
public final class NetifTxCodec implements RingCodec<Netif.TxRequest, Netif.TxResponse> {
    /** The one instance. */
    public static final NetifTxCodec INSTANCE = new NetifTxCodec();
    /** Offset of {@code gref} in a request. */
    public static final int REQ_GREF = 0;
    /** Offset of {@code offset}. */
    public static final int REQ_OFFSET = 4;
    /** Offset of {@code flags}. */
    public static final int REQ_FLAGS = 6;
    /** Offset of {@code id}. */
    public static final int REQ_ID = 8;
    /** Offset of {@code size}. */
    public static final int REQ_SIZE = 10;
    /** {@code sizeof(struct netif_tx_request)}. */
    public static final int REQUEST_BYTES = 12;
    /** Offset of {@code id} in a response. */
    public static final int RSP_ID = 0;
    /** Offset of {@code status}. */
    public static final int RSP_STATUS = 2;
    /** {@code sizeof(struct netif_tx_response)}. */
    public static final int RESPONSE_BYTES = 4;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NetifTxCodec() {}

    @Override
    public int entrySize() {
        return REQUEST_BYTES;
    }

    @Override
    public void writeRequest(long id, Netif.TxRequest request, MemorySegment slot) {
        slot.set(U32, REQ_GREF, request.gref().value());
        slot.set(U16, REQ_OFFSET, (short) request.offset());
        slot.set(U16, REQ_FLAGS, (short) request.flags());
        slot.set(U16, REQ_ID, (short) id);
        slot.set(U16, REQ_SIZE, (short) request.size());
    }

    @Override
    public long requestId(MemorySegment copy) {
        return Short.toUnsignedInt(copy.get(U16, REQ_ID));
    }

    /** Reads a request; throws IllegalArgumentException if the frame does not lie in the page. */
    @Override
    public Netif.TxRequest readRequest(MemorySegment copy) {
        return new Netif.TxRequest(new GrantRef(copy.get(U32, REQ_GREF)), Short.toUnsignedInt(copy.get(U16, REQ_OFFSET)),
                Short.toUnsignedInt(copy.get(U16, REQ_FLAGS)), Short.toUnsignedInt(copy.get(U16, REQ_SIZE)));
    }

    @Override
    public void writeResponse(long id, Netif.TxResponse response, MemorySegment slot) {
        slot.set(U16, RSP_ID, (short) id);
        slot.set(U16, RSP_STATUS, (short) response.status());
    }

    @Override
    public long responseId(MemorySegment copy) {
        return Short.toUnsignedInt(copy.get(U16, RSP_ID));
    }

    /** Reads a response; throws IllegalArgumentException for a status netif.h does not define. */
    @Override
    public Netif.TxResponse readResponse(MemorySegment copy) {
        int status = copy.get(U16, RSP_STATUS);
        if (status < Netif.RSP_DROPPED || status > Netif.RSP_NULL) {
            throw new IllegalArgumentException("tx response status " + status + " is not one of netif.h's");
        }
        return new Netif.TxResponse(status);
    }
}
