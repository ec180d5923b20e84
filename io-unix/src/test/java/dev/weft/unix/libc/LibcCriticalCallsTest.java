package dev.weft.unix.libc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.unix.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The critical bindings never wait for I/O whatever fd they are given (see {@link Libc}'s class
 * notes): tried on a socket pair made <em>without</em> SOCK_NONBLOCK, where an ordinary recv or
 * send would wait. A critical call that hung would stall every safepoint of the test JVM, the
 * timeout's included, so the 30 s timeout would not end it: the build's own timeout would.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LibcCriticalCallsTest {

    private final Arena arena = Arena.ofShared(); // the test body runs on the timeout's thread
    private int left = -1;
    private int right = -1;

    @BeforeEach
    void blockingPair() {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        assertEquals(0, Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds));
        left = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        right = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
    }

    @AfterEach
    void closePair() {
        Libc.close(left);
        Libc.close(right);
        arena.close();
    }

    @Test
    void recvDontwaitOnAnEmptyBlockingSocketGivesMinusEagainInsteadOfWaiting() {
        MemorySegment buffer = arena.allocate(64);

        assertEquals(-Errno.EAGAIN.number(), Libc.recv_dontwait(right, buffer, buffer.byteSize(), 0));
    }

    @Test
    void sendDontwaitOnAFullBlockingSocketGivesMinusEagainInsteadOfWaiting() {
        MemorySegment chunk = arena.allocate(64 * 1024);
        long result;
        long sent = 0;
        do {
            result = Libc.send_dontwait(left, chunk, chunk.byteSize(), Libc.MSG_NOSIGNAL);
            sent += Math.max(0, result);
        } while (result > 0);

        assertEquals(-Errno.EAGAIN.number(), result);
        assertTrue(sent > 0, "the pair took nothing before it was full");
    }

    @Test
    void recvDontwaitAndSendDontwaitMoveBytesBetweenHeapArrays() {
        byte[] message = "hello".getBytes(StandardCharsets.US_ASCII);
        byte[] received = new byte[16];

        long sent = Libc.send_dontwait(left, MemorySegment.ofArray(message), message.length, Libc.MSG_NOSIGNAL);
        long got = Libc.recv_dontwait(right, MemorySegment.ofArray(received), received.length, 0);

        assertEquals(message.length, sent);
        assertEquals(message.length, got);
        assertArrayEquals(message, java.util.Arrays.copyOf(received, (int) got));
    }

    @Test
    void recvDontwaitOnSomethingThatIsNotASocketGivesMinusEnotsock() {
        int eventfd = Libc.eventfd(1, Libc.EFD_CLOEXEC); // blocking, and readable: read(2) would succeed
        try {
            MemorySegment buffer = arena.allocate(8);

            assertEquals(-Errno.ENOTSOCK.number(), Libc.recv_dontwait(eventfd, buffer, buffer.byteSize(), 0));
        } finally {
            Libc.close(eventfd);
        }
    }

    @Test
    void epollWaitNowReturnsTheReadyEventsAndZeroWhenNoneAreReady() {
        int epfd = epollWatchingRightForInput();
        try {
            MemorySegment events = arena.allocate(16 * 4, 8);

            int before = Libc.epoll_wait_now(epfd, events, 4);
            Libc.send_dontwait(left, arena.allocate(1), 1, Libc.MSG_NOSIGNAL);
            int after = Libc.epoll_wait_now(epfd, events, 4);

            assertEquals(0, before);
            assertEquals(1, after);
        } finally {
            Libc.close(epfd);
        }
    }
    @Test
    void epollWaitUncapturedReturnsTheReadyEventsWithinItsTimeout() {
        int epfd = epollWatchingRightForInput();
        try {
            MemorySegment events = arena.allocate(16 * 4, 8);
            Libc.send_dontwait(left, arena.allocate(1), 1, Libc.MSG_NOSIGNAL);

            assertEquals(1, Libc.epoll_wait_uncaptured(epfd, events, 4, 10_000));
        } finally {
            Libc.close(epfd);
        }
    }

    @Test
    void aFailedEpollWaitUncapturedIsMinusOneAndEpollWaitNowNamesTheErrno() {
        int closed = Libc.eventfd(0, Libc.EFD_CLOEXEC); // closed at once: a number that is no epoll fd
        Libc.close(closed);
        MemorySegment events = arena.allocate(16 * 4, 8);

        assertEquals(-1, Libc.epoll_wait_uncaptured(closed, events, 4, 10_000));
        assertEquals(-Errno.EBADF.number(), Libc.epoll_wait_now(closed, events, 4));
    }

    /** A new epoll fd with {@code right} registered for EPOLLIN. */
    private int epollWatchingRightForInput() {
        int epfd = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        MemorySegment event = arena.allocate(16, 8);
        event.set(ValueLayout.JAVA_INT, 0, Libc.EPOLLIN);
        assertEquals(0, Libc.epoll_ctl(epfd, Libc.EPOLL_CTL_ADD, right, event));
        return epfd;
    }
}
