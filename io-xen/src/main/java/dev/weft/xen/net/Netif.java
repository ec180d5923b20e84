package dev.weft.xen.net;

import dev.weft.xen.grant.GrantRef;
import java.util.Objects;

/**
 * The values carried by netif's rings (Xen's {@code io/netif.h}), minus the ids the rings
 * assign, and its constants.
 */
public final class Netif {
    private Netif() {}

    /** {@code NETIF_RSP_DROPPED}: the backend dropped the frame. */
    public static final int RSP_DROPPED = -2;
    /** {@code NETIF_RSP_ERROR}. */
    public static final int RSP_ERROR = -1;
    /** {@code NETIF_RSP_OKAY}. */
    public static final int RSP_OKAY = 0;
    /** {@code NETIF_RSP_NULL}: the response to an extra-info slot. */
    public static final int RSP_NULL = 1;
    /** {@code NETTXF_more_data} / {@code NETRXF_more_data}: the frame goes on in the next slot. */
    public static final int FLAG_MORE_DATA = 1 << 2;
    /** {@code NETTXF_extra_info} / {@code NETRXF_extra_info}: extra-info slots follow. */
    public static final int FLAG_EXTRA_INFO = 1 << 3;
    /**
     * {@code NETRXF_gso_prefix}: the slot holds a GSO prefix (the segment size in {@code offset}, the
     * GSO type in {@code status}), not frame bytes; sent only to a frontend that asked for
     * {@code feature-gso-tcpv4-prefix}, which this one never does.
     */
    public static final int FLAG_GSO_PREFIX = 1 << 4;
    /** The size of a granted page. */
    public static final int PAGE_BYTES = 4096;
    /** An Ethernet header's bytes (destination, source, type). */
    public static final int ETHERNET_HEADER = 14;

    /**
     * A frame to send ({@code struct netif_tx_request}).
     *
     * @param gref the page holding the frame
     * @param offset where the frame starts in the page
     * @param flags {@code NETTXF_*}
     * @param size the frame's bytes
     */
    public record TxRequest(GrantRef gref, int offset, int flags, int size) {
        /** Checks the fields are u16s and the frame lies in the page. */
        public TxRequest {
            Objects.requireNonNull(gref, "gref");
            if (offset < 0 || size < 0 || flags < 0 || flags > 0xFFFF || offset + size > PAGE_BYTES) {
                throw new IllegalArgumentException("tx request offset " + offset + " size " + size + " flags "
                        + flags + " does not describe bytes of one page");
            }
        }
    }

    /**
     * The backend's answer to a sent frame ({@code struct netif_tx_response}).
     *
     * @param status {@link #RSP_OKAY}, {@link #RSP_ERROR}, {@link #RSP_DROPPED} or {@link #RSP_NULL}
     */
    public record TxResponse(int status) {}

    /**
     * A receive buffer offered to the backend ({@code struct netif_rx_request}).
     *
     * @param gref the page the backend may fill
     */
    public record RxRequest(GrantRef gref) {}

    /**
     * A received frame, or an error ({@code struct netif_rx_response}).
     *
     * @param offset where the frame starts in the page
     * @param flags {@code NETRXF_*}
     * @param status the frame's bytes if positive or zero, an error ({@code NETIF_RSP_*}) if negative
     */
    public record RxResponse(int offset, int flags, int status) {}
}
