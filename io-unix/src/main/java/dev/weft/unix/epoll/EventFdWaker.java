package dev.weft.unix.epoll;

import dev.weft.unix.Errno;
import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An eventfd that wakes a blocked epoll_wait: {@link #wakeup()} adds one to its counter, and the
 * engine, which registers it edge-triggered ({@link #EPOLL_EVENTS}), is told of every such write
 * and never reads the counter back.
 *
 * <p>Threading: {@code wakeup()} from any thread at any time, including during and after
 * {@code close()}; {@code close()} on the loop thread.
 *
 * <p><b>Edge-triggered, never read.</b> Every successful write(2) to an eventfd wakes its wait
 * queue, and with EPOLLET each wake queues the eventfd on the epoll ready list again (if it is not
 * there already) whatever the counter held before: a write always makes a new edge, and one
 * epoll_wait reports it once. So a wakeup is never lost, and once reported it is consumed (the
 * counter stays non-zero, but level does not matter under EPOLLET: no busy loop). A level-triggered
 * eventfd had to be read back after each wakeup to stop it being reported again: one more system
 * call per cross-thread wakeup, about 200 ns with this VM's SRSO mitigation (Netty's epoll loop
 * never reads its eventfd either).
 *
 * <p><b>Why the counter cannot overflow.</b> eventfd(2) caps the counter at 2^64 - 2; a write
 * that would pass it fails with EAGAIN and makes no edge. Each wakeup adds 1 and costs a
 * write(2), at least about 100 ns even on a fast machine, and the loop's inbox allows at most one
 * wakeup per time the loop gets ready to block (each followed by an epoll_wait), so reaching the
 * cap takes at least 2^64 x 100 ns, about 58,000 years of wakeups at full speed. Should it happen
 * all the same, the waker that gets EAGAIN resets the counter with a read and writes again, so the
 * edge is still made (any thread may read an eventfd; the loop never does).
 *
 * <p>The danger this class also handles: if close() released the fd while another thread was
 * between deciding to write and writing, the kernel could hand the fd number to a new file, and
 * the wakeup would write eight bytes into it. So every write holds a ticket in {@link #gate}, and
 * close() shuts the gate, then waits for the tickets out before it closes the fd, exactly once.
 * The wait is at most one eventfd write long; nothing on the loop's hot path touches the gate.
 */
final class EventFdWaker implements AutoCloseable {

    /** The events the engine registers the eventfd for: readable, edge-triggered. */
    static final int EPOLL_EVENTS = Libc.EPOLLIN | Libc.EPOLLET;

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
    /**
     * Receives the counter when a waker resets it after EAGAIN (see the class notes). Wakers may
     * read into it at once; the value is never looked at, so their racing writes do not matter.
     */
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

    /** Makes a new edge on the eventfd, waking the poll. Any thread; a no-op once closed. */
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
            if (r == -Errno.EAGAIN.number()) {
                r = writeAfterReset();
            }
            if (r < 0) {
                throw new EpollException("write", "eventfd=" + fd, (int) -r);
            }
        } finally {
            GATE.getAndAdd(this, -1);
        }
    }

    /**
     * The counter is at its cap, so the write made no edge: empties the counter, then writes
     * again. A racing waker may have emptied it first; the read then fails with EAGAIN, harmlessly.
     * Never on the loop's path: see the class notes for why the cap is not reached.
     */
    private long writeAfterReset() {
        long read = Libc.read(fd, sink, Long.BYTES);
        if (read < 0 && read != -Errno.EAGAIN.number()) {
            return read;
        }
        return Libc.write(fd, one, Long.BYTES);
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
