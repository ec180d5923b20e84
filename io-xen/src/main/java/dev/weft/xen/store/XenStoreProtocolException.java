package dev.weft.xen.store;

/**
 * The peer broke the xenstore wire protocol (a length over XENSTORE_PAYLOAD_MAX, a reply to a
 * request that is not outstanding, a reply of the wrong type, a malformed payload, an unknown
 * errno name): the connection is broken for good. Every request outstanding on it and every
 * later one fails with this exception; watches end. Immutable.
 */
public final class XenStoreProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error describing what the peer sent. */
    public XenStoreProtocolException(String message) {
        super("xenstore protocol violation: " + message);
    }
}
