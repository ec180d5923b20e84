package dev.weft.unix.socket;

import dev.weft.unix.libc.Libc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes java.net socket addresses as Linux {@code struct sockaddr_in}, {@code sockaddr_in6} and
 * {@code sockaddr_un}, and decodes them back. Stateless, any thread.
 *
 * <p>Layouts (Linux, all architectures): every struct starts with a native-order 16-bit family.
 * {@code sockaddr_in} (16 bytes): port (big-endian) at 2, address at 4. {@code sockaddr_in6} (28
 * bytes): port at 2, flow info at 4, address at 8, scope id (native order) at 24.
 * {@code sockaddr_un} (110 bytes): a NUL-terminated path of at most 107 bytes at 2.
 */
final class SocketAddresses {

    /** Longest Unix socket path: {@code sizeof(sun_path)} less the terminating NUL. */
    static final int MAX_UNIX_PATH = 107;

    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SocketAddresses() {}

    /**
     * Writes {@code address} into {@code out} in the form a socket of {@code family} expects; an
     * IPv4 address for an IPv6 socket becomes IPv4-mapped ({@code ::ffff:a.b.c.d}).
     *
     * @return the length to pass to the kernel
     * @throws IllegalArgumentException if the address is unresolved, too long, or of another family
     */
    static int encode(SocketAddress address, int family, MemorySegment out) {
        out.fill((byte) 0);
        return switch (address) {
            case InetSocketAddress inet when family == Libc.AF_INET -> encodeInet4(inet, out);
            case InetSocketAddress inet when family == Libc.AF_INET6 -> encodeInet6(inet, out);
            case UnixDomainSocketAddress unix when family == Libc.AF_UNIX -> encodeUnix(unix, out);
            default -> throw new IllegalArgumentException(
                    address + " cannot be used with a socket of address family " + family);
        };
    }

    /** Reads the address the kernel wrote into the first {@code length} bytes of {@code in}. */
    static SocketAddress decode(MemorySegment in, int length) {
        int family = in.get(ValueLayout.JAVA_SHORT, 0);
        return switch (family) {
            case Libc.AF_INET -> new InetSocketAddress(address(in, 4, 4, 0), port(in));
            case Libc.AF_INET6 -> new InetSocketAddress(address(in, 8, 16, in.get(ValueLayout.JAVA_INT, 24)), port(in));
            case Libc.AF_UNIX -> UnixDomainSocketAddress.of(unixPath(in, length));
            default -> throw new IllegalArgumentException("unexpected address family " + family + " from the kernel");
        };
    }

    private static int encodeInet4(InetSocketAddress inet, MemorySegment out) {
        if (!(resolved(inet) instanceof Inet4Address ip)) {
            throw new IllegalArgumentException(inet + " is IPv6; use an IPv6 socket");
        }
        out.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
        out.set(PORT, 2, (short) inet.getPort());
        MemorySegment.copy(ip.getAddress(), 0, out, ValueLayout.JAVA_BYTE, 4, 4);
        return 16;
    }

    private static int encodeInet6(InetSocketAddress inet, MemorySegment out) {
        InetAddress ip = resolved(inet);
        out.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET6);
        out.set(PORT, 2, (short) inet.getPort());
        if (ip instanceof Inet6Address v6) {
            MemorySegment.copy(v6.getAddress(), 0, out, ValueLayout.JAVA_BYTE, 8, 16);
            out.set(ValueLayout.JAVA_INT, 24, v6.getScopeId());
        } else {
            out.set(ValueLayout.JAVA_SHORT, 18, (short) 0xFFFF);
            MemorySegment.copy(ip.getAddress(), 0, out, ValueLayout.JAVA_BYTE, 20, 4);
        }
        return 28;
    }

    private static int encodeUnix(UnixDomainSocketAddress unix, MemorySegment out) {
        byte[] path = unix.getPath().toString().getBytes(StandardCharsets.UTF_8);
        if (path.length > MAX_UNIX_PATH) {
            throw new IllegalArgumentException("Unix socket path is " + path.length + " bytes, the limit is "
                    + MAX_UNIX_PATH + ": " + unix.getPath() + "; use a shorter (e.g. relative) path");
        }
        out.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
        MemorySegment.copy(path, 0, out, ValueLayout.JAVA_BYTE, 2, path.length);
        return path.length == 0 ? 2 : 2 + path.length + 1;
    }

    private static InetAddress resolved(InetSocketAddress inet) {
        if (inet.isUnresolved()) {
            throw new IllegalArgumentException(inet + " is unresolved; resolve it first (a loop must not block on DNS)");
        }
        return inet.getAddress();
    }

    private static int port(MemorySegment in) {
        return Short.toUnsignedInt(in.get(PORT, 2));
    }

    private static InetAddress address(MemorySegment in, int offset, int length, int scope) {
        byte[] bytes = in.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
        try {
            // Never a DNS lookup: getByAddress only wraps the bytes (an IPv4-mapped IPv6 address
            // comes back as Inet4Address).
            return scope != 0 ? Inet6Address.getByAddress(null, bytes, scope) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the kernel returned a " + length + "-byte address", e);
        }
    }

    private static String unixPath(MemorySegment in, int length) {
        int end = 2;
        while (end < length && in.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(in.asSlice(2, end - 2).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
