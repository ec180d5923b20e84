package dev.weft.xen.linux;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * One open Linux Xen device file and the calls made on it, each failure an {@link
 * ErrnoException} naming the device and what was asked (for example {@code
 * ioctl(/dev/xen/evtchn IOCTL_EVTCHN_NOTIFY, port 7): ENOTCONN}). Loop thread only; {@link
 * #close()} is idempotent.
 */
final class DeviceFile implements AutoCloseable {

    final Path path;
    final int fd;
    private boolean closed;

    private DeviceFile(Path path, int fd) {
        this.path = path;
        this.fd = fd;
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

    @Override
    public void close() {
        if (!closed) {
            closed = true;
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
