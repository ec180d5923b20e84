package dev.weft.unix.socket;

import dev.weft.unix.libc.Libc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/**
 * The Linux level, name and value encoding of each socket option {@link NativeSocket} supports.
 * Immutable. Each constant is named exactly as the C option, so error messages can use {@code name()}.
 */
enum SocketOptionCodes {
    TCP_NODELAY(Libc.IPPROTO_TCP, Libc.TCP_NODELAY),
    SO_REUSEADDR(Libc.SOL_SOCKET, Libc.SO_REUSEADDR),
    SO_REUSEPORT(Libc.SOL_SOCKET, Libc.SO_REUSEPORT),
    SO_KEEPALIVE(Libc.SOL_SOCKET, Libc.SO_KEEPALIVE),
    SO_SNDBUF(Libc.SOL_SOCKET, Libc.SO_SNDBUF),
    SO_RCVBUF(Libc.SOL_SOCKET, Libc.SO_RCVBUF),
    /** {@code struct linger {int l_onoff; int l_linger;}}; Java's value is seconds, negative for off. */
    SO_LINGER(Libc.SOL_SOCKET, Libc.SO_LINGER);

    private final int level;
    private final int optname;

    SocketOptionCodes(int level, int optname) {
        this.level = level;
        this.optname = optname;
    }

    static SocketOptionCodes of(SocketOption<?> option) {
        if (option == StandardSocketOptions.TCP_NODELAY) {
            return TCP_NODELAY;
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            return SO_REUSEADDR;
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            return SO_REUSEPORT;
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return SO_KEEPALIVE;
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return SO_SNDBUF;
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return SO_RCVBUF;
        } else if (option == StandardSocketOptions.SO_LINGER) {
            return SO_LINGER;
        }
        throw new UnsupportedOperationException("NativeSocket does not support the option " + option.name());
    }

    int level() {
        return level;
    }

    /** The option's number at its level; the constant's {@code name()} is its C name. */
    int optname() {
        return optname;
    }

    /** Writes {@code value} into {@code slot}; returns the length to pass to setsockopt. */
    int encode(Object value, MemorySegment slot) {
        return switch (this) {
            case SO_LINGER -> {
                int seconds = (Integer) value;
                slot.set(ValueLayout.JAVA_INT, 0, seconds < 0 ? 0 : 1);
                slot.set(ValueLayout.JAVA_INT, 4, Math.max(seconds, 0));
                yield 8;
            }
            case SO_SNDBUF, SO_RCVBUF -> {
                slot.set(ValueLayout.JAVA_INT, 0, (Integer) value);
                yield 4;
            }
            default -> {
                slot.set(ValueLayout.JAVA_INT, 0, ((Boolean) value) ? 1 : 0);
                yield 4;
            }
        };
    }

    /** Reads the value getsockopt left in {@code slot}, as the Java option's type. */
    Object decode(MemorySegment slot) {
        return switch (this) {
            case SO_LINGER -> slot.get(ValueLayout.JAVA_INT, 0) == 0 ? -1 : slot.get(ValueLayout.JAVA_INT, 4);
            case SO_SNDBUF, SO_RCVBUF -> slot.get(ValueLayout.JAVA_INT, 0);
            default -> slot.get(ValueLayout.JAVA_INT, 0) != 0;
        };
    }
}
