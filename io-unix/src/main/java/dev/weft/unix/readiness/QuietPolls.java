package dev.weft.unix.readiness;

/**
 * When an engine on an epoll set may answer a timeout-0 poll "nothing is ready" without a system
 * call: the policy around a {@link ReadinessProbe}, shared by {@code EpollEngine} (its own epoll
 * set) and {@code NioEngine} (the epoll set behind its Selector).
 *
 * <p><b>Threading: loop thread only</b>, like the engine that owns it.
 *
 * <p><b>The rules</b> (the probe's notes say why each is needed). The probe is trusted only while
 * the engine's last real wait found nothing and no interest has changed since ({@link
 * #interestChanged()}): level-triggered items a wait reported go back on the ready list without
 * waking the probe, and an interest change may make a ready fd visible without a wait. It is armed
 * right after an empty wait, once {@value #ARM_AFTER_EMPTY_POLLS} timeout-0 polls in a row found
 * nothing, and only if the thread may arm one ({@link ReadinessProbe#threadMayArm()}: a platform
 * thread with no other probe armed). A poll with a timeout always waits for real.
 */
public final class QuietPolls implements AutoCloseable {

    /**
     * Empty timeout-0 polls in a row after which the probe is armed. Arming, and the kernel's work
     * when the armed poll fires, cost about as much as 5 empty epoll_waits together (1.2-1.4 µs
     * against 0.22-0.29 µs of CPU on a 2-CPU VM with Spectre mitigations, 2026-12-05), and an
     * arming pays off only if at least that many polls follow before anything becomes ready. Not
     * knowing how many will follow, the engine first pays for as many empty waits as an arming
     * costs, then arms (the ski-rental rule): a loop that spins on empty polls stops making system
     * calls after 5 of them, and a loop whose polls usually find work within 5 (a busy server, or
     * I/O beside a chain of pauses) seldom arms and pays at most twice the cost of never arming.
     */
    public static final int ARM_AFTER_EMPTY_POLLS = 5;

    private final int epfd;
    /** Null once the kernel refused it: the engine then waits for real every time. */
    private ReadinessProbe probe;
    /** The last real wait found nothing and no interest has changed since. */
    private boolean trusted;
    /** Timeout-0 waits in a row that found nothing, since the probe was last armed. */
    private int emptyPolls;
    private long answers;
    private long arms;

    private QuietPolls(int epfd, ReadinessProbe probe) {
        this.epfd = epfd;
        this.probe = probe;
    }

    /**
     * The policy for the epoll set {@code epfd}, or null if {@code wanted} is false or the kernel
     * offers no probe (see {@link ReadinessProbe#open()}): the engine then always waits for real.
     */
    public static QuietPolls open(int epfd, boolean wanted) {
        ReadinessProbe probe = wanted ? ReadinessProbe.open() : null;
        return probe == null ? null : new QuietPolls(epfd, probe);
    }

    /**
     * Whether a poll with {@code millis} of timeout may return "nothing ready" at once: a
     * timeout-0 poll while the probe is trusted and quiet. Counts the answers.
     */
    public boolean answerWithoutWaiting(int millis) {
        if (millis == 0 && trusted && probe != null && probe.quiet()) {
            answers++;
            return true;
        }
        return false;
    }

    /**
     * After a real wait of {@code millis} that returned {@code events} (before they are
     * dispatched: a handler may throw): reaps the probe's completion, decides whether the probe
     * may be trusted, and arms it after {@value #ARM_AFTER_EMPTY_POLLS} empty timeout-0 waits in
     * a row. Arming right after an empty wait loses nothing that arrived since: the poll request
     * completes at once if the epoll fd is already readable.
     */
    public void afterWait(int millis, int events) {
        if (probe == null) {
            return;
        }
        if (probe.armed() && !probe.reap()) {
            dropProbe();
            return;
        }
        trusted = events == 0;
        if (events != 0 || millis != 0) {
            emptyPolls = 0;
            return;
        }
        if (!probe.armed() && ++emptyPolls >= ARM_AFTER_EMPTY_POLLS) {
            emptyPolls = 0;
            if (!ReadinessProbe.threadMayArm()) {
                return; // a virtual thread, or another engine's probe is armed by this thread
            }
            if (probe.arm(epfd)) {
                arms++;
            } else {
                dropProbe();
            }
        }
    }

    /** An interest was added, changed or removed: the next timeout-0 poll waits for real. */
    public void interestChanged() {
        trusted = false;
    }

    /**
     * Whether the probe knows, without a system call, that readiness is waiting: it was trusted,
     * armed on this thread, and has fired. False when it does not know (see {@code
     * Engine.readinessWaiting}).
     */
    public boolean readinessWaiting() {
        return trusted && probe != null && probe.fired();
    }

    /** Whether the kernel still offers the probe (it is dropped if a poll request is refused). */
    public boolean probing() {
        return probe != null;
    }

    /** How many timeout-0 polls were answered without a system call. */
    public long answers() {
        return answers;
    }

    /** How many times the probe was armed (one io_uring_enter each). */
    public long arms() {
        return arms;
    }

    /** The kernel refused the probe's poll: carry on without it, as on a kernel without io_uring. */
    private void dropProbe() {
        probe.close();
        probe = null;
        trusted = false;
    }

    /** Releases the probe's ring; idempotent. */
    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
