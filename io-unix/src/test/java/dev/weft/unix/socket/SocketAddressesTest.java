package dev.weft.unix.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SocketAddressesTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment sockaddr = arena.allocate(128);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void ipv4IsFamilyThenBigEndianPortThenAddress() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), 0x1F90);

        int length = SocketAddresses.encode(address, Libc.AF_INET, sockaddr);

        assertEquals(16, length);
        assertArrayEquals(new byte[] {2, 0, 0x1F, (byte) 0x90, 10, 1, 2, 3}, sockaddr.asSlice(0, 8).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void ipv4RoundTrips() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 65535);

        int length = SocketAddresses.encode(address, Libc.AF_INET, sockaddr);

        assertEquals(address, SocketAddresses.decode(sockaddr, length));
    }

    @Test
    void ipv6RoundTrips() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 443);

        int length = SocketAddresses.encode(address, Libc.AF_INET6, sockaddr);

        assertEquals(28, length);
        assertEquals(address, SocketAddresses.decode(sockaddr, length));
    }

    @Test
    void ipv4OnAnIpv6SocketIsEncodedAsIpv4Mapped() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 80);

        SocketAddresses.encode(address, Libc.AF_INET6, sockaddr);

        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 127, 0, 0, 1},
                sockaddr.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void unixPathRoundTrips() {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of("/tmp/weft.sock");

        int length = SocketAddresses.encode(address, Libc.AF_UNIX, sockaddr);

        assertEquals(2 + "/tmp/weft.sock".length() + 1, length);
        assertEquals(address, SocketAddresses.decode(sockaddr, length));
    }

    @Test
    void aUnixPathLongerThanTheKernelAllowsIsRejectedNamingTheLimit() {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of("/" + "x".repeat(120));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SocketAddresses.encode(address, Libc.AF_UNIX, sockaddr));

        assertEquals(true, e.getMessage().contains("the limit is 107"));
    }

    @Test
    void anUnresolvedAddressIsRejected() {
        InetSocketAddress address = InetSocketAddress.createUnresolved("example.org", 80);

        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.encode(address, Libc.AF_INET, sockaddr));
    }
}
