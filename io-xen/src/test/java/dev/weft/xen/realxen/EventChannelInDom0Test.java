package dev.weft.xen.realxen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real-Xen stage's own check that dom0's event-channel device works end to end: two
 * /dev/xen/evtchn handles, an unbound port on one, its interdomain peer on the other, a notify
 * through the peer read back as the unbound port. Raw syscalls, so it depends on no io-xen code.
 */
@Tag("real-xen")
@SuppressWarnings("restricted") // the test binds libc itself: open, ioctl, poll, read, close
final class EventChannelInDom0Test {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = function("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("ioctl"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = function("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle READ = function("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static final int O_RDWR = 2;
    private static final short POLLIN = 1;
    // Linux uapi xen/evtchn.h: _IOC(_IOC_NONE, 'E', nr, sizeof(struct)) = size << 16 | 'E' << 8 | nr
    private static final long BIND_INTERDOMAIN = 8L << 16 | 'E' << 8 | 1;
    private static final long BIND_UNBOUND_PORT = 4L << 16 | 'E' << 8 | 2;
    private static final long NOTIFY = 4L << 16 | 'E' << 8 | 4;
    private static final int DOM0 = 0;

    @Test
    void aNotifyThroughAnInterdomainPortIsReadAsItsUnboundPeer() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int unboundSide = open(arena, "/dev/xen/evtchn");
            int peerSide = open(arena, "/dev/xen/evtchn");
            try {
                int unboundPort = ioctl(unboundSide, BIND_UNBOUND_PORT, arena.allocateFrom(ValueLayout.JAVA_INT, DOM0));
                assertTrue(unboundPort > 0, "BIND_UNBOUND_PORT returned " + unboundPort);
                int peerPort = ioctl(peerSide, BIND_INTERDOMAIN, arena.allocateFrom(ValueLayout.JAVA_INT, DOM0, unboundPort));
                assertTrue(peerPort > 0, "BIND_INTERDOMAIN returned " + peerPort);
                assertNotEquals(unboundPort, peerPort);

                assertEquals(0, ioctl(peerSide, NOTIFY, arena.allocateFrom(ValueLayout.JAVA_INT, peerPort)));

                assertEquals(1, pollIn(arena, unboundSide, 10_000), "the unbound side became readable");
                MemorySegment pending = arena.allocate(ValueLayout.JAVA_INT);
                assertEquals(4L, (long) READ.invokeExact(unboundSide, pending, 4L));
                assertEquals(unboundPort, pending.get(ValueLayout.JAVA_INT, 0));
            } finally {
                assertEquals(0, (int) CLOSE.invokeExact(unboundSide));
                assertEquals(0, (int) CLOSE.invokeExact(peerSide));
            }
        }
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor);
    }

    private static int open(Arena arena, String path) throws Throwable {
        int fd = (int) OPEN.invokeExact(arena.allocateFrom(path), O_RDWR);
        assertTrue(fd >= 0, "open " + path + " returned " + fd);
        return fd;
    }

    private static int ioctl(int fd, long request, MemorySegment argument) throws Throwable {
        return (int) IOCTL.invokeExact(fd, request, argument);
    }

    /** poll(2) on one fd for POLLIN; struct pollfd is { int fd; short events; short revents; }. */
    private static int pollIn(Arena arena, int fd, int timeoutMillis) throws Throwable {
        MemorySegment pollfd = arena.allocate(8, 4);
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        return (int) POLL.invokeExact(pollfd, 1L, timeoutMillis);
    }
}
