package dev.weft.unix;

/**
 * The Linux error numbers Weft's system calls can report, with a short hint at the usual cause.
 *
 * <p>Immutable and safe from any thread. The numbers are Linux's generic ones (x86_64, aarch64,
 * riscv64 share them); other kernels number errors differently, which is one reason the native
 * engine and sockets are Linux-only. A number this enum does not list maps to {@link #UNKNOWN};
 * {@link ErrnoException#errnoValue()} still carries the raw number.
 */
public enum Errno {
    /** Operation not permitted. */
    EPERM(1, "not permitted"),
    /** No such file or directory; for epoll_ctl, the fd is not registered. */
    ENOENT(2, "no such file, or fd not registered?"),
    /** Interrupted by a signal before anything happened; the call may simply be retried. */
    EINTR(4, "interrupted by a signal; retry"),
    /** Low-level I/O error. */
    EIO(5, "I/O error"),
    /** No such device or address: the device exists but nothing answers behind it. */
    ENXIO(6, "no such device or address"),
    /** Bad file descriptor. */
    EBADF(9, "fd already closed?"),
    /** Resource temporarily unavailable (also EWOULDBLOCK): a non-blocking call found nothing to do. */
    EAGAIN(11, "would block; wait for readiness"),
    /** Out of kernel memory. */
    ENOMEM(12, "out of kernel memory"),
    /** Permission denied. */
    EACCES(13, "permission denied"),
    /** Bad address: a pointer passed to the kernel is invalid. */
    EFAULT(14, "bad address; buffer freed?"),
    /** Resource busy. */
    EBUSY(16, "busy"),
    /** Already exists; for epoll_ctl, the fd is already registered. */
    EEXIST(17, "already exists, or fd already registered?"),
    /** No such device: the driver behind the file is not there (for /dev/xen/*: not in a Xen domain?). */
    ENODEV(19, "no such device; driver not loaded?"),
    /** Not a directory. */
    ENOTDIR(20, "not a directory"),
    /** Invalid argument. */
    EINVAL(22, "invalid argument"),
    /** The system-wide open file limit was reached. */
    ENFILE(23, "system file table full"),
    /** The per-process open file limit was reached. */
    EMFILE(24, "too many open files; raise ulimit -n or close fds"),
    /** Inappropriate ioctl for this device: the driver does not know the request. */
    ENOTTY(25, "ioctl not known to this device or kernel version"),
    /** File too large; for /dev/xen/evtchn, its report ring overflowed. */
    EFBIG(27, "too large (for /dev/xen/evtchn: report ring overflowed)"),
    /** No space left on device. */
    ENOSPC(28, "no space left (for epoll: max_user_watches reached?)"),
    /** Broken pipe: the reading end is closed. */
    EPIPE(32, "peer closed its end; write after shutdown?"),
    /** File name too long. */
    ENAMETOOLONG(36, "name too long (Unix socket paths are limited to 107 bytes)"),
    /** The kernel does not implement the call. */
    ENOSYS(38, "not implemented by this kernel"),
    /** Socket operation on a file descriptor that is not a socket. */
    ENOTSOCK(88, "not a socket"),
    /** Message too long for the socket type. */
    EMSGSIZE(90, "message too long"),
    /** Protocol not available: the option is unknown at this level. */
    ENOPROTOOPT(92, "option not supported by this protocol"),
    /** Protocol not supported. */
    EPROTONOSUPPORT(93, "protocol not supported"),
    /** Operation not supported on this socket. */
    EOPNOTSUPP(95, "operation not supported on this socket"),
    /** Address family not supported. */
    EAFNOSUPPORT(97, "address family not supported (IPv6 disabled?)"),
    /** Address already in use. */
    EADDRINUSE(98, "address in use; another socket bound to it, or SO_REUSEADDR not set?"),
    /** The address is not local to this host. */
    EADDRNOTAVAIL(99, "address not available on this host"),
    /** Network is down. */
    ENETDOWN(100, "network down"),
    /** Network is unreachable. */
    ENETUNREACH(101, "network unreachable"),
    /** The connection was aborted before it was accepted. */
    ECONNABORTED(103, "connection aborted"),
    /** The peer reset the connection. */
    ECONNRESET(104, "peer reset the connection"),
    /** No buffer space available. */
    ENOBUFS(105, "no buffer space"),
    /** The socket is already connected. */
    EISCONN(106, "already connected"),
    /** The socket is not connected. */
    ENOTCONN(107, "not connected"),
    /** The connection timed out. */
    ETIMEDOUT(110, "connection timed out"),
    /** Nothing is listening at the address. */
    ECONNREFUSED(111, "nothing listening there?"),
    /** No route to host. */
    EHOSTUNREACH(113, "host unreachable"),
    /** A non-blocking connect is already in progress. */
    EALREADY(114, "connect already in progress"),
    /** A non-blocking connect has started; wait for writability, then check SO_ERROR. */
    EINPROGRESS(115, "connect in progress; wait for writability"),
    /** Any error number this enum does not name. */
    UNKNOWN(-1, "unknown error");

    private static final Errno[] BY_NUMBER = indexByNumber();

    private final int number;
    private final String hint;

    Errno(int number, String hint) {
        this.number = number;
        this.hint = hint;
    }

    /** The error number as the kernel reports it, or {@code -1} for {@link #UNKNOWN}. */
    public int number() {
        return number;
    }

    /** A few words on the usual cause, for error messages. */
    public String hint() {
        return hint;
    }

    /**
     * The constant for a kernel error number.
     *
     * @param number a positive errno value
     * @return its constant, or {@link #UNKNOWN} if this enum does not name it
     */
    public static Errno of(int number) {
        return number > 0 && number < BY_NUMBER.length && BY_NUMBER[number] != null
                ? BY_NUMBER[number]
                : UNKNOWN;
    }

    private static Errno[] indexByNumber() {
        Errno[] table = new Errno[128];
        for (Errno e : values()) {
            if (e.number > 0) {
                table[e.number] = e;
            }
        }
        return table;
    }
}
