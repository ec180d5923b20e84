package dev.weft.unix.epoll;

import static dev.weft.loop.Engine.ERROR;
import static dev.weft.loop.Engine.READABLE;
import static dev.weft.loop.Engine.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.unix.Errno;
import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What only the epoll engine does; the shared behaviour is in EngineContractTest. */
class EpollEngineTest {

    @Test
    void pollOnAVirtualThreadFailsFastInsteadOfPinningItsCarrier() throws Exception {
        try (EpollEngine engine = new EpollEngine()) {
            Throwable[] thrown = {null};
            Thread virtual = Thread.ofVirtual().start(() -> {
                try {
                    engine.poll(0);
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            virtual.join();
            assertTrue(thrown[0] instanceof IllegalStateException, String.valueOf(thrown[0]));
            assertTrue(thrown[0].getMessage().contains("platform thread"), thrown[0].getMessage());
        }
    }

    @Test
    void eventfdIsReportedReadableAfterAWrite() {
        int eventfd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        try (EpollEngine engine = new EpollEngine(); Arena arena = Arena.ofConfined()) {
            List<Integer> seen = new ArrayList<>();
            engine.register(eventfd, READABLE, seen::add);
            signal(eventfd, arena);

            engine.poll(TimeUnit.SECONDS.toNanos(10));

            assertEquals(List.of(READABLE), seen);
            engine.unregister(eventfd);
        } finally {
            Libc.close(eventfd);
        }
    }

    @Test
    void registeringAClosedFdThrowsEbadfNamingTheCall() {
        try (EpollEngine engine = new EpollEngine()) {
            // Closed after the engine exists, or the engine's own epoll fd would take its number.
            int fd = closedFd();

            EpollException e = assertThrows(EpollException.class,
                    () -> engine.register(fd, READABLE, ready -> { }));

            assertEquals(Errno.EBADF, e.errno());
            assertEquals("epoll_ctl(ADD, fd=" + fd + "): EBADF (fd already closed?)", e.getMessage());
        }
    }

    @Test
    void aFailedRegistrationLeavesTheFdUnregistered() {
        try (EpollEngine engine = new EpollEngine()) {
            // Closed after the engine exists, or the engine's own epoll fd would take its number.
            int fd = closedFd();
            assertThrows(EpollException.class, () -> engine.register(fd, READABLE, ready -> { }));

            assertThrows(IllegalStateException.class, () -> engine.unregister(fd));
        }
    }

    @Test
    void aNegativeFdIsRefusedWithEbadf() {
        try (EpollEngine engine = new EpollEngine()) {
            EpollException e = assertThrows(EpollException.class, () -> engine.register(-1, READABLE, ready -> { }));

            assertEquals(Errno.EBADF, e.errno());
        }
    }

    @Test
    void anFdNumberedAboveEveryEarlierOneIsRegisteredAndDispatched() {
        // The registrations are an array indexed by fd that starts short: hold enough fds open
        // that the last one's number lies beyond its first length.
        List<Integer> held = new ArrayList<>();
        try (EpollEngine engine = new EpollEngine(); Arena arena = Arena.ofConfined()) {
            int fd;
            do {
                fd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
                assertTrue(fd >= 0, "eventfd failed: errno " + -fd);
                held.add(fd);
            } while (fd < 200);
            List<Integer> seen = new ArrayList<>();
            engine.register(fd, READABLE, seen::add);
            signal(fd, arena);

            engine.poll(TimeUnit.SECONDS.toNanos(10));

            assertEquals(List.of(READABLE), seen);
            engine.unregister(fd);
        } finally {
            held.forEach(Libc::close);
        }
    }

    /** Adds 1 to the eventfd's counter, which makes it readable. */
    private static void signal(int eventfd, Arena arena) {
        MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        assertEquals(Long.BYTES, Libc.write(eventfd, one, Long.BYTES));
    }

    private static int closedFd() {
        int fd = Libc.eventfd(0, Libc.EFD_CLOEXEC);
        Libc.close(fd);
        return fd;
    }

    @Test
    void pollNeverReturnsBeforeItsTimeout() {
        try (EpollEngine engine = new EpollEngine()) {
            long timeout = 300_000; // 0.3 ms: must block, not become a 0 ms non-blocking poll
            long start = System.nanoTime();

            engine.poll(timeout);

            assertTrue(System.nanoTime() - start >= timeout);
        }
    }

    @Test
    void peerCloseIsReportedAsReadableWithError() {
        try (EpollEngine engine = new EpollEngine(); Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK, 0, fds);
            int mine = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            List<Integer> seen = new ArrayList<>();
            engine.register(mine, READABLE, seen::add);

            Libc.close(fds.getAtIndex(ValueLayout.JAVA_INT, 1));
            engine.poll(TimeUnit.SECONDS.toNanos(10));

            assertEquals(List.of(READABLE | ERROR), seen);
            engine.unregister(mine);
            Libc.close(mine);
        }
    }

    @Test
    void aSmallEventArrayReportsTheRestOnTheNextPoll() {
        try (EpollEngine engine = new EpollEngine(1); Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK, 0, fds);
            int a = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            int b = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            engine.register(a, dev.weft.loop.Engine.WRITABLE, ready -> { });
            engine.register(b, dev.weft.loop.Engine.WRITABLE, ready -> { });

            int first = engine.poll(0);
            int second = engine.poll(0);

            assertEquals(1, first);
            assertEquals(1, second);
            engine.unregister(a);
            engine.unregister(b);
            Libc.close(a);
            Libc.close(b);
        }
    }

    @Test
    void readinessMapsEveryCombinationOfEpollBitsAsDocumented() {
        int[] bits = {Libc.EPOLLIN, Libc.EPOLLOUT, Libc.EPOLLERR, Libc.EPOLLHUP, Libc.EPOLLRDHUP};
        int unrelated = 0x002 | 0x040 | 0x100; // EPOLLPRI, EPOLLRDNORM's neighbours: never reported
        for (int combination = 0; combination < 1 << bits.length; combination++) {
            int events = 0;
            for (int i = 0; i < bits.length; i++) {
                if ((combination & (1 << i)) != 0) {
                    events |= bits[i];
                }
            }
            boolean failed = (events & (Libc.EPOLLERR | Libc.EPOLLHUP)) != 0;
            int expected = ((events & (Libc.EPOLLIN | Libc.EPOLLRDHUP)) != 0 || failed ? READABLE : 0)
                    | ((events & Libc.EPOLLOUT) != 0 || failed ? WRITABLE : 0)
                    | (failed ? ERROR : 0);

            assertEquals(expected, EpollEngine.readiness(events), "epoll events 0x" + Integer.toHexString(events));
            assertEquals(expected, EpollEngine.readiness(events | unrelated),
                    "epoll events 0x" + Integer.toHexString(events | unrelated));
        }
    }

    @Test
    void aTimedPollWithNothingReadyReturnsHavingCalledNoHandler() {
        int eventfd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        try (EpollEngine engine = new EpollEngine()) {
            List<Integer> seen = new ArrayList<>();
            engine.register(eventfd, READABLE, seen::add);

            assertEquals(0, engine.poll(TimeUnit.MILLISECONDS.toNanos(2)));

            assertEquals(List.of(), seen);
            engine.unregister(eventfd);
        } finally {
            Libc.close(eventfd);
        }
    }

    @Test
    void epollEventLayoutMatchesTheAbi() {
        boolean x86 = System.getProperty("os.arch").equals("amd64");

        assertEquals(x86 ? 12 : 16, EpollEvents.SIZE);
        assertEquals(x86 ? 4 : 8, EpollEvents.DATA_OFFSET);
    }
}
