package dev.weft.unix.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls to the Linux C library, named exactly as in the man pages so a reader can look them
 * up; each returns the C result, or {@code -errno} where C would return {@code -1}.
 *
 * <p>Threading: every method may be called from any thread; errno is captured into that thread's
 * {@link Scratch}. Whether concurrent calls on one fd make sense is the caller's business.
 *
 * <p><b>Critical calls.</b> Three bindings use {@link Linker.Option#critical}: {@link
 * #recv_dontwait}, {@link #send_dontwait} and {@link #epoll_wait_now}, the calls a loop makes per
 * request. A critical downcall skips the thread-state transitions to and
 * from native code (and the safepoint poll on return), so while it runs the thread still counts
 * as running Java: a safepoint (a GC, a deoptimisation, a thread dump) that is requested meanwhile
 * waits until the call returns, and so does every other Java thread that has already stopped for
 * it. That is harmless for a call that cannot block, and a stall of the whole JVM for one that
 * can. So each critical binding never waits for I/O <em>by construction</em>, not by the
 * caller's care: the two socket calls add {@code MSG_DONTWAIT} to the flags themselves, so a
 * blocking socket (or a caller that forgot O_NONBLOCK) gets EAGAIN rather than a wait, and
 * anything that is not a socket gets ENOTSOCK; {@code epoll_wait_now} passes timeout 0 itself.
 * They can still sleep briefly inside the kernel (a socket lock another thread holds, memory
 * reclaim while allocating a buffer, a page fault while copying), which then delays a safepoint
 * by as long: a risk accepted for these three, bounded and rare on a loop's own sockets.
 * {@code epoll_ctl} is not critical: an ADD allocates and calls the fd's driver (a Xen device's,
 * say), more kernel work for the same nanosecond saved, and it is not made per request once a
 * connection is registered. Every other call, including
 * {@code read}, {@code write} and a timed {@code epoll_wait}, stays an ordinary downcall, as it
 * may be given a blocking fd (FileFlow reads files on its blocking pool) or wait. Every binding
 * captures errno but the timed {@code epoll_wait} ({@link #epoll_wait_uncaptured} says why). Errno capture combines
 * with critical (JDK 22 and later). The two socket calls are bound with {@code critical(true)},
 * so they also accept a heap segment (a {@code byte[]}), which lets a parser receive straight
 * into its array; the GC cannot move the array during the call because no GC can start during it.
 *
 * <p>Why, in numbers ({@code LibcCallBench}, CPU time per call from {@code -prof
 * dev.weft.bench.profile.ThreadCpuProfiler}, 2026-12-05 on 2 CPUs under load average 14-17;
 * {@code -prof perfnorm} finds no hardware counters in this VM; table and command in
 * docs/performance.md, "Foreign calls"): the JVM's own part of a downcall, measured on {@code
 * labs}, which never enters the kernel, is 9.4 ns with errno capture (6.7 ns without; the capture
 * is the dearer option), and {@code critical} takes 1.1 to 1.3 ns off it (8.4 ns), in two runs
 * with error bars under a third of that. A segment argument from a shared arena (a {@code
 * BufferPool} buffer) adds about 2.5 ns (the JVM acquires and releases the arena around the call),
 * one from an automatic arena nothing measurable. Heap access costs nothing measurable over plain
 * {@code critical}. Against the system call itself the saving is small: {@code recv} of an empty
 * socket costs 380 ns of CPU here, {@code epoll_wait} with one ready fd 495 ns, {@code
 * epoll_ctl(MOD)} 410 ns, so critical saves about 0.3% of each; it is kept for the three calls
 * that cannot wait for I/O as bound, which the loop makes two or three of per request.
 *
 * <p>The constants are Linux's generic ABI values (x86_64, aarch64, riscv64), except {@link
 * #SIOCOUTQ}, which is looked up per architecture.
 */
public final class Libc {

    /** {@code epoll_create1} flag: close the epoll fd on exec. */
    public static final int EPOLL_CLOEXEC = 0x80000;
    /** {@code epoll_ctl} operation: add an fd. */
    public static final int EPOLL_CTL_ADD = 1;
    /** {@code epoll_ctl} operation: remove an fd. */
    public static final int EPOLL_CTL_DEL = 2;
    /** {@code epoll_ctl} operation: change an fd's events. */
    public static final int EPOLL_CTL_MOD = 3;
    /** epoll event: readable. */
    public static final int EPOLLIN = 0x001;
    /** epoll event: writable. */
    public static final int EPOLLOUT = 0x004;
    /** epoll event: error condition (always reported). */
    public static final int EPOLLERR = 0x008;
    /** epoll event: hang-up (always reported). */
    public static final int EPOLLHUP = 0x010;
    /** epoll event: the peer shut down its writing half. */
    public static final int EPOLLRDHUP = 0x2000;
    /** epoll flag: edge-triggered, reported once per new event rather than while the state lasts. */
    public static final int EPOLLET = 1 << 31;

    /** {@code eventfd} flag: non-blocking reads and writes. */
    public static final int EFD_NONBLOCK = 0x800;
    /** {@code eventfd} flag: close on exec. */
    public static final int EFD_CLOEXEC = 0x80000;

    /** Address family: Unix domain sockets. */
    public static final int AF_UNIX = 1;
    /** Address family: IPv4. */
    public static final int AF_INET = 2;
    /** Address family: IPv6. */
    public static final int AF_INET6 = 10;
    /** Socket type: stream (TCP). */
    public static final int SOCK_STREAM = 1;
    /** Socket type: datagram (UDP). */
    public static final int SOCK_DGRAM = 2;
    /** {@code socket}/{@code accept4} flag: non-blocking. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** {@code socket}/{@code accept4} flag: close on exec. */
    public static final int SOCK_CLOEXEC = 0x80000;

    /** Option level: the socket itself. */
    public static final int SOL_SOCKET = 1;
    /** {@code SOL_SOCKET} option: allow binding an address in TIME_WAIT. */
    public static final int SO_REUSEADDR = 2;
    /** {@code SOL_SOCKET} option: read and clear the pending error. */
    public static final int SO_ERROR = 4;
    /** {@code SOL_SOCKET} option: send buffer size. */
    public static final int SO_SNDBUF = 7;
    /** {@code SOL_SOCKET} option: receive buffer size. */
    public static final int SO_RCVBUF = 8;
    /** {@code SOL_SOCKET} option: TCP keep-alive probes. */
    public static final int SO_KEEPALIVE = 9;
    /** {@code SOL_SOCKET} option: linger on close ({@code struct linger}). */
    public static final int SO_LINGER = 13;
    /** {@code SOL_SOCKET} option: several sockets may bind one port (kernel load-balances). */
    public static final int SO_REUSEPORT = 15;
    /** Option level: TCP. */
    public static final int IPPROTO_TCP = 6;
    /** {@code IPPROTO_TCP} option: disable Nagle's algorithm. */
    public static final int TCP_NODELAY = 1;
    /** Option level: IPv6. */
    public static final int IPPROTO_IPV6 = 41;
    /** {@code IPPROTO_IPV6} option: accept only IPv6 on an IPv6 socket. */
    public static final int IPV6_V6ONLY = 26;

    /** {@code shutdown}: stop reading. */
    public static final int SHUT_RD = 0;
    /** {@code shutdown}: stop writing (sends FIN). */
    public static final int SHUT_WR = 1;
    /** {@code recv}/{@code send} flag: this call does not block, whatever the fd's mode. */
    public static final int MSG_DONTWAIT = 0x40;
    /** {@code send} flag: return EPIPE instead of raising SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /**
     * {@code ioctl} on a TCP socket ({@code TIOCOUTQ}): bytes written that the peer has not
     * acknowledged yet, sent or not. On a Unix socket it answers the send buffer's memory in use,
     * headers included, which is not a byte count. Unlike the other constants here its number
     * differs between architectures, so it is looked up by {@code os.arch} ({@link
     * #siocoutqFor}); it is {@code -1} on an architecture that table does not know, and then no
     * socket asks the kernel (SocketFlow's watch of unacknowledged output is off there).
     */
    public static final long SIOCOUTQ = siocoutqFor(System.getProperty("os.arch"));

    /** {@code open} flag: read and write. */
    public static final int O_RDWR = 0x2;
    /** {@code open}/{@code pipe2} flag: non-blocking reads and writes (EAGAIN instead of waiting). */
    public static final int O_NONBLOCK = 0x800;
    /** {@code open}/{@code pipe2} flag: close on exec. */
    public static final int O_CLOEXEC = 0x80000;

    /** {@code mmap} protection: pages may be read. */
    public static final int PROT_READ = 0x1;
    /** {@code mmap} protection: pages may be written. */
    public static final int PROT_WRITE = 0x2;
    /** {@code mmap} flag: writes go to the underlying object and are seen by every mapping of it. */
    public static final int MAP_SHARED = 0x1;
    /** {@code mmap} flag: fault the pages in now rather than on first touch. */
    public static final int MAP_POPULATE = 0x8000;

    /**
     * System call number of {@code io_uring_setup(2)}. The io_uring calls came after Linux unified
     * its system call numbers, so they are the same on every architecture Weft's native bindings
     * support (x86_64, aarch64, riscv64; alpha and MIPS number them differently).
     */
    public static final long SYS_io_uring_setup = 425;
    /** System call number of {@code io_uring_enter(2)}; see {@link #SYS_io_uring_setup}. */
    public static final long SYS_io_uring_enter = 426;

    /** {@code poll} event: readable. */
    public static final short POLLIN = 0x001;
    /** {@code poll} event: writable. */
    public static final short POLLOUT = 0x004;
    /** {@code poll} event: error (always reported). */
    public static final short POLLERR = 0x008;
    /** {@code poll} event: hang-up (always reported). */
    public static final short POLLHUP = 0x010;
    /** {@code sizeof(struct pollfd)}: {@code int fd; short events; short revents;}. */
    public static final int POLLFD_BYTES = 8;

    /**
     * {@code SIOCOUTQ}'s number on the architecture Java calls {@code osArch}, or {@code -1} if
     * it is not known here. Most architectures take asm-generic/ioctls.h's {@code 0x5411}; MIPS
     * has its own {@code 0x7472}; PowerPC and SPARC encode {@code _IOR('t', 115, int)} with their
     * three-bit direction field ({@code 0x40047473}).
     */
    static long siocoutqFor(String osArch) {
        return switch (osArch) {
            case "amd64", "x86_64", "x86", "i386", "i486", "i586", "i686", "aarch64", "arm",
                 "riscv64", "s390x", "loongarch64" -> 0x5411;
            case "mips", "mipsel", "mips64", "mips64el" -> 0x7472;
            case "ppc", "ppc64", "ppc64le", "sparc", "sparcv9" -> 0x40047473;
            case null, default -> -1;
        };
    }

    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", JAVA_INT, JAVA_INT);
    // Not critical: ADD allocates and polls the fd's driver, and can sleep in the kernel meanwhile.
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    // No errno capture: the loop's blocking wait, made once per iteration, fails only when a
    // signal interrupts it (EINTR) or the engine is broken; epoll_wait_uncaptured says how it learns which.
    private static final MethodHandle EPOLL_WAIT_UNCAPTURED =
            bind("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    // Critical, for epoll_wait_now only: its timeout is always 0.
    private static final MethodHandle EPOLL_WAIT_CRITICAL =
            criticalDowncall("epoll_wait", false, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    // Critical, with heap access, for recv_dontwait and send_dontwait only: MSG_DONTWAIT always set.
    private static final MethodHandle RECV_CRITICAL =
            criticalDowncall("recv", true, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND_CRITICAL =
            criticalDowncall("send", true, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle EVENTFD = downcall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = downcall("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = downcall("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle READV = downcall("readv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle WRITEV = downcall("writev", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle CLOSE = downcall("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKET = downcall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKETPAIR =
            downcall("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle BIND = downcall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = downcall("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle ACCEPT4 =
            downcall("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle CONNECT = downcall("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKOPT =
            downcall("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT =
            downcall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME =
            downcall("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETPEERNAME =
            downcall("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SHUTDOWN = downcall("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SEND =
            downcall("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SENDTO =
            downcall("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVFROM =
            downcall("recvfrom", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    // open and ioctl are variadic in C: the trailing argument is declared as such (firstVariadicArg)
    // so the call follows the variadic calling convention, as a C caller's would.
    private static final MethodHandle OPEN = variadicDowncall("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle IOCTL_POINTER =
            variadicDowncall("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle IOCTL_INT = variadicDowncall("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle MMAP =
            downcall("mmap", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle MUNMAP = downcall("munmap", JAVA_INT, ADDRESS, JAVA_LONG);
    // syscall(2) is variadic after the number; every argument is passed as a long, as the C
    // library's wrapper reads each one as a long from its argument list.
    private static final MethodHandle SYSCALL_2 = variadicDowncall("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final MethodHandle SYSCALL_6 = variadicDowncall("syscall", 1, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG);
    private static final MethodHandle POLL = downcall("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle PIPE2 = downcall("pipe2", JAVA_INT, ADDRESS, JAVA_INT);

    private Libc() {}

    /** {@code epoll_create1(2)}. */
    public static int epoll_create1(int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) EPOLL_CREATE1.invokeExact(state, flags), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code epoll_ctl(2)}; {@code event} is one {@code struct epoll_event}, or NULL for DEL. Not
     * a critical call (see the class notes).
     */
    public static int epoll_ctl(int epfd, int op, int fd, MemorySegment event) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) EPOLL_CTL.invokeExact(state, epfd, op, fd, event), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code epoll_wait(2)} without errno: returns the number of events written, or {@code -1} if
     * the call failed, the reason unknown. An ordinary (not critical) downcall, so it may block.
     *
     * <p>Why no errno: capturing it costs a thread-local lookup and a copy on every call (about 3
     * ns of the JVM's 9.4 ns per downcall, {@code LibcCallBench}), and a loop makes this call once
     * per iteration that may block, while it fails almost never. The caller learns the reason, if
     * it needs one, from an {@link #epoll_wait_now} on the same fd and array, which captures errno:
     * a failure that lasts (EBADF, EINVAL, EFAULT: a closed epoll fd, a bad array) fails it again
     * and names itself, and an interrupted wait (EINTR, the one transient failure) does not, and
     * returns the events ready meanwhile.
     */
    public static int epoll_wait_uncaptured(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try {
            return (int) EPOLL_WAIT_UNCAPTURED.invokeExact(epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code epoll_wait(2)} with timeout 0: collects the events ready now and never waits. A
     * critical call (see the class notes); returns the number of events written, or {@code -errno}.
     */
    public static int epoll_wait_now(int epfd, MemorySegment events, int maxEvents) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) EPOLL_WAIT_CRITICAL.invokeExact(state, epfd, events, maxEvents, 0), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code eventfd(2)}. */
    public static int eventfd(int initialValue, int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) EVENTFD.invokeExact(state, initialValue, flags), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code read(2)} into the first {@code count} bytes of {@code buffer}. */
    public static long read(int fd, MemorySegment buffer, long count) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) READ.invokeExact(state, fd, buffer, count), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code write(2)} of the first {@code count} bytes of {@code buffer}. */
    public static long write(int fd, MemorySegment buffer, long count) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) WRITE.invokeExact(state, fd, buffer, count), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code readv(2)} over {@code count} {@code struct iovec}s. */
    public static long readv(int fd, MemorySegment iovecs, int count) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) READV.invokeExact(state, fd, iovecs, count), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code writev(2)} over {@code count} {@code struct iovec}s. */
    public static long writev(int fd, MemorySegment iovecs, int count) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) WRITEV.invokeExact(state, fd, iovecs, count), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code close(2)}. Never retry on EINTR: on Linux the fd is released whatever close returns. */
    public static int close(int fd) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) CLOSE.invokeExact(state, fd), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code socket(2)}. */
    public static int socket(int domain, int type, int protocol) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) SOCKET.invokeExact(state, domain, type, protocol), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code socketpair(2)}; {@code fds} receives two {@code int}s. */
    public static int socketpair(int domain, int type, int protocol, MemorySegment fds) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) SOCKETPAIR.invokeExact(state, domain, type, protocol, fds), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bind(2)}. */
    public static int bind(int fd, MemorySegment address, int length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) BIND.invokeExact(state, fd, address, length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code listen(2)}. */
    public static int listen(int fd, int backlog) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) LISTEN.invokeExact(state, fd, backlog), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code accept4(2)}; {@code address} and {@code length} may be NULL. */
    public static int accept4(int fd, MemorySegment address, MemorySegment length, int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) ACCEPT4.invokeExact(state, fd, address, length, flags), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code connect(2)}. */
    public static int connect(int fd, MemorySegment address, int length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) CONNECT.invokeExact(state, fd, address, length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code getsockopt(2)}. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) GETSOCKOPT.invokeExact(state, fd, level, name, value, length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code setsockopt(2)}. */
    public static int setsockopt(int fd, int level, int name, MemorySegment value, int length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) SETSOCKOPT.invokeExact(state, fd, level, name, value, length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code getsockname(2)}. */
    public static int getsockname(int fd, MemorySegment address, MemorySegment length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) GETSOCKNAME.invokeExact(state, fd, address, length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code getpeername(2)}. */
    public static int getpeername(int fd, MemorySegment address, MemorySegment length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) GETPEERNAME.invokeExact(state, fd, address, length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code shutdown(2)}. */
    public static int shutdown(int fd, int how) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) SHUTDOWN.invokeExact(state, fd, how), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code send(2)}. */
    public static long send(int fd, MemorySegment buffer, long count, int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) SEND.invokeExact(state, fd, buffer, count, flags), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code recv(2)} with {@link #MSG_DONTWAIT} added to {@code flags}: never blocks, even on a
     * blocking socket (EAGAIN instead); on anything but a socket it fails with ENOTSOCK. A
     * critical call (see the class notes), so {@code buffer} may also be a heap segment.
     */
    public static long recv_dontwait(int fd, MemorySegment buffer, long count, int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) RECV_CRITICAL.invokeExact(state, fd, buffer, count, flags | MSG_DONTWAIT), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code send(2)} with {@link #MSG_DONTWAIT} added to {@code flags}: never blocks, even on a
     * blocking socket (EAGAIN instead); on anything but a socket it fails with ENOTSOCK. A
     * critical call (see the class notes), so {@code buffer} may also be a heap segment.
     */
    public static long send_dontwait(int fd, MemorySegment buffer, long count, int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) SEND_CRITICAL.invokeExact(state, fd, buffer, count, flags | MSG_DONTWAIT), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code sendto(2)}. */
    public static long sendto(int fd, MemorySegment buffer, long count, int flags,
                              MemorySegment address, int length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) SENDTO.invokeExact(state, fd, buffer, count, flags, address, length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code recvfrom(2)}; {@code address} and {@code length} may be NULL. */
    public static long recvfrom(int fd, MemorySegment buffer, long count, int flags,
                                MemorySegment address, MemorySegment length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((long) RECVFROM.invokeExact(state, fd, buffer, count, flags, address, length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code open(2)} of the NUL-terminated path in {@code path}, never creating it (no mode).
     * Returns the new fd, or {@code -errno}.
     */
    public static int open(MemorySegment path, int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) OPEN.invokeExact(state, path, flags, 0), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ioctl(2)} whose argument is a pointer to {@code argument} (a struct the call reads or fills). */
    public static int ioctl(int fd, long request, MemorySegment argument) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) IOCTL_POINTER.invokeExact(state, fd, request, argument), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ioctl(2)} whose argument is an {@code int} (or that takes none: pass 0). */
    public static int ioctl(int fd, long request, int argument) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) IOCTL_INT.invokeExact(state, fd, request, argument), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code mmap(2)}: returns the address of the new mapping, or {@code -errno} (a mapping never
     * starts in the last page of the address space, so the two cannot be confused). View the
     * mapping with {@link #mapped}.
     */
    public static long mmap(MemorySegment address, long length, int protection, int flags, int fd, long offset) {
        MemorySegment state = Scratch.current().callState;
        try {
            long mapped = ((MemorySegment) MMAP.invokeExact(state, address, length, protection, flags, fd, offset))
                    .address();
            return mapped != -1L ? mapped : -state.get(JAVA_INT, ERRNO_OFFSET); // MAP_FAILED
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code munmap(2)} of {@code length} bytes at {@code address}. */
    public static int munmap(long address, long length) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code io_uring_setup(2)} through {@code syscall(2)} (the C library has no wrapper): sets up
     * a ring of at least {@code entries} submission entries as {@code params} (a {@code struct
     * io_uring_params}, 120 bytes) asks, and fills in {@code params}' offsets and features.
     * Returns the ring's fd, or {@code -errno} (ENOSYS on a kernel without io_uring, EPERM where
     * it is disabled, EINVAL for a flag the kernel does not know).
     */
    public static int io_uring_setup(int entries, MemorySegment params) {
        MemorySegment state = Scratch.current().callState;
        try {
            return (int) result((long) SYSCALL_2.invokeExact(state, SYS_io_uring_setup, (long) entries, params), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code io_uring_enter(2)} through {@code syscall(2)}, without a signal mask: submits {@code
     * toSubmit} entries from the submission ring and, with {@code IORING_ENTER_GETEVENTS} in
     * {@code flags}, waits for {@code minComplete} completions. Returns how many entries it
     * submitted, or {@code -errno}.
     */
    public static int io_uring_enter(int ringFd, int toSubmit, int minComplete, int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return (int) result((long) SYSCALL_6.invokeExact(state, SYS_io_uring_enter, (long) ringFd,
                    (long) toSubmit, (long) minComplete, (long) flags, MemorySegment.NULL, 0L), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code poll(2)} over {@code count} {@code struct pollfd}s; returns how many have events, or {@code -errno}. */
    public static int poll(MemorySegment pollfds, long count, int timeoutMillis) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) POLL.invokeExact(state, pollfds, count, timeoutMillis), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code pipe2(2)}; {@code fds} receives two {@code int}s: the read end, then the write end. */
    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment state = Scratch.current().callState;
        try {
            return result((int) PIPE2.invokeExact(state, fds, flags), state);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * The {@code size} bytes of native memory at {@code address} (a mapping {@link #mmap} made)
     * as a segment that lives until {@code arena} closes, when {@code release} runs (typically
     * the munmap): after that the segment refuses access instead of touching unmapped memory.
     */
    // Restricted, like the downcalls: only the caller knows that the memory is really there.
    @SuppressWarnings("restricted")
    public static MemorySegment mapped(long address, long size, Arena arena, Runnable release) {
        return MemorySegment.ofAddress(address).reinterpret(size, arena, ignored -> release.run());
    }

    private static int result(int r, MemorySegment state) {
        return r >= 0 ? r : -state.get(JAVA_INT, ERRNO_OFFSET);
    }

    private static long result(long r, MemorySegment state) {
        return r >= 0 ? r : -state.get(JAVA_INT, ERRNO_OFFSET);
    }

    /** A downcall can throw only what the JVM throws (errors, a closed segment's exception). */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    private static MethodHandle downcall(String name, MemoryLayout result, MemoryLayout... arguments) {
        return bind(name, FunctionDescriptor.of(result, arguments), Linker.Option.captureCallState("errno"));
    }

    /**
     * A critical binding (see the class notes): ONLY for a call that cannot block whatever its
     * arguments, and that never calls back into Java.
     */
    private static MethodHandle criticalDowncall(String name, boolean heapAccess, MemoryLayout result,
                                                 MemoryLayout... arguments) {
        return bind(name, FunctionDescriptor.of(result, arguments),
                Linker.Option.critical(heapAccess), Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle variadicDowncall(String name, int firstVariadic, MemoryLayout result,
                                                 MemoryLayout... arguments) {
        return bind(name, FunctionDescriptor.of(result, arguments),
                Linker.Option.firstVariadicArg(firstVariadic), Linker.Option.captureCallState("errno"));
    }

    // Restricted: binding C functions is what this class is for. Users grant it with
    // --enable-native-access=dev.weft.unix (or ALL-UNNAMED on the class path).
    @SuppressWarnings("restricted")
    private static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find(name).orElseThrow(
                () -> new UnsupportedOperationException(name + " is not in this C library; Weft's native calls need Linux"));
        return linker.downcallHandle(symbol, descriptor, options);
    }
}
