package dev.weft.loop;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * N single-threaded loops that share nothing, each on a platform thread of its own, started and
 * closed together: Weft's way to use many cores (Seastar's shard per core, Netty's event-loop
 * group), with every loop as single-threaded as a lone {@link Loop}.
 *
 * <p><b>Threading: {@link #loop}, {@link #next}, {@link #size}, {@link #metrics}, {@link
 * #totals}, {@link #start} and {@link #close} are ANY THREAD; {@link #submit} is LOOP THREAD
 * (the thread of one of this group's loops, the caller).</b> Work reaches a loop from outside
 * through that loop's own {@link Loop#execute}/{@link Loop#submit}; from inside the group,
 * through {@link #submit}, which answers with a promise on the calling loop, so that no promise
 * is ever touched by two threads.
 *
 * <p>A loop is independent of the others: a callback that throws is reported and its loop goes
 * on (as for any {@link Loop}); a loop that is closed, alone, leaves the others running, and a
 * {@link #submit} to it fails with {@link LoopClosed} on the caller's loop. {@link #close()}
 * closes every loop and returns once each has run its exit hooks and shut down.
 *
 * <pre>{@code
 * try (LoopGroup group = LoopGroup.builder().loops(4).engines(i -> Engines.defaultEngine()).build()) {
 *     group.start();
 *     group.next().execute(() -> ...);
 * }
 * }</pre>
 *
 * <p><b>Pinning.</b> {@link Builder#affinity} gives a callback that each loop thread calls with
 * its index before it runs anything else, where an application may pin the thread with whatever
 * it has (a native library, {@code taskset} on its own thread id); Weft itself takes no native
 * dependency for it.
 */
public final class LoopGroup implements AutoCloseable {

    private final List<Loop> loops;
    private final List<Engine> engines;
    private final String name;
    private final boolean daemon;
    private final IntConsumer affinity;
    /** The round-robin cursor of {@link #next()}; any thread increments it. */
    private final AtomicInteger cursor = new AtomicInteger();
    private final AtomicInteger state = new AtomicInteger(NEW);

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private LoopGroup(Builder builder) {
        this.name = builder.name;
        this.daemon = builder.daemon;
        this.affinity = builder.affinity;
        List<Loop> made = new ArrayList<>(builder.loops);
        List<Engine> madeEngines = new ArrayList<>(builder.loops);
        try {
            for (int i = 0; i < builder.loops; i++) {
                Engine engine = builder.engines.apply(i);
                madeEngines.add(engine);
                Loop.Builder loop = Loop.builder().name(name + "-" + i).engine(engine);
                if (builder.asyncExceptionHook != null) {
                    loop.asyncExceptionHook(builder.asyncExceptionHook);
                }
                made.add(loop.build());
            }
        } catch (RuntimeException e) {
            made.forEach(Loop::close);
            throw e;
        }
        this.loops = List.copyOf(made);
        this.engines = List.copyOf(madeEngines);
    }

    /** A builder: one loop per available processor, on {@link PureEngine}s, by default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every loop on its own non-daemon (unless {@link Builder#daemon}) thread named after
     * it. ANY THREAD.
     *
     * @throws IllegalStateException if the group was already started or closed
     */
    public void start() {
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException(name + " was already started or closed; a group starts once");
        }
        for (int i = 0; i < loops.size(); i++) {
            Loop loop = loops.get(i);
            if (affinity != null) {
                int index = i;
                loop.execute(() -> affinity.accept(index)); // queued first: the thread's first task
            }
            loop.start(loop.name(), daemon);
        }
    }

    /** How many loops the group has. ANY THREAD. */
    public int size() {
        return loops.size();
    }

    /** Loop {@code index} (0 to {@code size() - 1}). ANY THREAD. */
    public Loop loop(int index) {
        return loops.get(index);
    }

    /**
     * The engine loop {@code index} blocks in, the same as {@code loop(index).engine()}. ANY
     * THREAD; use it only as that loop's {@link Engine} contract says (its loop thread).
     */
    public Engine engine(int index) {
        return engines.get(index);
    }

    /** The loops in turn, round-robin, for spreading work. ANY THREAD; lock-free. */
    public Loop next() {
        return loops.get(Math.floorMod(cursor.getAndIncrement(), loops.size()));
    }

    /**
     * The index of the group's loop whose thread is calling, or -1 if the caller is not on one.
     * ANY THREAD.
     */
    public int currentIndex() {
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i).inLoopThread()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Runs {@code work} on loop {@code target} and answers with a promise on the calling loop,
     * settled on the calling loop's thread with the outcome of the promise {@code work} returns
     * there. Cancelling the answer cancels that promise, on the target's thread. On the target
     * loop itself, {@code work} runs at once. LOOP THREAD (of one of this group's loops).
     *
     * <p>Only the value crosses: it must be safe to hand to another thread (immutable, or no
     * longer used by the target), never a promise or another loop-confined object.
     *
     * @throws IllegalStateException if the caller is not on one of this group's loop threads
     * @throws IndexOutOfBoundsException if there is no loop {@code target}
     */
    public <T> Promise<T> submit(int target, Supplier<? extends Promise<? extends T>> work) {
        Objects.requireNonNull(work, "work");
        Loop to = loops.get(target);
        int caller = currentIndex();
        if (caller < 0) {
            throw new IllegalStateException("LoopGroup.submit answers with a promise on the caller's loop, but "
                    + Thread.currentThread().getName() + " is not a thread of " + name
                    + "; from outside the group use loop(i).submit, which returns a CompletableFuture");
        }
        if (caller == target) {
            return Promise.apply(work);
        }
        // Bridges carries the outcome back through the caller's inbox and the cancel through the
        // target's, so each promise stays on its own thread.
        return Bridges.fromStage(loops.get(caller), to.submit(work));
    }

    /** Loop {@code index}'s live counters. ANY THREAD. */
    public LoopMetrics metrics(int index) {
        return loops.get(index).metrics();
    }

    /** Every loop's counters summed, read now (not one instant: see {@link LoopMetrics}). ANY THREAD. */
    public GroupMetrics totals() {
        long iterations = 0;
        long callbacks = 0;
        long timers = 0;
        long inbox = 0;
        long wakeups = 0;
        long blocked = 0;
        long busy = 0;
        for (Loop loop : loops) {
            LoopMetrics m = loop.metrics();
            iterations += m.iterations();
            callbacks += m.callbacksRun();
            timers += m.timersPending();
            inbox += m.inboxDepth();
            wakeups += m.wakeups();
            blocked += m.nanosBlocked();
            busy += m.nanosBusy();
        }
        return new GroupMetrics(loops.size(), iterations, callbacks, timers, inbox, wakeups, blocked, busy);
    }

    /** Whether every loop of the group has shut down. ANY THREAD. */
    public boolean isClosed() {
        for (Loop loop : loops) {
            if (!loop.isClosed()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Closes every loop with each loop's own exit grace: see {@link #close(Duration)}. ANY THREAD.
     */
    @Override
    public void close() {
        closeWithGrace(-1);
    }

    /**
     * Closes every loop (see {@link Loop#close(Duration)}) and, from a thread outside the group,
     * returns once each has run its exit hooks, waiting for each hook's promise for at most
     * {@code grace}, and shut down. The loops run their hooks at the same time, each on its own
     * thread. Idempotent: the first close's grace holds. ANY THREAD; called on one of the group's
     * loop threads, that loop's hooks start when its current iteration ends, but the call blocks
     * that thread until the other loops have ended, so that loop's hooks wait until then and must
     * not be needed by the others' (use the group from outside to close it), and two loops must
     * not close the group at the same time (each would wait for the other): close it from one
     * place.
     */
    public void close(Duration grace) {
        closeWithGrace(Math.max(0, Loop.saturatedNanos(grace)));
    }

    private void closeWithGrace(long graceNanos) {
        if (state.getAndSet(CLOSED) == STARTED) {
            // Ask every loop first, then wait for each: they run their hooks in parallel.
            for (Loop loop : loops) {
                loop.requestClose(graceNanos);
            }
        }
        for (Loop loop : loops) {
            if (graceNanos < 0) {
                loop.close();
            } else {
                loop.close(Duration.ofNanos(graceNanos));
            }
        }
    }

    @Override
    public String toString() {
        return "LoopGroup[" + name + ", " + loops.size() + " loops]";
    }

    /** Settings of a {@link LoopGroup}. Not thread-safe: build on one thread. */
    public static final class Builder {
        private int loops = Runtime.getRuntime().availableProcessors();
        private String name = "weft-group";
        private IntFunction<? extends Engine> engines = i -> new PureEngine();
        private IntConsumer affinity;
        private boolean daemon;
        private Consumer<? super Throwable> asyncExceptionHook;

        private Builder() {}

        /**
         * How many loops (default: one per available processor).
         *
         * @throws IllegalArgumentException if {@code count} is not positive
         */
        public Builder loops(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("a group needs at least one loop, was " + count);
            }
            this.loops = count;
            return this;
        }

        /** The group's name; loop {@code i} and its thread are named {@code name-i}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Makes loop {@code i}'s engine (default a new {@link PureEngine}); each loop closes its own. */
        public Builder engines(IntFunction<? extends Engine> engines) {
            this.engines = Objects.requireNonNull(engines, "engines");
            return this;
        }

        /**
         * A callback each loop thread runs first, with its loop's index, e.g. to pin itself to a
         * core. What it throws is reported to the async-exception hook; the loop runs on.
         */
        public Builder affinity(IntConsumer affinity) {
            this.affinity = Objects.requireNonNull(affinity, "affinity");
            return this;
        }

        /** Whether the loop threads are daemons (default false: they keep the JVM alive). */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * The async-exception hook of every loop of the group (default: none, so the JVM-wide
         * default applies); see {@link Loop.Builder#asyncExceptionHook}. It is called on each
         * loop's thread, so from several threads at once: it must be thread-safe.
         */
        public Builder asyncExceptionHook(Consumer<? super Throwable> hook) {
            this.asyncExceptionHook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** The group, its loops built and not yet started. */
        public LoopGroup build() {
            return new LoopGroup(this);
        }
    }
}
