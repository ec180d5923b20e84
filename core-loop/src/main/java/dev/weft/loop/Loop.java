package dev.weft.loop;

import dev.weft.loop.device.Time;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.PendingReport;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * A single-threaded event loop (Lwt_main): it runs promise callbacks, timers, cross-thread tasks
 * and readiness callbacks, one at a time, on one thread.
 *
 * <p><b>Threading: all methods except {@link #execute}, {@link #submit}, {@link #wakeup}, {@link
 * #close}, {@link #metrics}, {@link #inLoopThread} and the accessors MUST be called on the loop
 * thread.</b> The loop thread is the first thread that runs the loop ({@link #run}, {@link
 * #runOnce}, an {@linkplain #asAgent() agent}) or calls one of its loop-thread methods, or the
 * thread {@link #start()} creates; it never changes. Promises made on the loop thread belong to
 * it. Another thread reaches the loop through {@code execute} and {@code submit}.
 *
 * <p><b>After {@link #close()}</b> (once its exit hooks are done: until then the loop works as
 * before, see "Shutdown" below) every call fails the same way, with {@link LoopClosed}, from
 * any thread: a method that returns a promise or a future ({@link #submit}, {@link #call}, {@link
 * #sleep}, {@link #at}, {@link #timeout}) returns it already failed with {@code LoopClosed}; the
 * others ({@link #run}, {@link #runOnce}, {@link #start()}, {@link #execute}, {@link #atExit},
 * {@link #onExit}, the last two from when the exit hooks are done) throw it. One call
 * needs no loop and so still works: {@code run(p)} of a promise already resolved returns its
 * outcome, as {@code run} of it always does without blocking. {@link LoopClosed#refused()} tells
 * what became of the work: true, the loop refused it and it never ran (every call after the
 * close, and a submission still queued when the loop shut down); false, it had begun and was cut
 * off, still pending, by the shutdown (a {@code submit} whose work ran and whose promise had not
 * resolved, a pending sleep, timeout or pause, the promise a {@code run} waited for).
 *
 * <p>Three ways to drive it: {@link #run(Promise)} runs it on the calling thread until a promise
 * resolves; {@link #start()} runs it on a thread of its own until {@link #close()}; a host with its
 * own loop calls {@link #runOnce(long)} or runs {@link #asAgent()} under Agrona's AgentRunner.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>One iteration</b> ({@link #iterate}) runs the enter-iteration hooks, then these steps in
 * this order, then the leave-iteration hooks, then the shutdown if {@link #close()} was asked for:
 * <ol>
 *   <li>the promises paused ({@link Promise#pause()}) and the tasks parked ({@link
 *       Promise#pauseThen}) before the iteration began, in the order they paused: one <em>pause
 *       round</em>, which resumes exactly those; whatever they pause again waits for the next
 *       round. Then, while paused promises are the only ready work
 *       (the inbox is empty, no timer is due, no close is asked for, and the promise {@link
 *       #run} waits for is still pending), the step runs further rounds
 *       without polling the engine: at most {@value #DEFAULT_MAX_PAUSE_ROUNDS} rounds in all
 *       ({@link Builder#maxPauseRounds}), and none once the clock reads {@value
 *       #PAUSE_ROUNDS_NANOS} ns after the first round ended, a timer is due, or the engine
 *       knows without polling that readiness is waiting ({@link Engine#readinessWaiting()}).
 *       These conditions
 *       are checked after the first round and then once every {@value #WOKEN_PER_CLOCK_READ}
 *       promises woken (every round, when rounds are that large, or when a watchdog is set: it
 *       sees each round as one callback), so an inbox task, a close, {@code run}'s promise
 *       resolving, the time bound and a due timer may be seen up to that many pauses late; the
 *       bound of rounds is kept exactly. So a chain that pauses in a loop runs up to 256 pauses
 *       per engine poll, and ready I/O waits behind it for at most 256 rounds: a few µs when
 *       each round is one cheap pause; when each paused callback does real work, 50 µs plus up
 *       to 64 of those callbacks. The rounds run inside the promise core ({@link
 *       LoopHooks#wakeupPausedRounds(int, int, java.util.function.IntPredicate)}), which asks the
 *       loop whether another may start, so that the JIT compiles them as one loop;
 *   <li>the cross-thread inbox, up to the number of tasks it held when the drain began, so a
 *       flood of producers cannot hold the loop in this step;
 *   <li>the timers due at the clock's time, read once, in deadline order. A timer scheduled by a
 *       callback of this step for a time already past fires in the next iteration (the wheel's
 *       contract), again so that re-arming cannot starve the rest;
 *   <li>a block in the engine. The timeout is 0 when work is already ready (paused promises,
 *       inbox tasks, a timer due, a close asked for, or the promise {@link #run} waits for
 *       resolved by steps 1 to 3), else the time until the next timer, else unlimited until a
 *       wakeup; {@link #runOnce(long)} caps it;
 *   <li>the dispatch of the readiness callbacks the engine collected (one {@link Engine#poll}
 *       call does steps 4 and 5).
 * </ol>
 * After step 5, in debug mode ({@code -Dweft.debug=true}) only, the loop reports the rejected
 * promises of its thread that were garbage-collected unobserved ({@link
 * LoopHooks#reportUnhandledRejections()}); without debug mode that call is a constant the JIT
 * removes.
 * Work made ready by a step runs in a later step of the same iteration or in the next one, and
 * the block in step 4 never waits while anything is ready, so nothing is delayed by more than one
 * iteration. Why this order: paused promises first, because Lwt's pause means "after the I/O and
 * timers that are ready now" and those were collected by the previous iteration; inbox before
 * timers, so a task submitted at time t runs before a timer due after t; timers just before the
 * block, so the timeout is computed from a wheel with nothing due. (Lwt_main blocks first and
 * wakes paused promises last; the cycle is the same, the cut between iterations differs.)
 *
 * <p><b>Why several pause rounds per poll.</b> In Lwt each pause costs a whole iteration, and so
 * an engine poll: on epoll one {@code epoll_wait} system call per pause, which made a pause 5 to
 * 15 times as dear as a Netty task that re-submits itself (Netty runs its task queue without
 * polling in between, checking the time every 64 tasks). The further rounds keep Lwt's order
 * inside a round (FIFO, and what a round pauses waits for the next round) and keep I/O fair by
 * the bound: readiness is only unknown, never skipped, for at most 256 rounds or 50 µs. Why
 * 256: a timeout-0 poll that makes a system call costs about 200-600 ns (epoll_wait, or NIO's
 * selectNow), so at 64 rounds it was still a fifth of a one-pause round's cost, and at 256 it is
 * a few percent; the price is that I/O beside a chain that pauses in a loop waits up to about 3 µs
 * for the poll instead of about 1 µs ({@code EchoUnderPauseBench} measures it, {@code PauseBench}
 * the gain). The epoll engine makes even those few percent vanish where the kernel has io_uring:
 * after a few empty timeout-0 polls in a row it arms a readiness probe and answers the following
 * ones from shared memory, without a system call, until something becomes ready, so a chain that
 * pauses in a loop makes almost no system calls while the bound, and so the I/O latency beside
 * it, stays the same (EpollEngine's class notes). What changes is
 * that "after the I/O ready now" holds for the first round of an iteration, not for every pause;
 * enter and leave hooks run once per iteration, not per round. {@link LoopMetrics#pauseRounds()}
 * counts the rounds.
 *
 * <p><b>Waking the loop from another thread</b> costs at most one {@link Engine#wakeup()} per
 * burst: see {@link Inbox} for the flag and the Dekker argument. In short, the loop publishes
 * "blocking" with a volatile store, then looks at the queue; producers enqueue, then read the
 * flag, and only the one that flips it back calls the engine.
 *
 * <p><b>Observing it.</b> {@link #metrics()} counts iterations, pause rounds, callbacks and time
 * blocked, readable from any thread. Each iteration is also a JFR event, {@code
 * dev.weft.loop.Iteration} ({@link IterationEvent}: its steps' counts, the poll timeout, the time
 * blocked), recorded by default for iterations over 20 ms; a watchdog report is the JFR event
 * {@code dev.weft.loop.BlockedCallback}. While no recording asks for them neither is made.
 *
 * <p><b>Cost per iteration.</b> Nothing is allocated: hooks are copy-on-write arrays, the timer
 * handler and the batch arrays are fields made once, the inbox is drained in a counted loop. No
 * lock is taken on the loop thread: the inbox is lock-free (JCTools), the metrics and the
 * watchdog stamp are opaque stores, and the engines block in park or epoll_wait. The watchdog,
 * when on, adds two opaque stores and one read per callback. The JFR iteration event is made and
 * begun only while a recording has it enabled (one static read otherwise), not left to escape
 * analysis, which may fail once a request path is inlined into the iteration ({@code WakeupBench}
 * and {@code ServerPathBench} measure the bytes per iteration).
 *
 * <p><b>Clock reads</b> (each 24 ns of CPU through a VM's vDSO, {@code ClockReadBench}). The
 * busy/blocked metrics need an iteration's start and end; inside one {@code run} or {@code
 * start} an iteration starts where the previous one ended, so that is one {@link
 * System#nanoTime()} read (a {@code runOnce} from a host reads its start too, as does the
 * iteration after a close step). Steps 3 and 4 (the due timers,
 * the time to the next timer, the start of a wait) share one reading of the loop's clock, and
 * when that clock is the {@link SystemClock} and nothing ran since the iteration began (no enter
 * hook, no pause round, no inbox task) they take the start reading itself; a timer that fires
 * makes the next of them read again. A wait that may block adds one read where it ended (the
 * first readiness callback, or the poll's return); the epoll engine reads none (it does not
 * resume a wait a signal interrupted: the poll returns early and the next iteration computes the
 * timeout afresh; the JDK's Selector under the NIO engine reads one per timed select). So a busy
 * iteration that ran only readiness callbacks reads the clock once, one that may block twice. A reading a few steps old is never early: timers still
 * fire at or after their deadline; it can make the time to the next timer look longer by those
 * steps' bookkeeping, tens of nanoseconds. Further pause rounds read the clock once per {@value
 * #WOKEN_PER_CLOCK_READ} promises woken. {@code ClockReadsTest} counts the loop clock's reads.
 *
 * <p><b>Determinism.</b> With {@link VirtualTimeEngine} time moves only inside step 4 and only
 * when the loop has nothing ready, by exactly the time to the next timer. With a shuffle seed,
 * the callbacks made ready together in one step (the inbox batch, the due timers) run in an order
 * drawn from that seed, so order-dependent code fails, and fails again with the same seed.
 *
 * <p><b>Failures: what ends a run.</b> Nothing a callback does. An exception or error thrown by a
 * promise callback, an {@link #execute} task, a timer, a readiness handler, an enter, leave or
 * exit hook goes to the async-exception hook ({@link LoopHooks#reportAsyncException}): the loop's
 * own if it was built with one ({@link Builder#asyncExceptionHook}), else the JVM-wide default;
 * and the iteration goes on with the next callback. That includes VM errors: an OutOfMemoryError or
 * StackOverflowError thrown in one callback is usually that callback's (one large allocation, one
 * deep recursion), and the stack has unwound by the time the loop sees it; ending the run would
 * drop every other connection for one client's request. An operator who wants the process to
 * end on memory exhaustion says so to the JVM ({@code -XX:+ExitOnOutOfMemoryError}). The
 * reporting path cannot end the run either: the default hook writes to standard error (no file,
 * so it works out of fds), and a hook that throws is itself reported, then dropped. What ends a
 * run: the promise {@link #run} waits for resolving (its value is returned, its failure thrown);
 * the loop closing ({@link LoopClosed}); and an engine whose poll throws {@value
 * #ENGINE_FAILURE_LIMIT} times in a row (each failure before is reported; the last is thrown):
 * that engine is broken (its epoll fd or selector is gone), and spinning on it would burn a core.
 * A VM error from a poll is reported and never counted: a full heap is not a broken engine, and
 * the timers that run before the next poll (a write timeout closing a connection) may free it.
 *
 * <p><b>Interrupts.</b> An interrupt of the loop thread (a callback's {@code
 * Thread.currentThread().interrupt()}, an embedding application's) neither ends a run nor makes
 * the loop spin. While the thread's interrupt status is set, a park (the pure engine) and a
 * Selector's select (the NIO engine) return at once, so a status left set would turn every later
 * block into a busy loop burning a core (epoll_wait, a native call, ignores it). So the block in
 * step 4 clears the status it finds and takes it as a wakeup (that poll does not wait; the next
 * ones block as usual), and the loop sets the status again when it hands the thread back: when
 * {@link #run} or {@link #runOnce} returns or throws, and when a {@link #close()} called on the
 * loop thread returns; the thread {@link #start()} made keeps it to its end. A host driving
 * {@code runOnce} from Agrona's AgentRunner thus sees its interrupt after the iteration, which is
 * how AgentRunner stops (it ends the duty cycle when an iteration did no work and the thread is
 * interrupted). An interrupt is not a request to stop the loop, as nothing a callback does ends a
 * run: {@link #close()} stops it.
 *
 * <p><b>Shutdown</b> happens in two phases, both on the loop thread.
 * <ol>
 *   <li><b>Exit hooks</b> ({@link #beginExit}), at the end of the iteration in which {@link
 *       #close()} was asked for (or at once, in {@code close()} called on the loop thread outside
 *       an iteration). The hooks of {@link #atExit} and {@link #onExit} form one stack: the hook
 *       added last runs first, and a hook added while the hooks run (by a hook) runs next. A
 *       hook is called, then the next one only once the promise it returned has resolved (an
 *       {@code onExit} hook is done when it returns). Meanwhile the loop is fully alive: it keeps
 *       iterating, its timers fire, paused promises resume, I/O is dispatched, and {@code
 *       execute}/{@code submit} are accepted, so the work a hook starts (a pause, a sleep, a
 *       drain of open connections) runs to completion; only the block in step 4 no longer
 *       returns at once for the close. A hook that throws, or whose promise is rejected, is
 *       reported to the async-exception hook and the next one runs. All the hooks together are
 *       bounded by the grace period ({@link Builder#exitGrace}, or the one {@link
 *       #close(Duration)} was given), a timer on the loop's clock: when it fires, the hook still
 *       running is reported as {@link ExitGraceExpired} and its promise cancelled; the hooks not
 *       started yet are still called, newest first, since most only release something, but not
 *       waited for: a promise of theirs still pending is reported the same way and cancelled;
 *       and the second phase follows in the same iteration.
 *   <li><b>Release</b> ({@link #shutdown}), at the end of the iteration in which the hooks ended
 *       (at once if none waited): the loop refuses new work ({@code execute} throws, {@code
 *       submit}'s future fails, both with {@link LoopClosed}), then runs the {@code execute} tasks
 *       it accepted before and no iteration took, in the order queued (each ran exactly once,
 *       as {@code execute} promised; {@link Inbox}, "Closing", says why no task is lost or run
 *       twice however producers race the close), and fails the futures of the submissions still
 *       queued, their work not started. Then it ends the {@link Bridges} still open, whose other
 *       side is on another thread and would otherwise wait, or work, for ever: a {@link
 *       StreamPublisher}'s subscriber gets {@code onError(LoopClosed)}, a {@link
 *       PublisherStream}'s subscription is cancelled and its waiting read rejected, a {@link
 *       Bridges#fromStage} stage is cancelled and its promise rejected. Then it rejects what is
 *       pending with {@code LoopClosed}: each timer's promise (by expiring the whole wheel with a
 *       rejecting handler), each submission whose promise is still running (its future fails,
 *       then its promise is cancelled), and last each paused promise (unless another loop shares
 *       the thread: paused promises belong to the thread, not to a loop, so the other loop goes
 *       on waking them all, this loop's chains that pause again included), with those their
 *       callbacks pause meanwhile, for at most 1,024 rounds, so that a chain which pauses again
 *       on every failure cannot hold the close (its last pause is left pending). Paused
 *       promises last, so that what the earlier rejections' callbacks pause (a recover that
 *       pauses before it retries) is rejected too; {@link Promise#pauseThen} tasks are dropped
 *       there without running. Then the engine is closed and the watchdog thread joined.
 * </ol>
 * Who drives the iterations of the first phase: the thread {@link #start()} made, until the
 * release; {@link #run(Promise)}, while its promise is pending (if it resolves first, run returns
 * and the next {@code run}, {@code runOnce} or {@code close()} on the loop thread carries on);
 * a host's {@link #runOnce} calls; or {@code close()} itself, called on the loop thread outside
 * an iteration. If the engine breaks during the hooks, they are abandoned as if the grace had
 * run out. Lwt_main.at_exit is the model; the differences (per loop, failures reported rather
 * than ignored, a grace period) are deliberate.
 */
public final class Loop implements Executor, AutoCloseable, Time {

    /** The loop each thread is running now, to refuse re-entrant runs. */
    private static final ThreadLocal<Loop> RUNNING = new ThreadLocal<>();
    /** Debug mode ({@code -Dweft.debug=true}): describes timers for {@link #dumpPending()}. */
    private static final boolean DEBUG = Boolean.getBoolean("weft.debug");
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Loop.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Engine engine;
    private final Clock clock;
    /** The clock is {@link SystemClock}, so its readings and {@link System#nanoTime()}'s are one. */
    private final boolean systemClock;
    private final TimerWheel<Alarm> wheel;
    private final Inbox inbox;
    private final LoopMetrics metrics;
    private final Watchdog watchdog;
    private final SeededShuffle shuffle;
    private final Hooks enterHooks = new Hooks();
    private final Hooks leaveHooks = new Hooks();
    private final ExitHooks exitHooks = new ExitHooks();
    private final long exitGraceNanos;
    /** This loop's async-exception hook, or null to leave the thread's (by default the JVM's). */
    private final Consumer<? super Throwable> asyncExceptionHook;
    /** Made once: passing a method reference made per call would allocate every iteration. */
    private final TimerWheel.ExpiryHandler<Alarm> fireNow = this::fire;
    private final TimerWheel.ExpiryHandler<Alarm> collect = this::collect;
    private final TimerWheel.ExpiryHandler<Alarm> rejectClosed = this::rejectClosed;

    /**
     * The loop thread, bound once with a CAS and never changed. Volatile so that any thread can
     * tell whether it is the loop thread ({@link #inLoopThread}) and so that a loop bound by
     * {@link #start()} is seen bound by every thread.
     */
    private volatile Thread owner;
    /** The thread {@link #start()} made, joined by {@link #close()}; written before it starts. */
    private volatile Thread ownedThread;
    /** Set by {@link #close()} from any thread (volatile store), read by the loop after each iteration. */
    private volatile boolean closeRequested;
    /** Shutdown finished. Written by the loop thread, read by any (volatile). */
    private volatile boolean terminated;
    /**
     * The grace {@link #close(Duration)} asked for, in nanoseconds, or -1 for the builder's. Written
     * before {@link #closeRequested} (both volatile), so the loop that sees the request sees it.
     */
    private volatile long requestedGraceNanos = -1;

    // Loop thread only.
    private Submission<?> inFlight;
    /**
     * The bridges the release must end ({@link Releasable}), in the order held; null once the
     * release has taken them, so that one held later is refused. Held objects keep Object's
     * equals, so the set is by identity; linked, so that the release ends them in a repeatable order.
     */
    private LinkedHashSet<Releasable> releasables = new LinkedHashSet<>();
    private Alarm[] dueBatch = new Alarm[16];
    private Runnable[] inboxBatch = new Runnable[16];
    private int dueCount;
    /** The {@code execute} tasks the shutdown's final drain ran, counted as callbacks like any task. */
    private int tasksRunAtClose;
    private long dispatchStartNanos;
    /**
     * The previous iteration's end reading, which the next iteration takes as its start, and so,
     * when nothing runs before step 3, as "now" for the timers and the block timeout. Valid only
     * while iterations follow one another with no other code between them (a {@code run}'s or
     * {@code start}'s own loop): a stale reading would make a timer fire late by its age. So it is
     * cleared by {@link #leave} (a host's {@code runOnce} calls, the end of a {@code run}) and by
     * the close step (exit hooks run after it).
     */
    private long carriedStartNanos;
    private boolean startCarried;
    /** Steps 3 and 4: the loop clock's last reading, and whether it may stand for "now" ({@link #clockNow}). */
    private long clockReading;
    private boolean clockReadingValid;
    /** Whether this iteration's wait is being timed, so that the first dispatch stamps its end. */
    private boolean timingBlock;
    /** The promise {@link #run} waits for: once it resolves, the iteration must not block. */
    private Promise<?> awaited;
    /** The block cleared the thread's interrupt status; {@link #leave} sets it again. */
    private boolean interruptTaken;
    /** Whether the promise core was told this thread runs a loop ({@link LoopHooks#loopBound}). */
    private boolean announcedToPromises;
    /** Polls in a row that threw; see {@link #engineFailed}. */
    private int engineFailures;
    /** The thread's async-exception hook before this loop installed its own, while it runs. */
    private Consumer<? super Throwable> outerAsyncExceptionHook;
    /** The exit hooks have started ({@link #beginExit}). */
    private boolean exiting;
    /** The exit hooks are done, or the grace ran out: shut down at the end of this iteration. */
    private boolean exitDone;
    /** The promise of the exit hook being waited for, and the hook, or null. */
    private Promise<?> runningHookPromise;
    private Object runningHook;
    /** The grace of this close, and its timer (cancelled when the hooks are done in time). */
    private Duration exitGrace;
    private Promise<Void> graceTimer;

    /** How many polls in a row may throw before the engine is taken for broken and the run ends. */
    static final int ENGINE_FAILURE_LIMIT = 16;

    /** The exit hooks' grace period unless the builder or the close says otherwise (Kubernetes' default). */
    public static final Duration DEFAULT_EXIT_GRACE = Duration.ofSeconds(30);
    /**
     * The default bound on the rounds of paused promises one iteration runs before it polls the
     * engine (step 1): how long ready I/O and due timers may wait behind code that pauses in a loop.
     * 256 (was 64) so that the engine's poll is a few percent of a one-pause round, not a fifth;
     * see the class notes, "Why several pause rounds per poll".
     */
    static final int DEFAULT_MAX_PAUSE_ROUNDS = 256;

    /** No pause round after the first starts once this much time has passed in step 1 (50 µs). */
    static final long PAUSE_ROUNDS_NANOS = 50_000L;

    /**
     * How many paused promises further pause rounds wake between two checks of step 1 (the inbox,
     * a close, {@code run}'s promise, the clock for the time bound and due timers): the checks
     * cost as much as a cheap pause (a clock read about 24 ns; the inbox and the close are
     * fields other threads write), so they are spread over several (Netty reads its clock every
     * 64 tasks). A round that wakes this many or more is checked before the next one. At 8 clock
     * reads were a tenth of the loop thread's time in {@code PauseBench}'s callback row, and
     * checking the inbox, the close and {@code run}'s promise between every two rounds cost about
     * 2 of a one-pause round's 11 CPU ns ({@code PauseCpu}); at 64 a run of 256 one-pause rounds
     * is checked four times. The price: an inbox task, a close, {@code run}'s promise resolving,
     * the time bound and a due timer are seen up to 64 pauses late (about 1 µs of cheap pauses).
     */
    static final int WOKEN_PER_CLOCK_READ = 64;

    /** The rounds of paused promises the current iteration ran; set by step 1. */
    private int pauseRoundsThisIteration;
    /** Step 1: whether {@link #pauseRoundsEnd} is set for this iteration (at the first ask). */
    private boolean pauseRoundsTimed;
    /** Step 1: no pause round after the first starts once the loop's clock reads this. */
    private long pauseRoundsEnd;
    /** Step 1: promises woken by the further pause rounds since the clock was last read. */
    private int wokenSinceClockRead;
    /** {@link #anotherPauseRound}, made once: step 1 allocates nothing. */
    private final IntPredicate anotherPauseRound = this::anotherPauseRound;
    /** The bound on {@link #pauseRoundsThisIteration}; 1 is Lwt's one round per iteration. */
    private final int maxPauseRounds;

    private Loop(Builder builder) {
        this.name = builder.name != null ? builder.name : "weft-loop-" + NAMES.incrementAndGet();
        this.engine = builder.engine();
        this.clock = builder.clock();
        this.systemClock = clock == SystemClock.INSTANCE || builder.clockReadsSystemTime;
        this.wheel = new TimerWheel<>(clock.nanoTime(), builder.tickNanos);
        this.inbox = new Inbox(engine);
        this.metrics = new LoopMetrics(inbox);
        this.watchdog = builder.watchdogThresholdNanos > 0
                ? new Watchdog(name, builder.watchdogThresholdNanos, builder.watchdogSink) : null;
        this.shuffle = builder.shuffleSeed != null ? new SeededShuffle(builder.shuffleSeed) : null;
        this.exitGraceNanos = builder.exitGraceNanos;
        this.maxPauseRounds = builder.maxPauseRounds;
        this.asyncExceptionHook = builder.asyncExceptionHook;
    }

    /** A loop on a {@link PureEngine} (timers and wakeups, no I/O) and the {@link SystemClock}. */
    public static Loop create() {
        return builder().build();
    }

    /** A builder for a loop with a chosen engine, clock, timer tick, watchdog or shuffle seed. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------ driving the loop

    /**
     * Runs the loop on the calling thread until {@code promise} resolves, then returns its value
     * or throws its failure (Lwt_main.run). A {@link RuntimeException} or {@link Error} is thrown
     * as it is; a checked exception is wrapped in a {@link CompletionException}, as {@link
     * CompletableFuture#join()} does. The loop is not closed: call {@code run} again, or {@link
     * #close()}. Like {@code join}, it is not ended by an interrupt: one that comes while it runs
     * is taken as a wake-up (at once on the pure and NIO engines; on epoll, whose epoll_wait an
     * interrupt does not end, at the next block) and is set again on the thread when {@code run}
     * returns (the class notes, "Interrupts").
     *
     * <p>LOOP THREAD ONLY (the first call binds the loop to the calling thread).
     *
     * @throws IllegalStateException if called from inside a running loop (a callback must return
     *     a promise, not block on one), or from a thread other than the loop's
     * @throws LoopClosed if the loop is or gets closed before the promise resolves (a promise
     *     already resolved is returned even from a closed loop)
     */
    public <T> T run(Promise<T> promise) {
        Objects.requireNonNull(promise, "promise");
        if (terminated && !promise.isPending()) {
            return outcome(promise);
        }
        enter("run(promise)");
        awaited = promise;
        try {
            while (promise.isPending()) {
                if (terminated) {
                    throw LoopClosed.cutOff(name, "the promise run(promise) waited for");
                }
                iterate(-1);
            }
        } finally {
            awaited = null;
            leave();
        }
        return outcome(promise);
    }

    /**
     * Starts the loop on a new non-daemon thread named after the loop; it runs until {@link
     * #close()}. Any thread.
     *
     * @throws IllegalStateException if the loop is already bound to a thread
     * @throws LoopClosed if the loop is closed
     */
    public void start() {
        start(name, false);
    }

    /**
     * Starts the loop on a new thread named {@code threadName}; it runs until {@link #close()},
     * which waits for the thread to end. Any thread.
     *
     * @param daemon whether the thread is a daemon (does not keep the JVM alive)
     * @throws IllegalStateException if the loop is already bound to a thread
     * @throws LoopClosed if the loop is closed
     */
    public void start(String threadName, boolean daemon) {
        if (inbox.isClosed()) {
            throw new LoopClosed(name, "start");
        }
        Thread thread = new Thread(this::runUntilClosed, Objects.requireNonNull(threadName, "threadName"));
        thread.setDaemon(daemon);
        if (!OWNER.compareAndSet(this, null, thread)) {
            throw new IllegalStateException(name + " is already bound to thread " + owner.getName()
                    + "; a loop runs on one thread for its whole life");
        }
        ownedThread = thread;
        startWatchdog(thread);
        thread.start();
    }

    /**
     * Runs one iteration (see the class notes), blocking in the engine for at most {@code
     * maxBlockNanos}: {@code 0} never blocks, a negative value blocks until a timer is due or a
     * wakeup. For hosts that have their own loop. After an iteration in which {@link #close()}
     * was asked for, the loop shuts down. On an interrupted thread it does not block, and returns
     * with the interrupt status still set (the class notes, "Interrupts").
     *
     * <p>LOOP THREAD ONLY (the first call binds the loop to the calling thread).
     *
     * @return the number of callbacks run: paused promises woken, inbox tasks, timers, readiness
     * @throws IllegalStateException if called from inside a running loop or from another thread
     * @throws LoopClosed if the loop is closed
     */
    public int runOnce(long maxBlockNanos) {
        enter("runOnce");
        try {
            return iterate(maxBlockNanos);
        } finally {
            leave();
        }
    }

    /**
     * An Agrona {@link org.agrona.concurrent.Agent} whose {@code doWork()} runs one iteration that
     * never blocks ({@code runOnce(0)}): run it under an {@code AgentRunner} with any {@code
     * IdleStrategy}, drive it with an {@code AgentInvoker}, or compose it in a {@code
     * CompositeAgent}. The agent's thread becomes the loop thread. Any thread.
     */
    public LoopAgent asAgent() {
        return new LoopAgent(this, 0);
    }

    /**
     * Like {@link #asAgent()}, but {@code doWork()} blocks in the engine for up to {@code
     * maxBlock} when nothing is ready: the engine is the idle strategy (use Agrona's {@code
     * NoOpIdleStrategy}). Close it with {@link LoopAgent#close()} before closing the runner: that
     * wakes the engine, which AgentRunner's thread interrupt cannot do for a native epoll_wait.
     * Any thread.
     */
    public LoopAgent asAgent(Duration maxBlock) {
        return new LoopAgent(this, Math.max(1, saturatedNanos(maxBlock)));
    }

    // ------------------------------------------------------------------------ cross-thread entry

    /**
     * Runs {@code task} on the loop thread, exactly once, or throws {@link LoopClosed} and never
     * runs it. ANY THREAD, even while the loop closes. Tasks offered by one thread run in the
     * order offered (unless a shuffle seed is set). A task that throws is reported to the
     * async-exception hook ({@link LoopHooks#setAsyncExceptionHook}).
     *
     * <p>A task accepted before the loop shuts down runs in a coming iteration or, if none took
     * it, at the start of the release (class notes, "Shutdown"): the loop refuses new work by
     * then, so a sleep or an {@code execute} the task makes fails with {@code LoopClosed}. A call
     * that races the release may wait for the tasks accepted before it to run, to learn whether
     * its own ran.
     *
     * @throws LoopClosed if the loop refused the task because it is shutting down or has shut
     *     down; the task then never runs
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!inbox.offer(task)) {
            throw new LoopClosed(name, "execute");
        }
    }

    /**
     * Calls {@code work} on the loop thread and returns a future completed with the outcome of
     * the promise it returns. ANY THREAD. Either {@code work} runs exactly once and the future
     * gets its promise's outcome, or the future fails with a {@link LoopClosed} whose {@link
     * LoopClosed#refused() refused()} is true and {@code work} never runs. The one other {@code
     * LoopClosed}, {@code refused()} false, is for work that ran and whose promise was still
     * pending when the loop shut down (that promise is then cancelled). A submission still queued
     * when the release begins is refused, not started. Cancelling the future cancels the promise
     * (on the loop thread). Waiting for the future on the loop thread itself ({@code get}, {@code
     * join}) throws {@link IllegalStateException} instead of deadlocking.
     */
    public <T> CompletableFuture<T> submit(Supplier<? extends Promise<? extends T>> work) {
        Submission<T> submission = new Submission<>(this, Objects.requireNonNull(work, "work"));
        if (!inbox.offer(submission)) {
            submission.completeExceptionally(new LoopClosed(name, "submit"));
        }
        return submission;
    }

    /**
     * Like {@link #submit} for work that returns a plain value ({@code loop.call(() -> 42)}): calls
     * {@code work} on the loop thread and completes the future with what it returns, or fails it
     * with what it throws (checked exceptions included). ANY THREAD.
     */
    public <T> CompletableFuture<T> call(Callable<? extends T> work) {
        Objects.requireNonNull(work, "work");
        return submit(() -> Bridges.callNow(work));
    }

    /**
     * Makes the loop's current block in the engine, or its next one, return promptly. ANY THREAD.
     * Bursts of calls cost at most one engine wakeup while the loop is blocked.
     */
    public void wakeup() {
        inbox.nudge();
    }

    /** Whether the calling thread is this loop's thread. ANY THREAD. */
    public boolean inLoopThread() {
        return owner == Thread.currentThread();
    }

    /** Whether a thread other than the caller is bound as this loop's thread. Any thread. */
    boolean confinedElsewhere() {
        Thread bound = owner;
        return bound != null && bound != Thread.currentThread();
    }

    /** Offers an internal task, silently doing nothing if the loop refuses it. Any thread. */
    void executeQuietly(Runnable task) {
        inbox.offer(task);
    }

    // ------------------------------------------------------------------------ timers

    /**
     * A promise fulfilled once {@code duration} has passed on the loop's clock (Lwt_unix.sleep);
     * a timer never fires early. Cancelling the promise removes its timer from the wheel at once.
     * A zero or negative duration fires in the next iteration. LOOP THREAD ONLY.
     */
    @Override
    public Promise<Void> sleep(Duration duration) {
        return at(deadlineAfter(duration));
    }

    /**
     * A promise fulfilled once the clock reads {@code deadlineNanos} or later ({@link
     * Clock#nanoTime()} scale). Cancelable like {@link #sleep}. LOOP THREAD ONLY.
     */
    public Promise<Void> at(long deadlineNanos) {
        return schedule(deadlineNanos, null);
    }

    /**
     * A promise rejected with {@link Timeout} once {@code duration} has passed (Lwt_unix.timeout);
     * it is never fulfilled. Cancelling it removes its timer. LOOP THREAD ONLY.
     */
    public <T> Promise<T> timeout(Duration duration) {
        return schedule(deadlineAfter(duration), duration);
    }

    /**
     * Resolves like {@code promise}, unless {@code duration} passes first: then {@code promise}
     * is cancelled and the result is rejected with {@link Timeout} (Lwt_unix.with_timeout). If
     * {@code promise} wins, the timer is removed. LOOP THREAD ONLY.
     */
    public <T> Promise<T> withTimeout(Duration duration, Promise<T> promise) {
        Objects.requireNonNull(promise, "promise");
        return Promise.pick(List.of(promise, this.<T>timeout(duration)));
    }

    private <T> Promise<T> schedule(long deadlineNanos, Duration timeout) {
        if (inbox.isClosed()) { // before the thread check: a closed loop answers any thread the same way
            return Promise.rejected(new LoopClosed(name, timeout == null ? "sleep" : "timeout"));
        }
        checkLoopThread();
        Resolver<T> resolver = Promise.task();
        if (DEBUG) {
            LoopHooks.describePending(resolver.promise(), () -> describeTimer(deadlineNanos, timeout));
        }
        Alarm alarm = new Alarm(this, wheel, deadlineNanos, resolver, timeout);
        wheel.schedule(alarm);
        resolver.promise().onCancel(alarm);
        metrics.timersPending(wheel.size());
        return resolver.promise();
    }

    private String describeTimer(long deadlineNanos, Duration timeout) {
        double dueInSeconds = (deadlineNanos - clock.nanoTime()) / 1e9;
        return String.format("%s timer due in %.3f s", timeout == null ? "a sleep" : "a " + timeout + " timeout",
                dueInSeconds);
    }

    // ------------------------------------------------------------------------ diagnostics

    /**
     * The promises this loop's thread made that are still pending, grouped by what they wait on
     * (a timer and its deadline, a socket read, a stream, a mutex, another promise) and where they
     * were made, with their counts and ages: a stuck server with 10,000 connections reads as a few
     * lines. Needs debug mode ({@code -Dweft.debug=true}), which records where each promise is
     * made; without it the report is empty and says so. LOOP THREAD ONLY; from another thread use
     * {@code loop.call(loop::dumpPending)}, which answers once the loop is between callbacks.
     *
     * @return the report; {@code toString()} is its readable form
     */
    public PendingReport dumpPending() {
        checkLoopThread();
        return LoopHooks.pendingReport("Pending promises of loop '" + name + "' at " + Instant.now()
                + " (" + wheel.size() + " timers armed, " + LoopHooks.pausedCount() + " paused)");
    }

    /** Loop thread: a sleep or timeout was cancelled. */
    void cancelTimer(Alarm alarm) {
        if (wheel.cancel(alarm)) {
            metrics.timersPending(wheel.size());
        }
    }

    /** Times the loop got ready to block; each allows at most one wakeup. Loop thread, or after it ended. */
    long blockAttempts() {
        return inbox.blockAttempts();
    }

    /** Loop thread: the timers on the wheel, read straight from it (tests, close). */
    int pendingTimers() {
        return wheel.size();
    }

    private long deadlineAfter(Duration duration) {
        long delay = Math.max(0, saturatedNanos(duration));
        long now = clock.nanoTime();
        long deadline = now + delay;
        return deadline < now ? Long.MAX_VALUE : deadline;
    }

    /** {@code duration} in nanoseconds, saturated at Long's bounds. Null-checked. */
    static long saturatedNanos(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    // ------------------------------------------------------------------------ readiness

    /**
     * Watches a readiness source of the loop's engine (an fd, an event channel); {@code handler}
     * runs on the loop thread in step 5 of an iteration (see the class notes). LOOP THREAD ONLY.
     *
     * @throws UnsupportedOperationException if the engine has no readiness sources
     * @throws IllegalStateException if the source is already registered
     */
    public void register(int source, int interest, Engine.ReadyHandler handler) {
        checkLoopThread();
        engine.register(source, interest, new Readiness(this, Objects.requireNonNull(handler, "handler")));
    }

    /** Changes the interest set of a watched source; {@code 0} pauses it. LOOP THREAD ONLY. */
    public void modify(int source, int interest) {
        checkLoopThread();
        engine.modify(source, interest);
    }

    /** Stops watching a source; its handler is never called again. LOOP THREAD ONLY. */
    public void unregister(int source) {
        checkLoopThread();
        engine.unregister(source);
    }

    /** Loop thread, inside {@link Engine#poll}: runs one readiness handler. */
    void dispatch(Engine.ReadyHandler handler, int readyEvents) {
        if (timingBlock && dispatchStartNanos == 0) {
            dispatchStartNanos = System.nanoTime(); // blocking ended at the first dispatch
        }
        callbackStarted();
        try {
            handler.onReady(readyEvents);
        } catch (Throwable failure) {
            LoopHooks.reportAsyncException(failure);
        } finally {
            callbackEnded();
        }
    }

    // ------------------------------------------------------------------------ hooks

    /**
     * Runs {@code hook} at the start of every iteration, after the hooks added before it
     * (Lwt_main.Enter_iter_hooks). LOOP THREAD ONLY.
     *
     * @return an action that removes the hook (LOOP THREAD ONLY)
     */
    public Runnable onEnterIteration(Runnable hook) {
        checkLoopThread();
        return enterHooks.add(hook);
    }

    /**
     * Runs {@code hook} at the end of every iteration, after the hooks added before it
     * (Lwt_main.Leave_iter_hooks). LOOP THREAD ONLY.
     *
     * @return an action that removes the hook (LOOP THREAD ONLY)
     */
    public Runnable onLeaveIteration(Runnable hook) {
        checkLoopThread();
        return leaveHooks.add(hook);
    }

    /**
     * Runs {@code hook} once when the loop closes, as an exit hook that is done when it returns;
     * it takes its turn among the {@link #atExit} hooks (newest first, see the class notes,
     * "Shutdown"). LOOP THREAD ONLY.
     *
     * @return an action that removes the hook if it has not run yet (LOOP THREAD ONLY)
     * @throws LoopClosed if the exit hooks are done (the loop is closed or about to be): this
     *     hook would never run, so release what it would have released now
     */
    public Runnable onExit(Runnable hook) {
        acceptExitHook("onExit");
        return exitHooks.add(hook);
    }

    /**
     * Adds an exit hook that returns a promise (Lwt_main.at_exit): when the loop closes, {@code
     * hook} is called in its turn, newest first, and the next hook starts only once the promise
     * it returned has resolved. The loop runs normally meanwhile, so the work the hook starts
     * (pauses, timers, I/O, other connections' chains) runs to completion. A hook that throws or
     * whose promise is rejected is reported to the async-exception hook and the next one runs.
     * All the hooks together are bounded by the close's grace period ({@link
     * Builder#exitGrace}, {@link #close(Duration)}); see the class notes, "Shutdown". LOOP
     * THREAD ONLY.
     *
     * @param hook called on the loop thread at close; returns the promise to wait for
     * @return an action that removes the hook if it has not run yet (LOOP THREAD ONLY)
     * @throws LoopClosed if the exit hooks are done (the loop is closed or about to be): this
     *     hook would never run, so release what it would have released now
     */
    public Runnable atExit(Supplier<? extends Promise<?>> hook) {
        acceptExitHook("atExit");
        return exitHooks.add(hook);
    }

    /**
     * Refuses an exit hook that could never run, the hooks being done: a hook kept then would be
     * a cleanup silently skipped. Closed is answered the same on any thread, as for a sleep.
     */
    private void acceptExitHook(String operation) {
        if (terminated) {
            throw new LoopClosed(name, operation);
        }
        checkLoopThread();
        if (exitDone) {
            throw new LoopClosed(name, operation);
        }
    }

    // ------------------------------------------------------------------------ close

    /**
     * Closes the loop with the builder's exit grace ({@link Builder#exitGrace}, 30 s by default):
     * see {@link #close(Duration)}. Idempotent. ANY THREAD.
     */
    @Override
    public void close() {
        closeWithGrace(-1);
    }

    /**
     * Closes the loop: finishes the current iteration, runs the exit hooks newest first, waiting
     * for each, for at most {@code grace} in all (what runs when is in the class notes,
     * "Shutdown"), then refuses new work, runs the {@link #execute} tasks it accepted and has not
     * run yet, rejects the work still pending with {@link LoopClosed} (timers' promises,
     * submissions' futures), and releases the engine and the watchdog thread. Idempotent: the
     * first call's grace holds. ANY THREAD:
     * <ul>
     *   <li>on the loop thread inside a callback, the exit hooks start when the iteration ends,
     *       and the run ({@link #run}, {@link #runOnce}, the thread {@link #start()} made) carries
     *       on iterating until they are done, then shuts down;
     *   <li>on the loop thread outside an iteration (or on a loop never run), the hooks start now
     *       and, if one waits, this call runs the loop's iterations until they are done, then
     *       shuts down, before returning;
     *   <li>on another thread it is requested and the loop woken; if the loop runs on a thread
     *       {@link #start()} made, this waits for that thread to end (hooks included), otherwise
     *       the hooks start at the end of the host's current or next iteration and the host's
     *       next iterations finish them.
     * </ul>
     *
     * @param grace how long the exit hooks may take in all; zero or negative cancels a hook that
     *     waits at once
     */
    public void close(Duration grace) {
        closeWithGrace(Math.max(0, saturatedNanos(grace)));
    }

    private void closeWithGrace(long graceNanos) {
        Thread me = Thread.currentThread();
        OWNER.compareAndSet(this, null, me); // a loop never run closes on the caller
        requestClose(graceNanos);
        if (owner == me) {
            if (RUNNING.get() != this && !terminated) {
                installAsyncExceptionHook(); // the hooks' failures are this loop's too
                try {
                    exitHere();
                } finally {
                    restoreAsyncExceptionHook();
                }
            }
            return;
        }
        Thread thread = ownedThread;
        if (thread != null) {
            joinUninterruptibly(thread);
        }
    }

    /**
     * Asks the loop to close with {@code graceNanos} (-1: the builder's) and wakes it, without
     * waiting. The first request's grace holds. ANY THREAD.
     */
    void requestClose(long graceNanos) {
        if (!closeRequested) {
            requestedGraceNanos = graceNanos; // volatile, before the flag the loop reads
            closeRequested = true;
        }
        if (!inLoopThread()) {
            inbox.nudge(); // after the loop ended the inbox is awake: the nudge calls no engine
        }
    }

    /**
     * Loop thread, outside an iteration: starts the exit hooks, runs iterations while one waits,
     * then shuts down. Queued work runs only if a hook waits: a loop whose hooks are all done at
     * once shuts down without another iteration, as it always has.
     */
    private void exitHere() {
        Loop outer = RUNNING.get();
        RUNNING.set(this); // a hook that closes the loop again only asks, as inside any callback
        try {
            if (!exiting) {
                beginExit();
            }
            while (!exitDone) {
                iterate(-1); // the iteration that ends the hooks also shuts down
            }
        } catch (Throwable failure) { // the engine broke under the hooks
            LoopHooks.reportAsyncException(failure);
        } finally {
            RUNNING.set(outer);
        }
        if (!terminated) {
            abandonExit();
            shutdown();
        }
        giveInterruptBack(); // close() returns to its caller as leave() does
    }

    /**
     * Loop thread: starts the exit hooks (newest first) and the grace timer. Runs as many hooks
     * as finish at once; the first that waits is resumed by its promise's callback.
     */
    private void beginExit() {
        exiting = true;
        long grace = requestedGraceNanos >= 0 ? requestedGraceNanos : exitGraceNanos;
        exitGrace = Duration.ofNanos(grace);
        runExitHooks();
        if (!exitDone) {
            long now = clock.nanoTime();
            long deadline = now + grace < now ? Long.MAX_VALUE : now + grace;
            graceTimer = schedule(deadline, null);
            graceTimer.onSuccess(v -> graceExpired());
        }
    }

    /** Loop thread: takes hooks newest first until one waits (a pending promise) or none is left. */
    private void runExitHooks() {
        for (Supplier<? extends Promise<?>> hook = exitHooks.takeNewest(); hook != null;
                hook = exitHooks.takeNewest()) {
            Promise<?> done = startExitHook(hook);
            if (done != null && done.isPending()) {
                runningHook = hook;
                runningHookPromise = done;
                done.onTermination(() -> exitHookEnded(done));
                return;
            }
        }
        exitDone = true;
        if (graceTimer != null) {
            graceTimer.cancel();
        }
    }

    /** Calls one hook; its failure, thrown or in its promise, is reported. Null if it threw. */
    private static Promise<?> startExitHook(Supplier<? extends Promise<?>> hook) {
        Promise<?> done;
        try {
            done = Objects.requireNonNull(hook.get(), () -> "exit hook " + hook + " returned null, not a promise");
        } catch (Throwable failure) {
            LoopHooks.reportAsyncException(failure);
            return null;
        }
        if (done.isRejected()) {
            LoopHooks.reportAsyncException(done.failure());
        }
        return done;
    }

    private void exitHookEnded(Promise<?> done) {
        if (runningHookPromise != done) {
            return; // the grace ran out first: that hook was reported, then cancelled
        }
        if (done.isRejected()) {
            LoopHooks.reportAsyncException(done.failure());
        }
        runningHookPromise = null;
        runningHook = null;
        runExitHooks();
    }

    /** Loop thread: the grace timer fired with hooks still to go. */
    private void graceExpired() {
        graceTimer = null;
        abandonExit();
    }

    /**
     * Loop thread: ends the wait for the exit hooks now: the running one is reported and
     * cancelled; those not started are still called (newest first), since many only release
     * something and need no wait, but not waited for: a promise of theirs still pending is
     * reported and cancelled.
     */
    private void abandonExit() {
        exitDone = true;
        Promise<?> running = runningHookPromise;
        if (running != null) {
            runningHookPromise = null;
            // Reported before the cancel, so that what the cancel sets off is read after it.
            LoopHooks.reportAsyncException(new ExitGraceExpired(name, exitGrace, runningHook, true));
            runningHook = null;
            running.cancel();
        }
        for (Supplier<? extends Promise<?>> hook = exitHooks.takeNewest(); hook != null;
                hook = exitHooks.takeNewest()) {
            Promise<?> late = startExitHook(hook);
            if (late != null && late.isPending()) {
                LoopHooks.reportAsyncException(new ExitGraceExpired(name, exitGrace, hook, false));
                late.cancel();
            }
        }
    }

    /** Whether the loop has shut down. ANY THREAD. */
    public boolean isClosed() {
        return terminated;
    }

    /**
     * Loop thread, once the exit hooks are done or abandoned: refuse new work, run the tasks
     * accepted and still queued (refusing queued submissions instead of starting their work),
     * reject what is pending, release. The tasks run first, so that what they pause, and what
     * they leave in flight, is rejected with the rest; the paused promises are rejected last,
     * after the bridges, timers and submissions, so that what those rejections' callbacks pause
     * (a recover that pauses to retry) is rejected too instead of staying on the thread's queue.
     */
    private void shutdown() {
        inbox.close(this::runAcceptedAtClose);
        metrics.callbacksRun(tasksRunAtClose);
        releaseHeld();
        while (wheel.size() > 0) {
            wheel.expire(Long.MAX_VALUE, rejectClosed);
        }
        metrics.timersPending(0);
        while (inFlight != null) {
            Submission<?> submission = inFlight;
            landed(submission);
            submission.abandon(LoopClosed.cutOff(name, "submit's work"));
        }
        if (LoopHooks.loopsBoundHere() <= (announcedToPromises ? 1 : 0)) {
            // The paused queue is the thread's: while another loop runs here, they are its pauses.
            LoopHooks.rejectPaused(LoopClosed.cutOff(name, "a paused promise"));
        }
        engine.close();
        if (watchdog != null) {
            watchdog.stop();
        }
        if (announcedToPromises) {
            LoopHooks.loopUnbound();
        }
        terminated = true;
    }

    /**
     * Loop thread, in the release after the final drain (whose tasks may still hold bridges):
     * ends each held bridge, so that no subscriber or publisher on another thread waits for a loop
     * that is gone. Before the paused promises are rejected, so that what a release pauses is
     * rejected with them ({@link #shutdown}).
     */
    private void releaseHeld() {
        LinkedHashSet<Releasable> held = releasables;
        releasables = null;
        LoopClosed why = LoopClosed.cutOff(name, "a bridge to another thread");
        for (Releasable releasable : held) {
            try {
                releasable.release(why);
            } catch (Throwable failure) {
                LoopHooks.reportAsyncException(failure);
            }
        }
    }

    /**
     * Loop thread: {@code releasable} is ended by the release unless it lets go first. False if
     * the release is over (or under way): the caller must end itself now, the loop being gone.
     */
    boolean holdUntilRelease(Releasable releasable) {
        if (releasables == null) {
            return false;
        }
        releasables.add(releasable);
        return true;
    }

    /** Loop thread: {@code releasable} ended by itself; the release need not end it. */
    void letGo(Releasable releasable) {
        if (releasables != null) {
            releasables.remove(releasable);
        }
    }

    /** Loop thread: how many bridges the release would end now; for tests. */
    int releasablesHeld() {
        return releasables == null ? 0 : releasables.size();
    }

    /**
     * The final drain's task: an {@link #execute} task (or the loop's own) runs, since its caller
     * was told it would; a submission fails its future, its work not started, since the future
     * can still say so.
     */
    private void runAcceptedAtClose(Runnable task) {
        if (task instanceof Submission<?> submission) {
            submission.completeExceptionally(new LoopClosed(name, "submit"));
        } else {
            tasksRunAtClose++;
            runTask(task);
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------ accessors

    /** The loop's name, used for its thread and in messages. ANY THREAD. */
    public String name() {
        return name;
    }

    /** The clock the loop's timers read. ANY THREAD. */
    public Clock clock() {
        return clock;
    }

    /** The loop's live counters. ANY THREAD. */
    public LoopMetrics metrics() {
        return metrics;
    }

    /**
     * The engine the loop blocks in, for I/O libraries that must know its kind (io-unix's {@code
     * Sockets.on(loop)} tells epoll from NIO by it). ANY THREAD to read; use the engine only as
     * {@link Engine} says (its loop thread), and watch sources through {@link #register}, which
     * runs handlers under the loop's failure reporting and watchdog.
     */
    public Engine engine() {
        return engine;
    }

    /**
     * The loop running on the calling thread, or empty if none is: present inside every callback
     * a loop runs (promise callbacks, tasks, timers, readiness handlers, hooks), throughout the
     * thread {@link #start()} made, and for the length of a {@link #run}, {@link #runOnce} or
     * agent {@code doWork}; empty on other threads, and on a loop's own thread between two runs.
     * For helpers that would otherwise take a {@code Loop} parameter only to pass it on. ANY
     * THREAD; one thread-local read.
     *
     * <p>An {@link Optional} rather than a nullable result, so that "not on a loop" is
     * handled where it is read: {@code Loop.current().orElseThrow()}.
     */
    public static Optional<Loop> current() {
        return Optional.ofNullable(RUNNING.get());
    }

    @Override
    public String toString() {
        return "Loop[" + name + (terminated ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------ the iteration

    /** One iteration, in the order of the class notes. Loop thread, with RUNNING set. */
    private int iterate(long maxBlockNanos) {
        IterationEvent event = IterationEvent.beginIfEnabled(); // null unless a recording wants it
        long startNanos = startCarried ? carriedStartNanos : System.nanoTime();
        int hooks = enterHooks.runInOrder();
        // 1. Paused before this iteration began, then further rounds while nothing else is ready.
        int woken = runPauseRounds();
        int rounds = pauseRoundsThisIteration;
        // 2. The cross-thread inbox, as much as it held when the drain began.
        int tasks = shuffle == null ? drainInbox() : drainInboxShuffled();
        // 3. Timers due now; one clock read for the whole step, or none if nothing has run since
        // startNanos (see "Clock reads" in the class notes).
        clockReadingValid = systemClock && hooks + woken + tasks == 0;
        clockReading = startNanos;
        int timers = fireDueTimers();
        int work = woken + tasks + timers;
        metrics.callbacksRun(work); // published before blocking, so a blocked loop shows its work
        // 4 and 5. Block (timeout 0 if anything is ready), then readiness callbacks. Only a wait
        // that may block is timed: a clock read costs ~30 ns, as much again as the rest of a
        // busy iteration's bookkeeping, and a timeout-0 poll is busy time anyway.
        clockReadingValid &= timers == 0;
        long timeout = blockTimeout(maxBlockNanos);
        long blocked = 0;
        int ready;
        if (timeout == 0) {
            ready = block(0);
        } else {
            long blockStartNanos = systemClock && clockReadingValid ? clockReading : System.nanoTime();
            dispatchStartNanos = 0;
            timingBlock = true;
            try {
                ready = block(timeout);
            } finally {
                timingBlock = false;
            }
            long blockEndNanos = dispatchStartNanos != 0 ? dispatchStartNanos : System.nanoTime();
            blocked = blockEndNanos - blockStartNanos;
        }
        LoopHooks.reportUnhandledRejections(); // debug mode only; nothing at all otherwise
        leaveHooks.runInOrder();
        long endNanos = System.nanoTime();
        metrics.endIteration(ready, rounds, blocked, endNanos - startNanos - blocked);
        carriedStartNanos = endNanos; // the next iteration of this run starts where this one ended
        startCarried = true;
        work += ready;
        if (event != null && event.shouldCommit()) {
            event.record(name, rounds, woken, tasks, timers, ready, timeout, blocked);
            event.commit();
        }
        if (closeRequested && !terminated) {
            startCarried = false; // exit hooks may run: the end reading no longer stands for "now"
            if (!exiting) {
                beginExit();
            }
            if (exitDone) {
                shutdown();
            }
        }
        return work;
    }

    /**
     * Step 1: one round of the promises paused before the iteration began, then more rounds
     * while the only ready work is paused promises, at most {@link #maxPauseRounds} rounds in
     * all and none started once {@value #PAUSE_ROUNDS_NANOS} ns have passed on the loop's clock
     * (see the class notes; the conditions are checked once per {@value #WOKEN_PER_CLOCK_READ}
     * woken). Sets {@link #pauseRoundsThisIteration}.
     *
     * @return the paused promises woken, over all rounds
     */
    private int runPauseRounds() {
        if (LoopHooks.pausedCount() == 0) {
            pauseRoundsThisIteration = 0;
            return 0;
        }
        pauseRoundsTimed = false;
        callbackStarted();
        try {
            // The rounds run inside the promise core, which asks anotherPauseRound after the first
            // and then once per WOKEN_PER_CLOCK_READ woken (every round under a watchdog, which sees
            // each round as one callback).
            return LoopHooks.wakeupPausedRounds(maxPauseRounds, watchdog == null ? WOKEN_PER_CLOCK_READ : 1,
                    anotherPauseRound);
        } finally {
            pauseRoundsThisIteration = LoopHooks.lastPauseRounds();
            callbackEnded();
        }
    }

    /**
     * Step 1's check, asked by the promise core after the first pause round and then once per
     * {@value #WOKEN_PER_CLOCK_READ} promises woken (see {@link #runPauseRounds}): whether another
     * round may start. The first ask reads the clock to set the time bound; the later ones read
     * it to check the bound and the timers.
     */
    private boolean anotherPauseRound(int wokenSinceAsked) {
        if (!onlyPausedReady() || engine.readinessWaiting()) {
            return false;
        }
        if (!pauseRoundsTimed) {
            pauseRoundsEnd = clock.nanoTime() + PAUSE_ROUNDS_NANOS;
            pauseRoundsTimed = true;
            wokenSinceClockRead = 0;
        } else {
            wokenSinceClockRead += wokenSinceAsked;
            if (wokenSinceClockRead >= WOKEN_PER_CLOCK_READ) {
                if (!noTimerDueBefore(pauseRoundsEnd)) {
                    return false;
                }
                wokenSinceClockRead = 0;
            }
        }
        callbackEnded();
        callbackStarted();
        return true;
    }

    /**
     * Whether nothing but paused promises could be ready without a poll: no inbox task, no close
     * step due, and the promise {@link #run} waits for still pending. Timers are checked apart
     * ({@link #noTimerDueBefore}), as they need the clock.
     */
    private boolean onlyPausedReady() {
        return inbox.isEmpty() && !closeStepDue() && (awaited == null || awaited.isPending());
    }

    /**
     * Whether the end of this iteration has a close step to take: start the exit hooks, or
     * release once they are done. While the hooks wait, the loop iterates as usual.
     */
    private boolean closeStepDue() {
        return closeRequested && (!exiting || exitDone);
    }

    /** Reads the clock: whether it is before {@code roundsEnd} and no timer is due at it. */
    private boolean noTimerDueBefore(long roundsEnd) {
        long now = clock.nanoTime();
        return now < roundsEnd && (wheel.size() == 0 || wheel.nextDeadline() > now);
    }

    private int drainInbox() {
        int limit = inbox.size();
        int ran = 0;
        while (ran < limit) {
            Runnable task = inbox.poll();
            if (task == null) {
                break; // an offer still in flight: the next iteration takes it
            }
            ran++;
            runTask(task);
        }
        return ran;
    }

    private int drainInboxShuffled() {
        int limit = inbox.size();
        int taken = 0;
        while (taken < limit) {
            Runnable task = inbox.poll();
            if (task == null) {
                break;
            }
            if (taken == inboxBatch.length) {
                inboxBatch = Arrays.copyOf(inboxBatch, taken * 2);
            }
            inboxBatch[taken++] = task;
        }
        shuffle.shuffle(inboxBatch, taken);
        for (int i = 0; i < taken; i++) {
            Runnable task = inboxBatch[i];
            inboxBatch[i] = null;
            runTask(task);
        }
        return taken;
    }

    private void runTask(Runnable task) {
        callbackStarted();
        try {
            task.run();
        } catch (Throwable failure) {
            LoopHooks.reportAsyncException(failure);
        } finally {
            callbackEnded();
        }
    }

    private int fireDueTimers() {
        if (wheel.size() == 0) {
            return 0;
        }
        long now = clockNow();
        int fired;
        if (shuffle == null) {
            fired = wheel.expire(now, fireNow);
        } else {
            dueCount = 0;
            fired = wheel.expire(now, collect);
            shuffle.shuffle(dueBatch, dueCount);
            for (int i = 0; i < dueCount; i++) {
                Alarm alarm = dueBatch[i];
                dueBatch[i] = null;
                runAlarm(alarm);
            }
        }
        metrics.timersPending(wheel.size());
        return fired;
    }

    private void fire(Timer<Alarm> timer) {
        runAlarm(timer.payload());
    }

    private void collect(Timer<Alarm> timer) {
        if (dueCount == dueBatch.length) {
            dueBatch = Arrays.copyOf(dueBatch, dueCount * 2);
        }
        dueBatch[dueCount++] = timer.payload();
    }

    private void runAlarm(Alarm alarm) {
        callbackStarted();
        try {
            alarm.fire();
        } catch (Throwable failure) {
            LoopHooks.reportAsyncException(failure);
        } finally {
            callbackEnded();
        }
    }

    private void rejectClosed(Timer<Alarm> timer) {
        timer.payload().reject(LoopClosed.cutOff(name, "a sleep or timeout"));
    }

    /**
     * The loop's clock for steps 3 and 4: the reading the iteration already holds if nothing has
     * run since it was taken, else a new one, which later steps may reuse while nothing runs.
     */
    private long clockNow() {
        if (!clockReadingValid) {
            clockReading = clock.nanoTime();
            clockReadingValid = true;
        }
        return clockReading;
    }

    /** The engine timeout for step 4: 0 if anything is ready, else until the next timer, capped. */
    private long blockTimeout(long maxBlockNanos) {
        if (maxBlockNanos == 0 || closeStepDue() || LoopHooks.pausedCount() > 0
                || (awaited != null && !awaited.isPending())) {
            return 0;
        }
        long timeout = -1;
        long next = wheel.nextDeadline();
        if (next != TimerWheel.NO_DEADLINE) {
            long now = clockNow();
            timeout = next <= now ? 0 : next - now; // next > now, so the difference is positive
        }
        if (maxBlockNanos > 0 && (timeout < 0 || timeout > maxBlockNanos)) {
            timeout = maxBlockNanos;
        }
        return timeout;
    }

    private int block(long timeoutNanos) {
        if (timeoutNanos != 0 && Thread.interrupted()) {
            // A set interrupt status ends every park and select at once (epoll_wait ignores it):
            // kept, it would make every later block return at once, a spin. Taken as a wakeup now
            // and given back to whoever drives the loop when it returns ("Interrupts").
            interruptTaken = true;
            timeoutNanos = 0;
        }
        if (timeoutNanos != 0 && !inbox.prepareToBlock()) {
            timeoutNanos = 0; // a task or nudge arrived after the step 2 drain
        }
        try {
            int ready = engine.poll(timeoutNanos);
            engineFailures = 0;
            return ready;
        } catch (RuntimeException | Error failure) {
            return engineFailed(failure);
        } finally {
            inbox.awake();
        }
    }

    /**
     * A poll threw (readiness handlers cannot: {@link #dispatch} catches for them, so this is
     * the engine itself). Reported, and the loop goes on; an engine that fails {@value
     * #ENGINE_FAILURE_LIMIT} polls in a row with other than a VM error is broken, and the last
     * failure ends the run.
     */
    private int engineFailed(Throwable failure) {
        if (failure instanceof VirtualMachineError) {
            // Out of memory says nothing about the engine: the next timers (write timeouts,
            // say) may free what the poll needed. Not counted towards the limit.
            LoopHooks.reportAsyncException(failure);
            return 0;
        }
        if (++engineFailures >= ENGINE_FAILURE_LIMIT) {
            engineFailures = 0;
            if (failure instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw (Error) failure;
        }
        LoopHooks.reportAsyncException(failure);
        return 0;
    }

    private void callbackStarted() {
        if (watchdog != null) {
            watchdog.callbackStarted();
        }
    }

    private void callbackEnded() {
        if (watchdog != null) {
            watchdog.callbackEnded();
        }
    }

    private void runUntilClosed() {
        RUNNING.set(this);
        installAsyncExceptionHook();
        announceLoopThread();
        try {
            while (!terminated) {
                iterate(-1);
            }
        } catch (Throwable failure) {
            LoopHooks.reportAsyncException(failure);
            if (!terminated) { // the engine is broken: no iteration can wait for a hook any more
                if (!exiting) {
                    beginExit();
                }
                abandonExit();
                shutdown();
            }
        } finally {
            leave();
        }
    }

    // ------------------------------------------------------------------------ threads

    /** Checks re-entrancy, binds the loop thread, refuses a closed loop, and marks it running. */
    private void enter(String operation) {
        Loop running = RUNNING.get();
        if (running != null) {
            throw new IllegalStateException(operation + " called from inside a callback of " + running
                    + ": a running loop cannot be run again on its own thread. Return the promise"
                    + " (flatMap) instead of waiting for it");
        }
        if (terminated) { // before the thread check: a closed loop answers any thread the same way
            throw new LoopClosed(name, operation);
        }
        bindOwner();
        RUNNING.set(this);
        installAsyncExceptionHook();
    }

    /**
     * Ends what {@link #enter} began: the thread runs no loop, has its own hook back, and its
     * interrupt status if the loop took it.
     */
    private void leave() {
        startCarried = false; // the host's time until the next run is not the loop's
        RUNNING.set(null);
        restoreAsyncExceptionHook();
        giveInterruptBack();
    }

    /** Sets the interrupt status the block cleared ({@link #block}), for the code that drives the loop. */
    private void giveInterruptBack() {
        if (interruptTaken) {
            interruptTaken = false;
            Thread.currentThread().interrupt();
        }
    }

    /** Gives the thread back the hook {@link #installAsyncExceptionHook} replaced. */
    private void restoreAsyncExceptionHook() {
        if (asyncExceptionHook != null) {
            LoopHooks.setThreadAsyncExceptionHook(outerAsyncExceptionHook);
            outerAsyncExceptionHook = null;
        }
    }

    /**
     * While this loop runs on its thread, reports made there go to its own hook, if it has one
     * (see {@link Builder#asyncExceptionHook}); the thread's previous hook is kept for {@link #leave}.
     */
    private void installAsyncExceptionHook() {
        if (asyncExceptionHook != null) {
            outerAsyncExceptionHook = LoopHooks.setThreadAsyncExceptionHook(asyncExceptionHook);
        }
    }

    /** Loop-thread methods: bind the loop to this thread if unbound, else require it is the owner. */
    private void checkLoopThread() {
        if (owner != Thread.currentThread()) {
            bindOwner();
        }
    }

    private void bindOwner() {
        Thread me = Thread.currentThread();
        if (OWNER.compareAndSet(this, null, me)) {
            startWatchdog(me);
            announceLoopThread();
            return;
        }
        Thread bound = owner;
        if (bound != me) {
            throw new IllegalStateException(name + " is confined to thread " + bound.getName()
                    + " but was called from " + me.getName()
                    + "; from other threads use execute, submit or wakeup");
        }
    }

    /**
     * Tells the promise core this thread now runs a loop, so that resolving a promise with
     * callbacks from a thread that runs none fails loudly (see {@link LoopHooks#loopBound}).
     */
    private void announceLoopThread() {
        announcedToPromises = true;
        LoopHooks.loopBound();
    }

    private void startWatchdog(Thread loopThread) {
        if (watchdog != null) {
            watchdog.start(loopThread);
        }
    }

    /** Called by {@link LoopAgent#onStart()}: the agent's thread becomes the loop thread. */
    void bindToCurrentThread() {
        bindOwner();
    }

    /** Whether the loop has shut down; for {@link LoopAgent}. */
    boolean terminated() {
        return terminated;
    }

    // ------------------------------------------------------------------------ submissions in flight

    /** Loop thread: {@code submission}'s promise is pending; remember it for close. */
    void inFlight(Submission<?> submission) {
        submission.nextInFlight = inFlight;
        if (inFlight != null) {
            inFlight.prevInFlight = submission;
        }
        inFlight = submission;
    }

    /** Loop thread: {@code submission}'s promise resolved (or close took it): forget it. */
    void landed(Submission<?> submission) {
        Submission<?> prev = submission.prevInFlight;
        Submission<?> next = submission.nextInFlight;
        if (prev != null) {
            prev.nextInFlight = next;
        } else if (inFlight == submission) {
            inFlight = next;
        } else {
            return; // not in the list (already landed)
        }
        if (next != null) {
            next.prevInFlight = prev;
        }
        submission.prevInFlight = null;
        submission.nextInFlight = null;
    }

    private static <T> T outcome(Promise<T> promise) {
        if (promise.isFulfilled()) {
            return promise.value();
        }
        Throwable failure = promise.failure();
        if (failure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        throw new CompletionException(failure);
    }

    // ------------------------------------------------------------------------ builder

    /**
     * Configures a {@link Loop}. Not thread-safe; build on one thread.
     */
    public static final class Builder {
        private String name;
        private Engine engine;
        private Clock clock;
        private long tickNanos = TimerWheel.DEFAULT_TICK_NANOS;
        private long watchdogThresholdNanos;
        private Consumer<? super LoopBlocked> watchdogSink;
        private Long shuffleSeed;
        private long exitGraceNanos = DEFAULT_EXIT_GRACE.toNanos();
        private int maxPauseRounds = DEFAULT_MAX_PAUSE_ROUNDS;
        private Consumer<? super Throwable> asyncExceptionHook;
        /** Tests only ({@link #systemTimeClock}): the clock reads System.nanoTime, as SystemClock does. */
        private boolean clockReadsSystemTime;

        private Builder() {}

        /**
         * Tests only: {@code clock} is the loop's clock and its readings are {@link
         * System#nanoTime()}'s, so the loop takes the {@link SystemClock}'s path (the iteration's
         * start reading stands for "now"; see "Clock reads"), and ClockReadsTest can count the
         * reads that path still makes.
         */
        Builder systemTimeClock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            this.clockReadsSystemTime = true;
            return this;
        }

        /**
         * How long the exit hooks may take in all when the loop closes (default {@link
         * #DEFAULT_EXIT_GRACE}); {@link Loop#close(Duration)} overrides it for one close. When it
         * runs out, the hook still running is reported ({@link ExitGraceExpired}) and cancelled,
         * the hooks not started yet are called without waiting for them, and the shutdown goes
         * on.
         *
         * @throws IllegalArgumentException if the grace is negative
         */
        public Builder exitGrace(Duration grace) {
            long nanos = saturatedNanos(grace);
            if (nanos < 0) {
                throw new IllegalArgumentException("exit grace must not be negative, was " + grace);
            }
            this.exitGraceNanos = nanos;
            return this;
        }

        /**
         * The most rounds of paused promises one iteration runs before it polls the engine
         * (default {@value Loop#DEFAULT_MAX_PAUSE_ROUNDS}; see the class notes, step 1). {@code 1}
         * is Lwt's loop exactly: every pause waits for a poll, at the cost of a system call per
         * pause on the epoll engine. A larger bound makes pauses cheaper and lets ready I/O wait
         * longer behind code that pauses in a loop (never more than 50 µs and one round).
         *
         * @throws IllegalArgumentException if {@code maxRounds} is less than 1
         */
        public Builder maxPauseRounds(int maxRounds) {
            if (maxRounds < 1) {
                throw new IllegalArgumentException("maxPauseRounds must be at least 1, was " + maxRounds);
            }
            this.maxPauseRounds = maxRounds;
            return this;
        }

        /** The loop's name (default {@code weft-loop-N}); the thread {@link #start()} makes has it. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The engine to block in (default a new {@link PureEngine}); the loop closes it. */
        public Builder engine(Engine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * The clock timers read (default {@link SystemClock}, or the clock of a {@link
         * VirtualTimeEngine} given as the engine).
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** A {@link VirtualTimeEngine} and its {@link ManualClock} at time 0: deterministic time. */
        public Builder virtualTime() {
            ManualClock manual = new ManualClock();
            this.clock = manual;
            this.engine = new VirtualTimeEngine(manual);
            return this;
        }

        /**
         * The timer wheel's tick (default 1 ms). Timers keep nanosecond deadlines and never fire
         * early whatever the tick; the tick trades the cost of sorting a slot against the cost of
         * moving long timers between levels. How late a timer fires is set by the engine: the
         * pure engine parks to the nanosecond, epoll rounds its timeout up to the millisecond.
         *
         * @throws IllegalArgumentException if the tick is not positive
         */
        public Builder timerTick(Duration tick) {
            long nanos = saturatedNanos(tick);
            if (nanos <= 0) {
                throw new IllegalArgumentException("timer tick must be positive, was " + tick);
            }
            this.tickNanos = nanos;
            return this;
        }

        /**
         * Shuffles, with a generator seeded by {@code seed}, the order of the callbacks that become
         * ready together in one step: the inbox batch and the due timers. For tests that hunt
         * order dependence; note it also breaks per-producer FIFO of {@link Loop#execute}.
         */
        public Builder shuffle(long seed) {
            this.shuffleSeed = seed;
            return this;
        }

        /**
         * Starts a watchdog thread that reports, to the System.Logger {@code dev.weft.loop} at
         * WARNING, any callback running longer than {@code threshold}.
         */
        public Builder watchdog(Duration threshold) {
            System.Logger log = System.getLogger("dev.weft.loop");
            return watchdog(threshold, blocked -> log.log(System.Logger.Level.WARNING, blocked.getMessage(), blocked));
        }

        /**
         * Starts a watchdog thread that hands {@code sink} a {@link LoopBlocked}, whose stack trace
         * is the loop thread's, once for every callback running longer than {@code threshold}
         * (Vert.x's blocked-thread checker; 100 ms is a common choice). The sink runs on the
         * watchdog thread.
         *
         * @throws IllegalArgumentException if the threshold is not positive
         */
        public Builder watchdog(Duration threshold, Consumer<? super LoopBlocked> sink) {
            long nanos = saturatedNanos(threshold);
            if (nanos <= 0) {
                throw new IllegalArgumentException("watchdog threshold must be positive, was " + threshold);
            }
            this.watchdogThresholdNanos = nanos;
            this.watchdogSink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * This loop's own async-exception hook (default: none, so the JVM-wide default of {@link
         * LoopHooks#setAsyncExceptionHook} applies). While the loop runs on its thread ({@link
         * Loop#run}, {@link Loop#runOnce}, an agent's {@code doWork}, the thread of {@link
         * Loop#start()}, and its shutdown), every async exception reported there goes to this
         * hook: failures of its callbacks, timers, tasks and readiness handlers, and, in debug mode,
         * its unhandled rejections. So a library that runs its own loop gets its own failures
         * without replacing the application's hook, and two such libraries do not fight over one.
         * The hook runs on the loop thread; if it throws, that is reported to the built-in default
         * (standard error), as for the JVM-wide hook.
         */
        public Builder asyncExceptionHook(Consumer<? super Throwable> hook) {
            this.asyncExceptionHook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** Builds the loop. It is bound to no thread until it first runs. */
        public Loop build() {
            return new Loop(this);
        }

        private Engine engine() {
            return engine != null ? engine : new PureEngine();
        }

        private Clock clock() {
            if (clock != null) {
                return clock;
            }
            return engine instanceof VirtualTimeEngine virtual ? virtual.clock() : SystemClock.INSTANCE;
        }
    }
}
