package dev.weft.xen.realxen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real-Xen stage's own check that dom0's event-channel device works end to end: two
 * /dev/xen/evtchn handles, an unbound port on one, its interdomain peer on the other, a notify
 * through the peer read back as the unbound port. Raw libc calls only, so it proves the stage (the
 * boot, the devices, FFM in dom0) apart from io-xen's own device code.
 */
@Tag("real-xen")
final class EventChannelInDom0Test {
    // Linux uapi xen/evtchn.h: _IOC(_IOC_NONE, 'E', nr, sizeof(struct)) = size << 16 | 'E' << 8 | nr
    private static final long BIND_INTERDOMAIN = 8L << 16 | 'E' << 8 | 1;
    private static final long BIND_UNBOUND_PORT = 4L << 16 | 'E' << 8 | 2;
    private static final long NOTIFY = 4L << 16 | 'E' << 8 | 4;
    private static final int DOM0 = 0;

    @Test
    void aNotifyThroughAnInterdomainPortIsReadAsItsUnboundPeer() {
        try (Arena arena = Arena.ofConfined()) {
            int unboundSide = open(arena, "/dev/xen/evtchn");
            int peerSide = open(arena, "/dev/xen/evtchn");
            try {
                int unboundPort = Libc.ioctl(unboundSide, BIND_UNBOUND_PORT, arena.allocateFrom(ValueLayout.JAVA_INT, DOM0));
                assertTrue(unboundPort > 0, "BIND_UNBOUND_PORT returned " + unboundPort);
                int peerPort = Libc.ioctl(peerSide, BIND_INTERDOMAIN, arena.allocateFrom(ValueLayout.JAVA_INT, DOM0, unboundPort));
                assertTrue(peerPort > 0, "BIND_INTERDOMAIN returned " + peerPort);
                assertNotEquals(unboundPort, peerPort);

                assertEquals(0, Libc.ioctl(peerSide, NOTIFY, arena.allocateFrom(ValueLayout.JAVA_INT, peerPort)));

                assertEquals(1, pollIn(arena, unboundSide, 10_000), "the unbound side became readable");
                MemorySegment pending = arena.allocate(ValueLayout.JAVA_INT);
                assertEquals(4L, Libc.read(unboundSide, pending, 4));
                assertEquals(unboundPort, pending.get(ValueLayout.JAVA_INT, 0));
            } finally {
                assertEquals(0, Libc.close(unboundSide));
                assertEquals(0, Libc.close(peerSide));
            }
        }
    }

    private static int open(Arena arena, String path) {
        int fd = Libc.open(arena.allocateFrom(path), Libc.O_RDWR | Libc.O_CLOEXEC);
        assertTrue(fd >= 0, "open " + path + " failed with errno " + -fd);
        return fd;
    }

    private static int pollIn(Arena arena, int fd, int timeoutMillis) {
        MemorySegment pollfd = arena.allocate(Libc.POLLFD_BYTES, 4);
        pollfd.set(ValueLayout.JAVA_INT, 0, fd); // struct pollfd { int fd; short events; short revents; }
        pollfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
        return Libc.poll(pollfd, 1, timeoutMillis);
    }
}
