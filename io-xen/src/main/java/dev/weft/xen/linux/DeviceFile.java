package dev.weft.xen.linux;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * One open Linux Xen device file and the calls made on it, each failure an {@link
 * ErrnoException} naming the device and what was asked (for example {@code
 * ioctl(/dev/xen/evtchn IOCTL_EVTCHN_NOTIFY, port 7): ENOTCONN}). Loop thread only; {@link
 * #close()} is idempotent.
 */
final class DeviceFile implements AutoCloseable {

    /** Room for the fixed-size request structs (the largest, unmap-notify and friends, is 16 bytes). */
    private static final long ARGUMENT_BYTES = 16;

    final Path path;
    final int fd;
    /** The argument of the device's fixed-size ioctls, reused call after call (loop thread only). */
    final MemorySegment argument;
    private final Arena arena = Arena.ofShared();
    private boolean closed;

    private DeviceFile(Path path, int fd) {
        this.path = path;
        this.fd = fd;
        this.argument = arena.allocate(ARGUMENT_BYTES, 8);
    }

    /**
     * Opens {@code path} read-write and close-on-exec, and non-blocking if asked.
     *
     * @throws NotInXenDomainException if the file or its driver is missing (ENOENT, ENODEV, ENXIO)
     * @throws ErrnoException for any other failure (EACCES: the devices are root's)
     */
    static DeviceFile open(Path path, boolean nonBlocking) {
        int flags = Libc.O_RDWR | Libc.O_CLOEXEC | (nonBlocking ? Libc.O_NONBLOCK : 0);
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.open(arena.allocateFrom(path.toString()), flags);
        }
        if (fd < 0) {
            ErrnoException failure = ErrnoException.of("open", path.toString(), -fd);
            Errno errno = failure.errno();
            if (errno == Errno.ENOENT || errno == Errno.ENODEV || errno == Errno.ENXIO) {
                throw new NotInXenDomainException(path, failure);
            }
            throw failure;
        }
        return new DeviceFile(path, fd);
    }

    /** An ioctl that takes a struct; returns the kernel's non-negative result. */
    int ioctl(String request, long number, MemorySegment argument, String detail) {
        return check(Libc.ioctl(fd, number, argument), request, detail);
    }

    /**
     * SET_UNMAP_NOTIFY, whose struct gntalloc and gntdev share ({@code index, action,
     * event_channel_port}): for the page holding byte {@code index} of the device's offsets.
     */
    void setUnmapNotify(String request, long number, long index, int action, int port) {
        argument.fill((byte) 0);
        argument.set(ValueLayout.JAVA_LONG, 0, index);
        argument.set(ValueLayout.JAVA_INT, 8, action);
        argument.set(ValueLayout.JAVA_INT, 12, port);
        ioctl(request, number, argument, "offset " + index + ", action " + action + ", port " + port);
    }

    /** An {@code {u64 index; u32 count; u32 pad}} request (DEALLOC_GREF, UNMAP_GRANT_REF). */
    void releaseRange(String request, long number, long index, int pages) {
        argument.fill((byte) 0);
        argument.set(ValueLayout.JAVA_LONG, 0, index);
        argument.set(ValueLayout.JAVA_INT, 8, pages);
        ioctl(request, number, argument, "index " + index + ", " + pages + " pages");
    }

    /** An ioctl that takes no argument. */
    int ioctl(String request, long number, String detail) {
        return check(Libc.ioctl(fd, number, 0), request, detail);
    }

    /** Maps {@code length} bytes at the device offset {@code offset}, shared; returns the address. */
    long mmap(long length, boolean writable, long offset, String detail) {
        int protection = Libc.PROT_READ | (writable ? Libc.PROT_WRITE : 0);
        long address = Libc.mmap(MemorySegment.NULL, length, protection, Libc.MAP_SHARED, fd, offset);
        if (address < 0) {
            throw ErrnoException.of("mmap", path + ", " + detail + ", offset " + offset + ", " + length + " bytes",
                    (int) -address);
        }
        return address;
    }

    /** The error an ioctl's negative result stands for. */
    ErrnoException failure(int result, String request, String detail) {
        return ErrnoException.of("ioctl", path + " " + request + (detail.isEmpty() ? "" : ", " + detail), -result);
    }

    private int check(int result, String request, String detail) {
        if (result < 0) {
            throw failure(result, request, detail);
        }
        return result;
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes the fd and frees the argument buffer. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
            int r = Libc.close(fd);
            if (r < 0) {
                throw ErrnoException.of("close", path + ", fd=" + fd, -r);
            }
        }
    }

    @Override
    public String toString() {
        return path + "[fd=" + fd + (closed ? ", closed]" : "]");
    }
}
