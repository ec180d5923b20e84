package dev.weft.xen.sim;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The eventfd that makes a model device pollable: readable while the device has reports. It
 * stands for the kernel's wait queue on {@code /dev/xen/evtchn}.
 *
 * <p>Threading: not thread-safe by itself; the owning device calls every method under its ring
 * lock, which is also what keeps {@link #signal()} from writing to an fd number that {@link
 * #close()} has released and the kernel has handed to another file.
 */
final class SimEventFd {
    private final Arena arena = Arena.ofShared();
    /** Eight bytes: the value written, or the counter read back. */
    private final MemorySegment word = arena.allocate(ValueLayout.JAVA_LONG);
    /** The eventfd, non-blocking and close-on-exec. */
    final int fd;

    SimEventFd() {
        int created = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (created < 0) {
            arena.close();
            throw new ErrnoException("eventfd", "for a model event-channel device", -created);
        }
        this.fd = created;
    }

    /** Makes the fd readable. */
    void signal() {
        word.set(ValueLayout.JAVA_LONG, 0, 1L);
        long r = Libc.write(fd, word, Long.BYTES);
        // EAGAIN: the counter is near 2^64, the fd as readable as it gets.
        if (r < 0 && r != -Errno.EAGAIN.number()) {
            throw new ErrnoException("write", "eventfd=" + fd, (int) -r);
        }
    }

    /** Makes the fd unreadable (reads the counter back to zero). */
    void drain() {
        long r = Libc.read(fd, word, Long.BYTES);
        if (r < 0 && r != -Errno.EAGAIN.number()) {
            throw new ErrnoException("read", "eventfd=" + fd, (int) -r);
        }
    }

    /** Closes the fd and frees the word. */
    void close() {
        Libc.close(fd);
        arena.close();
    }
}
