package dev.weft.unix.epoll;

import dev.weft.unix.Errno;
import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An eventfd that wakes a blocked epoll_wait: {@link #wakeup()} adds one to its counter (making
 * it readable), the loop thread {@link #drain()}s it after epoll reports it.
 *
 * <p>Threading: {@code wakeup()} from any thread at any time, including during and after
 * {@code close()}; everything else on the loop thread.
 *
 * <p>The danger this class exists to handle: if close() released the fd while another thread was
 * between deciding to write and writing, the kernel could hand the fd number to a new file, and
 * the wakeup would write eight bytes into it. So every write holds a ticket in {@link #gate}, and
 * close() shuts the gate, then waits for the tickets out before it closes the fd. The wait is at
 * most one eventfd write long; nothing on the loop's hot path touches the gate.
 */
final class EventFdWaker implements AutoCloseable {

    private static final int CLOSED = Integer.MIN_VALUE;
    private static final VarHandle GATE;

    static {
        try {
            GATE = MethodHandles.lookup().findVarHandle(EventFdWaker.class, "gate", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The eventfd, non-blocking and close-on-exec. */
    final int fd;
    /** Holds the value 1; written once here, then only read (by any thread's write(2)). */
    private final MemorySegment one;
    /** Receives the drained counter; loop thread only. */
    private final MemorySegment sink;
    /**
     * Sign bit: closed. Other bits: wakeups between the gate and their write(2). Accessed only
     * through {@link #GATE} with volatile (CAS / getAndAdd) semantics: the closer must see every
     * ticket taken before it shut the gate, and a waker must see the gate shut.
     */
    @SuppressWarnings("unused")
    private int gate;

    EventFdWaker(Arena arena) {
        int created = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (created < 0) {
            throw new EpollException("eventfd", "0, EFD_NONBLOCK|EFD_CLOEXEC", -created);
        }
        this.fd = created;
        this.one = arena.allocate(ValueLayout.JAVA_LONG);
        this.one.set(ValueLayout.JAVA_LONG, 0, 1L);
        this.sink = arena.allocate(ValueLayout.JAVA_LONG);
    }

    /** Makes the eventfd readable. Any thread; a no-op once closed. */
    void wakeup() {
        int state;
        do {
            state = (int) GATE.getVolatile(this);
            if (state < 0) {
                return;
            }
        } while (!GATE.compareAndSet(this, state, state + 1));
        try {
            long r = Libc.write(fd, one, Long.BYTES);
            // EAGAIN means the counter is near 2^64: the fd is as readable as it can be.
            if (r < 0 && r != -Errno.EAGAIN.number()) {
                throw new EpollException("write", "eventfd=" + fd, (int) -r);
            }
        } finally {
            GATE.getAndAdd(this, -1);
        }
    }

    /** Resets the counter so the eventfd stops being readable. Loop thread only. */
    void drain() {
        long r = Libc.read(fd, sink, Long.BYTES);
        // EAGAIN: another drain in this batch already emptied it; harmless.
        if (r < 0 && r != -Errno.EAGAIN.number()) {
            throw new EpollException("read", "eventfd=" + fd, (int) -r);
        }
    }

    /** Shuts the gate, waits for in-flight wakeups, closes the fd. Loop thread; idempotent. */
    @Override
    public void close() {
        int before = (int) GATE.getAndBitwiseOr(this, CLOSED);
        if (before < 0) {
            return;
        }
        while (((int) GATE.getVolatile(this) & ~CLOSED) != 0) {
            Thread.onSpinWait();
        }
        Libc.close(fd);
    }
}
