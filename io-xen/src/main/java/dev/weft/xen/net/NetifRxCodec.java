package dev.weft.xen.net;

import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.ring.RingCodec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The receive ring's entries of Xen's {@code io/netif.h}, little-endian:
 *
 * <pre>
 * struct netif_rx_request (8 bytes)       struct netif_rx_response (8 bytes)
 *   0 u16 id                                0 u16 id
 *   2 u16 pad                               2 u16 offset
 *   4 u32 gref                              4 u16 flags
 *                                           6 i16 status (bytes received, or an error if negative)
 * </pre>
 *
 * <p>An entry is 8 bytes; a page holds 256 (ring.h rounds 504 down to a power of two). A
 * response's status is decoded as signed; whether its bytes fit the page is checked by the
 * frontend, which knows the page.
 *
 * <p>A response with {@link Netif#FLAG_EXTRA_INFO} is followed by {@code struct netif_extra_info}
 * slots ({@code u8 type} at 0, {@code u8 flags} at 1, 6 bytes of union), another one following
 * while {@code flags} has {@link #EXTRA_FLAG_MORE}. They carry no id: each used up the request of
 * its ring position, which {@link dev.weft.xen.ring.RingClient} fulfils with {@link
 * #EXTRA_INFO_SLOT}.
 *
 * <p><b>Threading:</b> stateless; safe anywhere.
 */
public final class NetifRxCodec implements RingCodec<Netif.RxRequest, Netif.RxResponse> {
    /** The one instance. */
    public static final NetifRxCodec INSTANCE = new NetifRxCodec();
    /** Offset of {@code id} in a request. */
    public static final int REQ_ID = 0;
    /** Offset of {@code gref} in a request. */
    public static final int REQ_GREF = 4;
    /** Offset of {@code id} in a response. */
    public static final int RSP_ID = 0;
    /** Offset of {@code offset}. */
    public static final int RSP_OFFSET = 2;
    /** Offset of {@code flags}. */
    public static final int RSP_FLAGS = 4;
    /** Offset of {@code status}. */
    public static final int RSP_STATUS = 6;
    /** Bytes per entry (both structs are 8). */
    public static final int ENTRY_BYTES = 8;
    /** Offset of an extra-info slot's {@code type}. */
    public static final int EXTRA_TYPE = 0;
    /** Offset of an extra-info slot's {@code flags}. */
    public static final int EXTRA_FLAGS = 1;
    /** {@code XEN_NETIF_EXTRA_FLAG_MORE}: another extra-info slot follows. */
    public static final int EXTRA_FLAG_MORE = 1;
    /**
     * What a request whose slot the backend used for extra info is fulfilled with: this very
     * instance (compare by identity), so the frontend posts its page again and counts no frame.
     */
    static final Netif.RxResponse EXTRA_INFO_SLOT = new Netif.RxResponse(0, Netif.FLAG_EXTRA_INFO, Netif.RSP_NULL);

    private NetifRxCodec() {}

    @Override
    public int entrySize() {
        return ENTRY_BYTES;
    }

    @Override
    public void writeRequest(long id, Netif.RxRequest request, MemorySegment slot) {
        slot.set(NetifTxCodec.U16, REQ_ID, (short) id);
        slot.set(NetifTxCodec.U16, REQ_ID + 2, (short) 0);
        slot.set(NetifTxCodec.U32, REQ_GREF, request.gref().value());
    }

    @Override
    public long requestId(MemorySegment copy) {
        return Short.toUnsignedInt(copy.get(NetifTxCodec.U16, REQ_ID));
    }

    @Override
    public Netif.RxRequest readRequest(MemorySegment copy) {
        return new Netif.RxRequest(new GrantRef(copy.get(NetifTxCodec.U32, REQ_GREF)));
    }

    @Override
    public void writeResponse(long id, Netif.RxResponse response, MemorySegment slot) {
        slot.set(NetifTxCodec.U16, RSP_ID, (short) id);
        slot.set(NetifTxCodec.U16, RSP_OFFSET, (short) response.offset());
        slot.set(NetifTxCodec.U16, RSP_FLAGS, (short) response.flags());
        slot.set(NetifTxCodec.U16, RSP_STATUS, (short) response.status());
    }

    @Override
    public long responseId(MemorySegment copy) {
        return Short.toUnsignedInt(copy.get(NetifTxCodec.U16, RSP_ID));
    }

    @Override
    public Netif.RxResponse readResponse(MemorySegment copy) {
        return new Netif.RxResponse(Short.toUnsignedInt(copy.get(NetifTxCodec.U16, RSP_OFFSET)),
                Short.toUnsignedInt(copy.get(NetifTxCodec.U16, RSP_FLAGS)), copy.get(NetifTxCodec.U16, RSP_STATUS));
    }

    @Override
    public boolean nextSlotFollows(MemorySegment copy, boolean following) {
        return following ? (copy.get(ValueLayout.JAVA_BYTE, EXTRA_FLAGS) & EXTRA_FLAG_MORE) != 0
                : (copy.get(NetifTxCodec.U16, RSP_FLAGS) & Netif.FLAG_EXTRA_INFO) != 0;
    }

    @Override
    public Netif.RxResponse readFollowing(MemorySegment copy) {
        return EXTRA_INFO_SLOT;
    }
}
