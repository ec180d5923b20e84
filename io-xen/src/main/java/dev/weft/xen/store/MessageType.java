package dev.weft.xen.store;

/**
 * The message types of the xenstore wire protocol, with their numbers as in Xen 4.17's
 * {@code xen/include/public/io/xs_wire.h} ({@code enum xsd_sockmsg_type}). Immutable.
 *
 * <p>Number 20 was {@code XS_RESTRICT}, removed from Xen: it is not a type here, so a message
 * carrying it is an unknown type. {@link #INVALID} (0xffff) is guaranteed never to be valid; it
 * exists so it can be sent, as xenstored answers it with {@code EINVAL}.
 */
public enum MessageType {
    /** {@code XS_CONTROL} (was XS_DEBUG): a privileged command to the daemon. */
    CONTROL(0),
    /** {@code XS_DIRECTORY}: the children of a node. */
    DIRECTORY(1),
    /** {@code XS_READ}: the value of a node. */
    READ(2),
    /** {@code XS_GET_PERMS}: the permissions of a node. */
    GET_PERMS(3),
    /** {@code XS_WATCH}: register a watch (path, token). */
    WATCH(4),
    /** {@code XS_UNWATCH}: remove a watch. */
    UNWATCH(5),
    /** {@code XS_TRANSACTION_START}: open a transaction; the reply is its id. */
    TRANSACTION_START(6),
    /** {@code XS_TRANSACTION_END}: commit ("T") or abort ("F") a transaction. */
    TRANSACTION_END(7),
    /** {@code XS_INTRODUCE}: tell the daemon about a new domain's ring page and port. */
    INTRODUCE(8),
    /** {@code XS_RELEASE}: forget a domain. */
    RELEASE(9),
    /** {@code XS_GET_DOMAIN_PATH}: a domain's home path. */
    GET_DOMAIN_PATH(10),
    /** {@code XS_WRITE}: set a node's value, creating it. */
    WRITE(11),
    /** {@code XS_MKDIR}: create a node with an empty value. */
    MKDIR(12),
    /** {@code XS_RM}: remove a node and its children. */
    RM(13),
    /** {@code XS_SET_PERMS}: set a node's permissions. */
    SET_PERMS(14),
    /** {@code XS_WATCH_EVENT}: sent by the daemon when a watch fires. */
    WATCH_EVENT(15),
    /** {@code XS_ERROR}: the reply to a failed request; its payload is an errno name. */
    ERROR(16),
    /** {@code XS_IS_DOMAIN_INTRODUCED}: "T" or "F". */
    IS_DOMAIN_INTRODUCED(17),
    /** {@code XS_RESUME}: clear a domain's shutdown flag. */
    RESUME(18),
    /** {@code XS_SET_TARGET}: let a domain act with another's permissions (device models). */
    SET_TARGET(19),
    /** {@code XS_RESET_WATCHES}: drop all of this connection's watches and transactions. */
    RESET_WATCHES(21),
    /** {@code XS_DIRECTORY_PART}: part of a children list too long for one payload. */
    DIRECTORY_PART(22),
    /** {@code XS_INVALID}: guaranteed to stay invalid. */
    INVALID(0xffff);

    private static final MessageType[] BY_NUMBER = new MessageType[23];

    static {
        for (MessageType type : values()) {
            if (type.number < BY_NUMBER.length) {
                BY_NUMBER[type.number] = type;
            }
        }
    }

    private final int number;

    MessageType(int number) {
        this.number = number;
    }

    /** The type's number on the wire (the header's first u32). */
    public int number() {
        return number;
    }

    /**
     * The type numbered {@code number}, or null if no type has that number (including 20, the
     * removed XS_RESTRICT). Any u32 may be passed: the value comes from an untrusted header.
     */
    public static MessageType ofNumber(int number) {
        if (number == INVALID.number) {
            return INVALID;
        }
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }
}
