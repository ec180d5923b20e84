package dev.weft.unix.epoll;

import dev.weft.loop.Engine;
import dev.weft.unix.Errno;
import dev.weft.unix.PollTimeout;
import dev.weft.unix.libc.Libc;
import dev.weft.unix.readiness.QuietPolls;
import dev.weft.unix.readiness.ReadinessProbe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * An {@link Engine} on Linux epoll(7): sources are file descriptors, and an eventfd carries
 * {@link #wakeup()}s from other threads: one write(2) per wakeup and no read, the eventfd alone
 * being registered edge-triggered ({@link EventFdWaker}).
 *
 * <p><b>Threading: all operations except {@link #wakeup()} MUST be called on the loop thread.</b>
 * {@code wakeup()} is safe from any thread at any time, also during and after {@link #close()}.
 *
 * <p><b>Level-triggered.</b> A handler is called on every poll while its fd is ready for an event
 * in its interest set. The loop's handlers resolve promises, and a promise-based reader may take
 * one buffer and then wait for its consumer (back-pressure) instead of reading until EAGAIN. With
 * edge-triggered epoll that reader would never be told again about the data it left behind unless
 * every handler kept its own "still readable" bookkeeping, as Netty's does. Level-triggered needs
 * none, and it makes two further guarantees cheap: an exception from a handler loses nothing (the
 * rest of the batch is reported again by the next poll), and so does a batch larger than the
 * event array. The cost is that a source that stays ready but is not wanted must be paused with
 * {@code modify(fd, 0)}, one epoll_ctl; so keep {@link #WRITABLE} in the interest set only while
 * there is something to write. {@code modify} with an unchanged interest makes no system call.
 *
 * <p><b>Pausing.</b> An interest of {@code 0} takes the fd out of the epoll set (EPOLL_CTL_DEL)
 * but keeps its registration: epoll reports errors and hang-ups whatever the interest, so a paused
 * fd that had hung up would otherwise wake every poll. Nothing, not even {@link #ERROR}, is
 * delivered to a paused source; a later non-zero {@code modify} adds it back.
 *
 * <p><b>Events.</b> EPOLLIN and EPOLLRDHUP report {@link #READABLE}, EPOLLOUT {@link #WRITABLE}.
 * EPOLLERR and EPOLLHUP report {@link #ERROR} together with the source's interest events, since
 * it is the read or write that follows which tells the handler what happened (end of stream,
 * ECONNRESET, ...).
 *
 * <p><b>Timeouts.</b> epoll_wait takes milliseconds; a timeout in nanoseconds is rounded
 * <em>up</em> to the next millisecond, so a poll never returns before its timeout (a 0.3 ms
 * timeout blocks for up to 1 ms rather than spinning at 0). A wait a signal interrupts (EINTR)
 * is not resumed: the poll dispatches what was ready by then, perhaps nothing, and returns early,
 * as {@link Engine#poll} allows; the loop then computes the time left from its own clock, so the
 * engine reads no clock. epoll_pwait2 would give nanosecond timeouts, but needs Linux 5.11 and
 * glibc 2.35 and the loop's timer wheel does not need better than a millisecond.
 *
 * <p><b>Stale events.</b> Each registration gets a token (a generation number and the fd) that
 * epoll hands back with its events. An event is dispatched only if the fd's current registration
 * has the same token, so a handler unregistered earlier in the same batch is never called, nor is
 * a new handler that registered the same fd number since.
 *
 * <p><b>Dispatch cost.</b> Registrations sit in an array indexed by fd (the kernel hands out the
 * lowest free fd numbers, so the array stays about as long as the process's fd table), which
 * makes finding an event's handler one array load and one compare of the token, with no hashing
 * and no allocation; {@code WakeupBench} measures what a ready source costs.
 *
 * <p><b>Timeout-0 polls without a system call.</b> A loop that keeps running tasks (a chain of
 * {@code Promise.pause()}s) polls with timeout 0 every few hundred tasks, and when nothing is ready
 * each such epoll_wait is a system call spent learning nothing. After {@value
 * QuietPolls#ARM_AFTER_EMPTY_POLLS} such empty polls in a row the engine arms a {@link ReadinessProbe}: a
 * one-shot io_uring poll on the epoll fd that the kernel completes, by setting a flag in memory it
 * shares with us, as soon as any fd in the set becomes ready. Until then a timeout-0 poll reads
 * that memory and returns 0 with no system call; once the flag shows, the poll makes the real
 * epoll_wait and counts empty polls again before it re-arms. The probe's notes give the rules that
 * keep this exact (no readiness is ever answered "nothing ready"). It needs Linux 5.19; where
 * io_uring is missing, disabled or filtered, or with {@code -Dweft.epoll.probe=false}, every poll
 * is an epoll_wait as before. A poll with a timeout always waits in epoll_wait.
 */
public final class EpollEngine implements Engine {

    /** Default size of the event array, i.e. the most events one poll dispatches. */
    public static final int DEFAULT_MAX_EVENTS = 512;

    /** epoll data for the wakeup eventfd; a registration's token never has all bits set. */
    private static final long WAKEUP_TOKEN = -1L;
    /** The bit position of each epoll event bit {@link #readiness} reads. */
    private static final int IN_BIT = Integer.numberOfTrailingZeros(Libc.EPOLLIN);
    private static final int OUT_BIT = Integer.numberOfTrailingZeros(Libc.EPOLLOUT);
    private static final int ERR_BIT = Integer.numberOfTrailingZeros(Libc.EPOLLERR);
    private static final int HUP_BIT = Integer.numberOfTrailingZeros(Libc.EPOLLHUP);
    private static final int RDHUP_BIT = Integer.numberOfTrailingZeros(Libc.EPOLLRDHUP);
    /** Initial length of the fd-indexed registration array; it doubles as higher fds register. */
    private static final int INITIAL_FDS = 64;

    private final Arena arena;
    private final int epfd;
    private final EventFdWaker waker;
    private final EpollEvents events;
    /** One event to pass to epoll_ctl. */
    private final EpollEvents control;
    /** The registration of each fd, indexed by fd; null where none. Grows, never shrinks. */
    private Registration[] registrations = new Registration[INITIAL_FDS];
    private int generation;
    private boolean closed;
    /** Answers timeout-0 polls while nothing can be ready; null if off or unavailable. */
    private final QuietPolls quietPolls;
    /** epoll_wait calls made (tests, benchmarks). */
    private long epollWaits;

    /** Opens an engine whose polls dispatch at most {@link #DEFAULT_MAX_EVENTS} events each. */
    public EpollEngine() {
        this(DEFAULT_MAX_EVENTS);
    }

    /**
     * Opens an engine.
     *
     * @param maxEvents the size of the event array: the most events one poll dispatches (more
     *     ready sources are reported by the next poll)
     * @throws EpollException if the epoll fd or eventfd cannot be created (EMFILE, ENOMEM)
     */
    public EpollEngine(int maxEvents) {
        this(maxEvents, ReadinessProbe.enabledByProperty());
    }

    /** Opens an engine, with the readiness probe if {@code probe} and the kernel offers one. */
    EpollEngine(int maxEvents, boolean probe) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
        }
        this.arena = Arena.ofShared();
        // The arrays passed to every epoll_wait and epoll_ctl live in an automatic arena, freed
        // when the engine is unreachable: a segment of a shared arena makes the JVM acquire and
        // release the arena around each downcall (about 2.5 ns, LibcCallBench), one of an
        // automatic arena nothing. Only the loop thread touches them, and only until close().
        Arena arrays = Arena.ofAuto();
        this.events = new EpollEvents(arrays, maxEvents);
        this.control = new EpollEvents(arrays, 1);
        int created = -1;
        EventFdWaker createdWaker = null;
        QuietPolls createdQuietPolls = null;
        try {
            created = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
            if (created < 0) {
                throw new EpollException("epoll_create1", "EPOLL_CLOEXEC", -created);
            }
            createdWaker = new EventFdWaker(arena);
            control.set(0, EventFdWaker.EPOLL_EVENTS, WAKEUP_TOKEN);
            int added = Libc.epoll_ctl(created, Libc.EPOLL_CTL_ADD, createdWaker.fd, control.segment());
            if (added < 0) {
                throw new EpollException("epoll_ctl", "ADD, eventfd=" + createdWaker.fd, -added);
            }
            createdQuietPolls = QuietPolls.open(created, probe);
        } catch (RuntimeException | Error e) {
            // Half-built (EMFILE is the usual cause): release what exists, in reverse order.
            if (createdQuietPolls != null) {
                createdQuietPolls.close();
            }
            if (createdWaker != null) {
                createdWaker.close();
            }
            if (created >= 0) {
                Libc.close(created);
            }
            arena.close();
            throw e;
        }
        this.epfd = created;
        this.waker = createdWaker;
        this.quietPolls = createdQuietPolls;
    }

    @Override
    public void register(int fd, int interest, ReadyHandler handler) {
        ensureOpen();
        if (fd < 0) {
            throw new EpollException("epoll_ctl", "ADD, fd=" + fd, Errno.EBADF.number());
        }
        if (registration(fd) != null) {
            throw new IllegalStateException("fd " + fd + " is already registered with this engine");
        }
        generation = generation == Integer.MAX_VALUE ? 1 : generation + 1;
        Registration registration = new Registration(((long) generation << 32) | fd, handler);
        if (interest != 0) {
            control(Libc.EPOLL_CTL_ADD, fd, interest, registration.token);
        }
        registration.interest = interest;
        if (fd >= registrations.length) {
            registrations = Arrays.copyOf(registrations, Math.max(fd + 1, 2 * registrations.length));
        }
        registrations[fd] = registration;
    }

    @Override
    public void modify(int fd, int interest) {
        ensureOpen();
        Registration registration = registered(fd);
        int before = registration.interest;
        if (interest == before) {
            return;
        }
        if (before == 0) {
            control(Libc.EPOLL_CTL_ADD, fd, interest, registration.token);
        } else if (interest == 0) {
            remove(fd);
        } else {
            control(Libc.EPOLL_CTL_MOD, fd, interest, registration.token);
        }
        registration.interest = interest;
    }

    @Override
    public void unregister(int fd) {
        ensureOpen();
        Registration registration = registered(fd);
        registrations[fd] = null;
        if (registration.interest != 0) {
            remove(fd);
        }
    }

    @Override
    public int poll(long timeoutNanos) {
        ensureOpen();
        refuseVirtualThread();
        int millis = PollTimeout.toMillis(timeoutNanos);
        if (quietPolls != null && quietPolls.answerWithoutWaiting(millis)) {
            return 0;
        }
        int count = waitForEvents(millis);
        if (quietPolls != null) {
            quietPolls.afterWait(millis, count);
        }
        return dispatch(count);
    }

    /**
     * A loop thread must be a platform thread: epoll_wait is a native frame, and a virtual thread
     * blocked in one pins its carrier, starving every other virtual thread scheduled on it.
     */
    private static void refuseVirtualThread() {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) {
            throw new IllegalStateException("EpollEngine.poll on virtual thread " + current
                    + ": epoll_wait would pin its carrier thread; run the loop on a platform thread"
                    + " (Loop.start() makes one)");
        }
    }

    @Override
    public void wakeup() {
        waker.wakeup();
    }

    /**
     * Closes the epoll fd, the eventfd and the probe's io_uring (its fd and mappings) and frees
     * the eventfd's buffer; idempotent. The event arrays are freed with the engine object (an
     * automatic arena; see the constructor).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Arrays.fill(registrations, null);
        if (quietPolls != null) {
            quietPolls.close();
        }
        waker.close();
        Libc.close(epfd);
        arena.close();
    }

    /**
     * Maps epoll event bits to engine readiness bits, before masking by interest: EPOLLIN or
     * EPOLLRDHUP is {@link #READABLE}, EPOLLOUT {@link #WRITABLE}, EPOLLERR or EPOLLHUP all three
     * of {@link #ERROR}, {@link #READABLE} and {@link #WRITABLE}.
     *
     * <p>Shifts and masks, no branch: this runs inlined in the loop's hottest compiled code, and
     * C2 compiles a branch its profile never saw taken as a trap. With the error test a branch,
     * the first error or hang-up after warm-up (a client's reset, often at the end of a load run)
     * threw away the compiled poll-and-dispatch path with everything inlined into it, and the
     * JIT recompiled it while requests waited (issue 13, "JIT work inside the measured window").
     */
    static int readiness(int epollEvents) {
        int failed = ((epollEvents >>> ERR_BIT) | (epollEvents >>> HUP_BIT)) & 1;
        int readable = ((epollEvents >>> IN_BIT) | (epollEvents >>> RDHUP_BIT) | failed) & 1;
        int writable = ((epollEvents >>> OUT_BIT) | failed) & 1;
        return readable * READABLE | writable * WRITABLE | failed * ERROR;
    }

    /**
     * The events ready now or within the timeout. A wait that may block is the errno-free binding
     * (see {@link Libc#epoll_wait_uncaptured}); if it fails, a timeout-0 poll, which captures
     * errno, tells an interrupted wait (it succeeds) from a broken engine (it fails again, and
     * says why). The wait is not resumed after EINTR: the poll returns what was ready by then,
     * perhaps nothing, and the loop computes a fresh timeout from its own clock reading, so the
     * engine never reads the clock.
     */
    private int waitForEvents(int millis) {
        epollWaits++;
        if (millis != 0) {
            int n = Libc.epoll_wait_uncaptured(epfd, events.segment(), events.capacity(), millis);
            if (n >= 0) {
                return n;
            }
        }
        int n = Libc.epoll_wait_now(epfd, events.segment(), events.capacity());
        if (n < 0) {
            throw new EpollException("epoll_wait", "epfd=" + epfd + ", timeout=" + millis + "ms", -n);
        }
        return n;
    }

    private int dispatch(int count) {
        int called = 0;
        for (int i = 0; i < count; i++) {
            long token = events.data(i);
            if (token == WAKEUP_TOKEN) {
                continue; // edge-triggered: reporting it consumed it, nothing to read (EventFdWaker)
            }
            // A registration's token is its generation and its fd (never negative, so the low
            // word is the fd as an int).
            Registration registration = registration((int) token);
            // Unregistered (or unregistered and re-registered) by a handler earlier in this batch.
            if (registration == null || registration.token != token) {
                continue;
            }
            int ready = readiness(events.events(i)) & (registration.interest | ERROR);
            if (ready != 0 && registration.interest != 0) {
                registration.handler.onReady(ready);
                called++;
            }
        }
        return called;
    }

    private void control(int op, int fd, int interest, long token) {
        interestChanged();
        control.set(0, epollEvents(interest), token);
        check(Libc.epoll_ctl(epfd, op, fd, control.segment()), op == Libc.EPOLL_CTL_ADD ? "ADD" : "MOD", fd);
    }

    private void remove(int fd) {
        interestChanged();
        check(Libc.epoll_ctl(epfd, Libc.EPOLL_CTL_DEL, fd, MemorySegment.NULL), "DEL", fd);
    }

    private static int epollEvents(int interest) {
        int bits = 0;
        if ((interest & READABLE) != 0) {
            bits |= Libc.EPOLLIN | Libc.EPOLLRDHUP;
        }
        if ((interest & WRITABLE) != 0) {
            bits |= Libc.EPOLLOUT;
        }
        return bits;
    }

    private static void check(int result, String op, int fd) {
        if (result < 0) {
            throw new EpollException("epoll_ctl", op + ", fd=" + fd, -result);
        }
    }

    private void interestChanged() {
        if (quietPolls != null) {
            quietPolls.interestChanged();
        }
    }

    /**
     * True when the readiness probe has seen an fd of the set become ready since the last empty
     * poll: the loop then ends its further pause rounds and polls. False when it has not, or the
     * engine cannot tell without a system call (no probe, or not armed).
     */
    @Override
    public boolean readinessWaiting() {
        return quietPolls != null && quietPolls.readinessWaiting();
    }

    /** Whether this engine has a readiness probe (on by property, and offered by the kernel). */
    boolean probing() {
        return quietPolls != null && quietPolls.probing();
    }

    /** How many epoll_wait system calls the polls have made (an EINTR retry counts as one). */
    long epollWaits() {
        return epollWaits;
    }

    /** How many timeout-0 polls the probe answered without a system call. */
    long probeAnswers() {
        return quietPolls == null ? 0 : quietPolls.answers();
    }

    /** How many times the probe was armed (one io_uring_enter each). */
    long probeArms() {
        return quietPolls == null ? 0 : quietPolls.arms();
    }

    /** The fd's registration, or null if it has none. */
    private Registration registration(int fd) {
        Registration[] byFd = registrations;
        return fd >= 0 && fd < byFd.length ? byFd[fd] : null;
    }

    private Registration registered(int fd) {
        Registration registration = registration(fd);
        if (registration == null) {
            throw new IllegalStateException("fd " + fd + " is not registered with this engine");
        }
        return registration;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("EpollEngine is closed");
        }
    }

    /** A registered fd: its handler, current interest, and the token epoll hands back. */
    private static final class Registration {
        final long token;
        final ReadyHandler handler;
        int interest;

        Registration(long token, ReadyHandler handler) {
            this.token = token;
            this.handler = handler;
        }
    }
}
