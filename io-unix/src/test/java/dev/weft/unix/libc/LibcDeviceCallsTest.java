package dev.weft.unix.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.unix.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The bindings io-xen drives Linux's Xen devices with (open, ioctl, mmap, munmap, poll), tried
 * on devices every Linux has: /dev/null and /dev/zero, and a pipe.
 */
class LibcDeviceCallsTest {

    private static final long FIONREAD = 0x541B;

    @Test
    void openReturnsAnFdAndAMissingPathGivesMinusEnoent() {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.open(arena.allocateFrom("/dev/null"), Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
            int missing = Libc.open(arena.allocateFrom("/dev/no-such-device"), Libc.O_RDWR);

            assertTrue(fd >= 0, "fd " + fd);
            assertEquals(-Errno.ENOENT.number(), missing);
            assertEquals(0, Libc.close(fd));
        }
    }

    @Test
    void anIoctlTheDeviceDoesNotKnowGivesMinusEnotty() {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.open(arena.allocateFrom("/dev/null"), Libc.O_RDWR | Libc.O_CLOEXEC);
            MemorySegment argument = arena.allocate(16);

            int withPointer = Libc.ioctl(fd, 0x00044504L, argument); // IOCTL_EVTCHN_NOTIFY: not /dev/null's
            int withInt = Libc.ioctl(fd, 0x00004505L, 0); // IOCTL_EVTCHN_RESET

            assertEquals(-Errno.ENOTTY.number(), withPointer);
            assertEquals(-Errno.ENOTTY.number(), withInt);
            Libc.close(fd);
        }
    }

    @Test
    void anIoctlWithAPointerFillsTheStruct() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertEquals(0, Libc.pipe2(fds, Libc.O_CLOEXEC | Libc.O_NONBLOCK));
            int readEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            int writeEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            Libc.write(writeEnd, arena.allocateFrom("hello"), 5);
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);

            assertEquals(0, Libc.ioctl(readEnd, FIONREAD, count));

            assertEquals(5, count.get(ValueLayout.JAVA_INT, 0), "FIONREAD: bytes waiting in the pipe");
            Libc.close(readEnd);
            Libc.close(writeEnd);
        }
    }

    @Test
    void pollReportsAReadablePipeAndTimesOutOnAnEmptyOne() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            Libc.pipe2(fds, Libc.O_CLOEXEC | Libc.O_NONBLOCK);
            int readEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            int writeEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            MemorySegment pollfd = arena.allocate(Libc.POLLFD_BYTES, 8);
            pollfd.set(ValueLayout.JAVA_INT, 0, readEnd);
            pollfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);

            int empty = Libc.poll(pollfd, 1, 0);
            Libc.write(writeEnd, arena.allocateFrom("x"), 1);
            int ready = Libc.poll(pollfd, 1, 0);

            assertEquals(0, empty);
            assertEquals(1, ready);
            assertEquals(Libc.POLLIN, pollfd.get(ValueLayout.JAVA_SHORT, 6));
            Libc.close(readEnd);
            Libc.close(writeEnd);
        }
    }

    @Test
    void aSharedMappingIsUsableUntilItsArenaClosesAndThenRefusesAccess() {
        try (Arena paths = Arena.ofConfined()) {
            int fd = Libc.open(paths.allocateFrom("/dev/zero"), Libc.O_RDWR | Libc.O_CLOEXEC);
            long address = Libc.mmap(MemorySegment.NULL, 8192, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
            assertTrue(address > 0, "mmap: " + address);
            int[] unmapped = {1};
            Arena arena = Arena.ofShared();
            MemorySegment pages = Libc.mapped(address, 8192, arena, () -> unmapped[0] = Libc.munmap(address, 8192));

            pages.set(ValueLayout.JAVA_LONG, 4096, 42L);
            long read = pages.get(ValueLayout.JAVA_LONG, 4096);
            arena.close();

            assertEquals(42L, read);
            assertEquals(0, unmapped[0], "munmap ran when the arena closed");
            assertThrows(IllegalStateException.class, () -> pages.get(ValueLayout.JAVA_LONG, 0));
            Libc.close(fd);
        }
    }

    @Test
    void aFailedMmapGivesMinusErrno() {
        long result = Libc.mmap(MemorySegment.NULL, 4096, Libc.PROT_READ, Libc.MAP_SHARED, -1, 0);

        assertEquals(-Errno.EBADF.number(), result);
    }
}
