package dev.weft.xen.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One xenstore wire message: xs_wire.h's 16-byte header ({@code struct xsd_sockmsg}: type,
 * req_id, tx_id, len, each a little-endian u32) and its payload. Immutable once built: the
 * payload array is owned by the message and must not be changed.
 *
 * <p>{@code type} is the raw u32 so that any message, valid or not, can be represented (a
 * hostile peer's, or {@link MessageType#INVALID} on purpose). The payload is at most {@link
 * #PAYLOAD_MAX} bytes: the constructor refuses more, so a message that exists can be sent.
 *
 * @param type the type's number ({@link MessageType#number()}), any u32
 * @param requestId the request id the daemon echoes in its reply
 * @param transactionId the transaction the request belongs to, 0 for none
 * @param payload the bytes after the header, at most {@link #PAYLOAD_MAX}
 */
public record Message(int type, int requestId, int transactionId, byte[] payload) {
    /** {@code XENSTORE_PAYLOAD_MAX}: the largest payload either side may send. */
    public static final int PAYLOAD_MAX = 4096;
    /** The size of {@code struct xsd_sockmsg}. */
    public static final int HEADER_SIZE = 16;

    /**
     * Checks the payload's size.
     *
     * @throws XenStoreException with {@link XsError#E2BIG} if the payload exceeds {@link
     *     #PAYLOAD_MAX}: nothing larger is ever sent
     */
    public Message {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > PAYLOAD_MAX) {
            throw new XenStoreException(XsError.E2BIG, describe(type)
                    + ": payload of " + payload.length + " bytes exceeds XENSTORE_PAYLOAD_MAX (" + PAYLOAD_MAX + ")");
        }
    }

    /** A message of a known type. */
    public static Message of(MessageType type, int requestId, int transactionId, byte[] payload) {
        return new Message(type.number(), requestId, transactionId, payload);
    }

    /** This message's type, or null if its number is not one of {@link MessageType}'s. */
    public MessageType knownType() {
        return MessageType.ofNumber(type);
    }

    /** The header and payload as they go on the wire. */
    public byte[] toBytes() {
        byte[] bytes = new byte[HEADER_SIZE + payload.length];
        putU32(bytes, 0, type);
        putU32(bytes, 4, requestId);
        putU32(bytes, 8, transactionId);
        putU32(bytes, 12, payload.length);
        System.arraycopy(payload, 0, bytes, HEADER_SIZE, payload.length);
        return bytes;
    }

    /** Reads the little-endian u32 at {@code offset} of {@code bytes}. */
    static int getU32(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) | (bytes[offset + 1] & 0xff) << 8
                | (bytes[offset + 2] & 0xff) << 16 | (bytes[offset + 3] & 0xff) << 24;
    }

    private static void putU32(byte[] bytes, int offset, int value) {
        bytes[offset] = (byte) value;
        bytes[offset + 1] = (byte) (value >>> 8);
        bytes[offset + 2] = (byte) (value >>> 16);
        bytes[offset + 3] = (byte) (value >>> 24);
    }

    // ---------------------------------------------------------------- payloads

    /** A payload of strings, each followed by a NUL (xenstore.txt's {@code <string>|}). */
    public static byte[] strings(String... parts) {
        return strings(List.of(parts));
    }

    /** A payload of strings, each followed by a NUL. */
    public static byte[] strings(List<String> parts) {
        int size = 0;
        List<byte[]> encoded = new ArrayList<>(parts.size());
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            encoded.add(bytes);
            size += bytes.length + 1;
        }
        byte[] payload = new byte[size];
        int at = 0;
        for (byte[] bytes : encoded) {
            System.arraycopy(bytes, 0, payload, at, bytes.length);
            at += bytes.length + 1;
        }
        return payload;
    }

    /**
     * The NUL-terminated strings of {@code payload}, in order. Bytes after the last NUL (a value
     * that is not terminated) are returned as a last string.
     */
    public static List<String> split(byte[] payload) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                parts.add(new String(payload, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < payload.length) {
            parts.add(new String(payload, start, payload.length - start, StandardCharsets.UTF_8));
        }
        return parts;
    }

    /** The payload as one string, ignoring one trailing NUL if present (a read's value). */
    public String text() {
        int length = payload.length > 0 && payload[payload.length - 1] == 0 ? payload.length - 1 : payload.length;
        return new String(payload, 0, length, StandardCharsets.UTF_8);
    }

    /** The type's name for messages: {@code READ}, or {@code type 20} for an unknown one. */
    static String describe(int type) {
        MessageType known = MessageType.ofNumber(type);
        return known != null ? known.name() : "type " + Integer.toUnsignedString(type);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Message that && type == that.type && requestId == that.requestId
                && transactionId == that.transactionId && java.util.Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, requestId, transactionId, java.util.Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Message[" + describe(type) + ", req_id=" + Integer.toUnsignedString(requestId) + ", tx_id="
                + Integer.toUnsignedString(transactionId) + ", len=" + payload.length + "]";
    }
}
