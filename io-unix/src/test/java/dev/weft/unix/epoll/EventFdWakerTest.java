package dev.weft.unix.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wakeup eventfd as the engine registers it (edge-triggered, never read), watched by an epoll
 * set of the test's own so that each epoll_wait shows whether the eventfd was reported.
 */
class EventFdWakerTest {

    /** eventfd(2)'s largest counter value: a write that would pass it fails with EAGAIN. */
    private static final long COUNTER_CAP = 0xffff_ffff_ffff_fffeL;

    private Arena arena;
    private EventFdWaker waker;
    private int epfd;
    private EpollEvents events;

    @BeforeEach
    void watchTheWakerEdgeTriggered() {
        arena = Arena.ofConfined();
        waker = new EventFdWaker(arena);
        epfd = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        events = new EpollEvents(arena, 1);
        events.set(0, EventFdWaker.EPOLL_EVENTS, 1L);
        assertEquals(0, Libc.epoll_ctl(epfd, Libc.EPOLL_CTL_ADD, waker.fd, events.segment()));
    }

    @AfterEach
    void close() {
        waker.close();
        Libc.close(epfd);
        arena.close();
    }

    @Test
    void eachWakeupIsReportedOnceThoughTheCounterIsNeverReset() {
        waker.wakeup();
        assertEquals(1, reported(), "the first wakeup");
        assertEquals(0, reported(), "reported again: a loop would spin");

        waker.wakeup();
        assertEquals(1, reported(), "a second wakeup, made while the counter was already non-zero");
        assertEquals(0, reported(), "the second wakeup reported again");
    }

    @Test
    void aWakeupWithTheCounterAtItsCapResetsItAndIsStillReported() {
        write(COUNTER_CAP);
        assertEquals(1, reported(), "the test's own write to the cap");

        waker.wakeup();

        assertEquals(1, reported(), "the wakeup at the cap made no edge: it would be lost");
        assertEquals(1L, readCounter(), "the counter was not reset before the wakeup's write");
    }

    /** How many events a non-blocking epoll_wait reports: 1 if the eventfd has a new edge, else 0. */
    private int reported() {
        int n = Libc.epoll_wait_now(epfd, events.segment(), 1);
        assertEquals(true, n >= 0, "epoll_wait failed: " + n);
        return n;
    }

    private void write(long value) {
        MemorySegment buffer = arena.allocate(ValueLayout.JAVA_LONG);
        buffer.set(ValueLayout.JAVA_LONG, 0, value);
        assertEquals(Long.BYTES, Libc.write(waker.fd, buffer, Long.BYTES));
    }

    private long readCounter() {
        MemorySegment buffer = arena.allocate(ValueLayout.JAVA_LONG);
        assertEquals(Long.BYTES, Libc.read(waker.fd, buffer, Long.BYTES));
        return buffer.get(ValueLayout.JAVA_LONG, 0);
    }
}
