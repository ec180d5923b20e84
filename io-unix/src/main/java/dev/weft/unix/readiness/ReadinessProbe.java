package dev.weft.unix.readiness;

import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A one-entry io_uring whose only request is a one-shot poll for POLLIN on an epoll fd: once it is
 * armed, two loads from memory the kernel shares with us tell whether the epoll set may have
 * gained a ready item since, so an engine on that epoll set ({@code EpollEngine}, and {@code
 * NioEngine} on its Selector's) can answer a timeout-0 poll without an
 * epoll_wait system call when nothing can be ready.
 *
 * <p><b>Threading: loop thread only</b>, like the engine that owns it; {@link #quiet()} is exact
 * only on the thread that {@link #arm() armed} it (see "Which thread" below).
 *
 * <p><b>How the kernel tells us.</b> The ring is set up with COOP_TASKRUN and TASKRUN_FLAG (Linux
 * 5.19). When the epoll fd becomes readable, the kernel's wake-up of its pollers completes our
 * poll: with COOP_TASKRUN the completion is queued as task work for the thread that submitted the
 * poll, without interrupting it (no IPI), and TASKRUN_FLAG makes the kernel set {@code
 * IORING_SQ_TASKRUN} in the submission ring's flags at that same moment, in the waker's context.
 * The completion entry itself is written when that thread next enters and leaves the kernel (any
 * system call, or an interrupt), which clears the flag. So "may anything be ready?" is the flag
 * set, or a completion entry not yet consumed; when neither, the poll has not fired.
 * DEFER_TASKRUN and SINGLE_ISSUER, which would make the ring cheaper still, are not used: both tie
 * the ring to the thread that creates it, and an engine is usually built on one thread and polled
 * on another (the thread {@code Loop.start} makes, an agent runner's).
 *
 * <p><b>Why the answer is exact, and the rules the engine keeps for it.</b> An epoll fd polls
 * readable while its ready list holds an item, and the kernel wakes the epoll fd's pollers every
 * time it puts an item on that list because the item's fd became ready (also when an fd that is
 * already ready is added or modified with epoll_ctl). There is one exception: the level-triggered
 * items an epoll_wait has just reported go back on the list without waking anyone. Hence the
 * engine trusts the probe only while the last real epoll_wait returned no events (the list was
 * empty after it, bar items that arrived during it, which wake pollers as usual), and no epoll_ctl
 * has been made since; a wait that returned events, including one whose handler threw (the events
 * not dispatched are reported again by the next wait), makes the next timeout-0 poll a real
 * epoll_wait. The engine arms right after a wait that returned nothing: a readiness that arrived
 * between that wait and the arming is not lost, because a poll request finds an fd that is already
 * readable at once and completes during the submitting call. The eventfd that carries the
 * engine's cross-thread wakeups is in the epoll set, so a wakeup completes the poll as well.
 *
 * <p><b>One-shot, and armed only when it pays.</b> While the poll is armed, the first readiness
 * of any fd in the set costs the kernel one more wake-up and one task-work item, run on the loop
 * thread's next system call; a one-shot poll pays that once and then leaves the wait queue. An
 * arming and its firing together cost about five empty epoll_waits, so the engine arms only when
 * the loop is visibly spinning on empty timeout-0 polls ({@code
 * QuietPolls#ARM_AFTER_EMPTY_POLLS} says how many), and a busy server, whose polls keep finding
 * work, rarely arms at all.
 *
 * <p><b>Signals.</b> The kernel tells the thread about pending task work as it tells it about a
 * signal, without interrupting it, so until that thread next leaves the kernel (its next system
 * call or interrupt, a timer tick at the latest) a blocking call it makes sees a signal pending.
 * Most blocking calls (reads, writes, futex waits) are restarted by the kernel once the task
 * work has run and do not notice; epoll_wait returns EINTR, which the engine already handles as
 * an early return that dispatches what was ready.
 *
 * <p><b>Which thread.</b> The poll's task work runs on the thread that submitted it. Were the
 * loop moved to another thread, the old one could run that task work while the new one reads the
 * ring: the kernel clears the flag just before it writes the completion entry, and a reader on
 * another CPU could see neither. So {@link #quiet()} answers only on the arming thread, and any
 * other thread's poll makes the system call (until the completion is reaped and a new poll is
 * armed from the new thread; if the old thread never enters the kernel again, the engine simply
 * keeps making system calls, as it does without a probe).
 *
 * <p><b>One armed probe per thread.</b> The kernel keeps one list of pending task work per
 * thread and sets a ring's TASKRUN flag only when it adds to an empty list: with two probes armed
 * by one thread (two loops sharing it, as agents of one Agrona {@code CompositeAgent}), the second
 * to fire would show neither its flag nor its completion until the thread next entered the
 * kernel, and would answer "quiet" while readiness waited. So a thread arms at most one probe at a
 * time ({@link #arm} refuses while another of its probes is armed, and that engine polls for real
 * meanwhile). A virtual thread never arms one: the kernel sees its carrier, which may change.
 *
 * <p><b>Memory.</b> The rings are one mapping (the kernel's SINGLE_MMAP feature, 5.4), the
 * submission entries another; both are released with the ring's fd by {@link #close()}.
 * Ring indices are read with acquire and written with release ordering, as the io_uring ABI asks:
 * the kernel's writes of an entry happen before it publishes the tail, and ours before we publish
 * ours.
 */
public final class ReadinessProbe implements AutoCloseable {

    /** The system property that turns the probe off: {@code -Dweft.epoll.probe=false}. */
    public static final String PROPERTY = "weft.epoll.probe";

    // io_uring ABI (include/uapi/linux/io_uring.h).
    private static final int SETUP_COOP_TASKRUN = 1 << 8;
    private static final int SETUP_TASKRUN_FLAG = 1 << 9;
    private static final int FEAT_SINGLE_MMAP = 1;
    private static final int SQ_TASKRUN = 1 << 2;
    private static final long OFF_SQ_RING = 0L;
    private static final long OFF_SQES = 0x10000000L;
    private static final byte OP_POLL_ADD = 6;
    private static final int PARAMS_BYTES = 120;
    private static final int SQE_BYTES = 64;
    private static final int CQE_BYTES = 16;
    /** The user data of our poll request, so a stray completion would be recognisable. */
    private static final long POLL_USER_DATA = 0x7765667450726f62L;
    /**
     * Linux's ECANCELED, a poll's result when the thread that armed it exits: not a failure of
     * the probe (the next arming, from the thread now running the loop, works again).
     */
    private static final int ECANCELED = 125;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final int ringFd;
    /** Owns the two mappings: closing it unmaps them. */
    private final Arena mappings;
    private final MemorySegment rings;
    private final MemorySegment sqes;
    private final long sqTailOffset;
    private final long sqFlagsOffset;
    private final long sqArrayOffset;
    private final int sqMask;
    private final long cqHeadOffset;
    private final long cqTailOffset;
    private final int cqMask;
    private final long cqesOffset;
    /** Our copies of the indices only we advance. */
    private int sqTail;
    private int cqHead;
    private Thread armer;
    /** The probe each platform thread has armed and not yet reaped or closed, if any. */
    private static final ThreadLocal<ReadinessProbe> ARMED_ON_THIS_THREAD = new ThreadLocal<>();
    private boolean armed;
    private boolean closed;

    private ReadinessProbe(int ringFd, Arena mappings, MemorySegment rings, MemorySegment sqes,
                           MemorySegment params) {
        this.ringFd = ringFd;
        this.mappings = mappings;
        this.rings = rings;
        this.sqes = sqes;
        this.sqTailOffset = params.get(ValueLayout.JAVA_INT, 44);
        this.sqMask = rings.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, 48));
        this.sqFlagsOffset = params.get(ValueLayout.JAVA_INT, 56);
        this.sqArrayOffset = params.get(ValueLayout.JAVA_INT, 64);
        this.cqHeadOffset = params.get(ValueLayout.JAVA_INT, 80);
        this.cqTailOffset = params.get(ValueLayout.JAVA_INT, 84);
        this.cqMask = rings.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, 88));
        this.cqesOffset = params.get(ValueLayout.JAVA_INT, 100);
        this.sqTail = (int) INT.getAcquire(rings, sqTailOffset);
        this.cqHead = (int) INT.getAcquire(rings, cqHeadOffset);
    }

    /** Whether the system property leaves the probe on (it is on unless set to {@code false}). */
    public static boolean enabledByProperty() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * A probe of {@code epfd}, or null if this kernel cannot give one: no io_uring (ENOSYS), io_uring
     * disabled or filtered (EPERM, a seccomp policy), a kernel before 5.19 that refuses the flags
     * (EINVAL), a big-endian machine (the poll mask's layout differs there and is not worth a
     * branch), or a mapping that fails. Whatever was made on the way is released.
     */
    public static ReadinessProbe open() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return null;
        }
        int fd = -1;
        Arena mappings = null;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment params = scratch.allocate(PARAMS_BYTES, 8);
            params.set(ValueLayout.JAVA_INT, 8, SETUP_COOP_TASKRUN | SETUP_TASKRUN_FLAG);
            fd = Libc.io_uring_setup(1, params);
            if (fd < 0 || (params.get(ValueLayout.JAVA_INT, 20) & FEAT_SINGLE_MMAP) == 0) {
                return null;
            }
            mappings = Arena.ofShared();
            MemorySegment rings = map(ringsBytes(params), OFF_SQ_RING, fd, mappings);
            MemorySegment sqes = map((long) params.get(ValueLayout.JAVA_INT, 0) * SQE_BYTES, OFF_SQES, fd, mappings);
            if (rings == null || sqes == null) {
                return null;
            }
            ReadinessProbe probe = new ReadinessProbe(fd, mappings, rings, sqes, params);
            fd = -1;
            mappings = null;
            return probe;
        } finally {
            if (mappings != null) {
                mappings.close();
            }
            if (fd >= 0) {
                Libc.close(fd);
            }
        }
    }

    /** One mapping holds both rings (SINGLE_MMAP): as long as the longer of the two. */
    private static long ringsBytes(MemorySegment params) {
        long sqEnd = params.get(ValueLayout.JAVA_INT, 64) + 4L * params.get(ValueLayout.JAVA_INT, 0);
        long cqEnd = params.get(ValueLayout.JAVA_INT, 100) + (long) CQE_BYTES * params.get(ValueLayout.JAVA_INT, 4);
        return Math.max(sqEnd, cqEnd);
    }

    /** Maps {@code bytes} of the ring at {@code offset}, unmapped when {@code arena} closes; null if mmap fails. */
    private static MemorySegment map(long bytes, long offset, int fd, Arena arena) {
        long address = Libc.mmap(MemorySegment.NULL, bytes, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, offset);
        if (address < 0) {
            return null;
        }
        return Libc.mapped(address, bytes, arena, () -> Libc.munmap(address, bytes));
    }

    /** Whether a poll is armed and not reaped yet. */
    public boolean armed() {
        return armed;
    }

    /**
     * True if the armed poll has not fired: the epoll set has gained no ready item since it was
     * armed. False if it has, if nothing is armed, or if the caller is not the arming thread.
     */
    public boolean quiet() {
        return armed
                && armer == Thread.currentThread()
                && ((int) INT.getAcquire(rings, sqFlagsOffset) & SQ_TASKRUN) == 0
                && (int) INT.getAcquire(rings, cqTailOffset) == cqHead;
    }

    /**
     * True if the armed poll has fired and the caller is the arming thread: the epoll set has
     * gained a ready item since it was armed, waiting for an epoll_wait to collect it. False if
     * nothing is armed, if it has not fired, or on another thread (which cannot tell).
     */
    public boolean fired() {
        return armed
                && armer == Thread.currentThread()
                && (((int) INT.getAcquire(rings, sqFlagsOffset) & SQ_TASKRUN) != 0
                        || (int) INT.getAcquire(rings, cqTailOffset) != cqHead);
    }

    /**
     * Whether the calling thread may arm a probe now: it is a platform thread, and no other probe
     * it armed is still armed (see "One armed probe per thread"). A probe reaped or closed on
     * another thread than its armer's no longer counts.
     */
    public static boolean threadMayArm() {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) {
            return false;
        }
        ReadinessProbe other = ARMED_ON_THIS_THREAD.get();
        return other == null || !other.armed || other.armer != current;
    }

    /**
     * Submits the one-shot poll for POLLIN on {@code epfd} (one io_uring_enter). Returns false if
     * the kernel refused it; the probe is then of no further use and should be closed. Call it
     * only when {@link #threadMayArm()}.
     */
    public boolean arm(int epfd) {
        int index = sqTail & sqMask;
        long sqe = (long) index * SQE_BYTES;
        sqes.asSlice(sqe, SQE_BYTES).fill((byte) 0);
        sqes.set(ValueLayout.JAVA_BYTE, sqe, OP_POLL_ADD);
        sqes.set(ValueLayout.JAVA_INT, sqe + 4, epfd);
        sqes.set(ValueLayout.JAVA_INT, sqe + 28, Libc.POLLIN); // poll32_events, little-endian
        sqes.set(ValueLayout.JAVA_LONG, sqe + 32, POLL_USER_DATA);
        rings.set(ValueLayout.JAVA_INT, sqArrayOffset + 4L * index, index);
        sqTail++;
        INT.setRelease(rings, sqTailOffset, sqTail);
        int submitted = Libc.io_uring_enter(ringFd, 1, 0, 0);
        if (submitted != 1) {
            return false;
        }
        armed = true;
        armer = Thread.currentThread();
        ARMED_ON_THIS_THREAD.set(this);
        return true;
    }

    /** No longer armed: forgets this probe as the calling thread's armed one. */
    private void disarmed() {
        armed = false;
        if (ARMED_ON_THIS_THREAD.get() == this) {
            ARMED_ON_THIS_THREAD.remove();
        }
    }

    /**
     * Consumes the completions posted so far; after one, nothing is armed. Returns false if the
     * poll failed (an error other than being cancelled: the probe is then of no further use).
     */
    public boolean reap() {
        int tail = (int) INT.getAcquire(rings, cqTailOffset);
        if (tail == cqHead) {
            return true;
        }
        boolean ok = true;
        while (cqHead != tail) {
            long cqe = cqesOffset + (long) (cqHead & cqMask) * CQE_BYTES;
            int result = rings.get(ValueLayout.JAVA_INT, cqe + 8);
            ok &= result >= 0 || result == -ECANCELED;
            cqHead++;
        }
        INT.setRelease(rings, cqHeadOffset, cqHead);
        disarmed();
        return ok;
    }

    /** Closes the ring's fd (the kernel cancels an armed poll) and unmaps the rings; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        disarmed();
        mappings.close();
        Libc.close(ringFd);
    }
}
