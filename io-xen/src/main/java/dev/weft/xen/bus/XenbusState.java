package dev.weft.xen.bus;

/**
 * A xenbus device end's state, as in Xen's {@code xen/include/public/io/xenbus.h}
 * ({@code enum xenbus_state}). Each end of a split device publishes its state in its
 * {@code state} node as a decimal string; the other end watches it. Immutable.
 */
public enum XenbusState {
    /** 0: not yet known (no node, or the end has not started). */
    UNKNOWN(0),
    /** 1: the end is setting up. */
    INITIALISING(1),
    /** 2: (backend) waiting for the frontend's details; ready for the frontend to connect. */
    INIT_WAIT(2),
    /** 3: (frontend) its details (ring refs, event channel) are published. */
    INITIALISED(3),
    /** 4: connected: the device is in use. */
    CONNECTED(4),
    /** 5: the end is going away and asks the other to disconnect. */
    CLOSING(5),
    /** 6: the end has disconnected. */
    CLOSED(6),
    /** 7: a reconfiguration is under way. */
    RECONFIGURING(7),
    /** 8: the reconfiguration is done. */
    RECONFIGURED(8);

    private static final XenbusState[] BY_CODE = values();

    private final int code;

    XenbusState(int code) {
        this.code = code;
    }

    /** The number stored in xenstore. */
    public int code() {
        return code;
    }

    /** The value written to a {@code state} node: the code in decimal. */
    public String toStoreValue() {
        return Integer.toString(code);
    }

    /**
     * Parses a {@code state} node's value strictly: exactly one of the digits 0 to 8, nothing
     * around it (no sign, no padding, no whitespace, no NUL).
     *
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static XenbusState parse(String value) {
        if (value.length() == 1 && value.charAt(0) >= '0' && value.charAt(0) <= '8') {
            return BY_CODE[value.charAt(0) - '0'];
        }
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        throw new IllegalArgumentException("xenbus state \"" + shown.replaceAll("\\p{Cntrl}", "?")
                + "\" is not a decimal state 0-8");
    }
}
