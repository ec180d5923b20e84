package dev.weft.promise;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * The per-thread machinery that runs callbacks when promises resolve: an explicit work stack in
 * place of the Java stack, the deferred queue of {@link Resolver#resolveLater}, and the queue of
 * {@link Promise#pause() paused} promises.
 *
 * <p>Confined to one thread; found through {@link #current()}, which caches the last thread's
 * instance so the common case costs a field read and a compare, not a ThreadLocal probe.
 *
 * <p>The work stack holds cursors: (next callback to run, the promise that resolved). Running a
 * callback may resolve another promise; its callbacks run next, before the rest of the first
 * promise's callbacks — the depth-first order of Lwt's recursive wakeup, but with memory that
 * grows with the breadth of the graph, not its depth. A cursor is advanced before its callback
 * runs, so a chain of a million binds keeps the stack at one entry.
 *
 * <p>The top cursor lives in the drain loop's locals, and the callback that settles a promise
 * returns it to the loop ({@link Callback#fire}) rather than pushing it; only the rest of an
 * interrupted cursor goes to the arrays. Why: this object and its arrays live long and so sit in
 * the old generation, where storing a young reference runs G1's card-marking post-write barrier,
 * which on JDK 25 includes a StoreLoad fence; a chain of binds, or a promise with one callback,
 * now resolves without storing into them at all (bindPending went from about CompletableFuture's
 * time to about 0.6 of it).
 *
 * <p>A paused promise whose only callback is one {@code onSuccess} consumer (the shape of a
 * callback that yields with {@code pause().onSuccess(this)}) is woken by the pause round itself,
 * without the work list ({@link #wakeLoneConsumer}), under the same rules as the drain.
 *
 * <p>Nothing leaves the drain loop but its end: a node catches what user code throws, and a VM
 * error raised inside a node (memory, stack) is reported to the async-exception hook and the
 * drain goes on, so no cursor is ever left stranded above a floor. The node that failed leaves
 * its own result pending.
 */
final class Resolution {
    private static final ThreadLocal<Resolution> PER_THREAD = ThreadLocal.withInitial(Resolution::new);

    /**
     * The instance last looked up, from whichever thread. A plain field: a stale or racing read
     * only costs a ThreadLocal probe, because {@link #thread} is final and so safely published.
     */
    private static Resolution last;

    private final Thread thread = Thread.currentThread();

    /**
     * Loops bound to a thread and not yet shut down, in the whole JVM ({@link LoopHooks#loopBound}).
     * Read only on the rare path where a thread that runs no loop resolves a promise that has
     * callbacks, so its volatile read costs the hot path nothing.
     */
    private static final AtomicInteger LOOPS_BOUND = new AtomicInteger();

    /** How many live loops are bound to this thread: 0 means it runs no loop. */
    private int loopsBoundHere;

    private Object[] cursors = new Object[16];
    private Promise<?>[] sources = new Promise<?>[16];
    private int top;

    /** How many drains are running on this thread; 0 means we are not inside a callback. */
    private int depth;

    /**
     * How deeply flatMap/recover/tryBind on resolved promises are nested on the Java stack. Past
     * this many, the call is deferred: deep enough that ordinary code never sees it, shallow
     * enough that user frames in between cannot exhaust a 512 KiB stack.
     */
    static final int MAX_NESTING = 256;

    private int nesting;

    /**
     * The values {@link Promise#withValue} binds for the code running now on this thread, or null
     * (see {@link Context}): what {@link ContextKey#get} reads and what new callbacks capture.
     */
    Context context;

    /** FIFO of (callback list, source) pairs whose run was deferred by resolveLater. */
    private Object[] deferred = new Object[8];
    private int deferredHead;
    private int deferredTail;

    /**
     * The paused entries, a ring of {@link #pausedHead} to {@link #pausedTail} (free-running
     * counts, masked on access; the length is a power of two): each a promise {@link
     * Promise#pause()} made, or a Runnable {@link Promise#pauseThen} parked. A round takes the
     * entries between the head and the tail it found, so what they pause lands beyond that tail,
     * in the next round. One array for both, where a list per round swapped with a spare would
     * store two references into this long-lived object per round (each may run the card-marking
     * barrier, see the class notes); a pause stores one, its own slot. One ring for promises and
     * tasks, so that the two kinds resume in the order they paused.
     */
    private Object[] paused = new Object[MIN_PAUSED_LENGTH];
    /** The least length of {@link #paused}, a power of two. */
    private static final int MIN_PAUSED_LENGTH = 16;
    private int pausedHead;
    private int pausedTail;
    /** Promises woken since {@link #paused} was last renewed ({@link #renewPaused}). */
    private int wokenSinceRenewed;
    /** How many promises are woken, at least, between two renewals of {@link #paused}. */
    private static final int WOKEN_PER_RENEWAL = 256;
    /** The rounds the last {@link #wakeupPausedRounds} call ran, for the loop's metrics. */
    private int lastPauseRounds;

    private Resolution() {}

    static Resolution current() {
        Resolution cached = last;
        if (cached != null && cached.thread == Thread.currentThread()) {
            return cached;
        }
        Resolution mine = PER_THREAD.get();
        last = mine;
        return mine;
    }

    /** This thread is now the thread of one more loop. */
    void loopBound() {
        loopsBoundHere++;
        LOOPS_BOUND.incrementAndGet();
    }

    /** One loop bound to this thread has shut down. */
    void loopUnbound() {
        if (loopsBoundHere > 0) {
            loopsBoundHere--;
            LOOPS_BOUND.decrementAndGet();
        }
    }

    /** How many live loops are bound to this thread. */
    int loopsBoundHere() {
        return loopsBoundHere;
    }

    /**
     * Whether this thread runs no loop while some other thread does: then a promise with callbacks
     * resolved here almost certainly belongs to that loop, and resolving it here would race with
     * it and leave it asleep (see {@link ResolvablePromise}).
     */
    boolean foreignToRunningLoops() {
        return loopsBoundHere == 0 && LOOPS_BOUND.get() > 0;
    }

    /** Whether a callback is running on this thread right now. */
    boolean insideCallback() {
        return depth > 0;
    }

    /**
     * Settles {@code root} and runs every callback this triggers before returning (Lwt's wakeup).
     * When called from inside a callback, only the work this call triggered is run here.
     */
    void resolveNow(Promise<?> root, byte state, Object result) {
        Object list = Promise.settle(root, state, result);
        if (list != null) {
            run(list, root);
        }
    }

    /**
     * Settles {@code root} at once; inside a callback its callbacks are deferred until the
     * outermost resolution finishes (FIFO), otherwise they run now (Lwt's wakeup_later).
     */
    void resolveLater(Promise<?> root, byte state, Object result) {
        if (depth == 0) {
            resolveNow(root, state, result);
            return;
        }
        Object list = Promise.settle(root, state, result);
        if (list != null) {
            enqueueDeferred(list, root);
        }
    }

    /** Runs one detached node for an already-resolved source, and what it triggers, now. */
    void runNow(Callback node, Promise<?> resolvedSource) {
        run(node, resolvedSource);
    }

    boolean nestingTooDeep() {
        return nesting >= MAX_NESTING;
    }

    void enterNested() {
        nesting++;
    }

    /** Leaves a nested call; the outermost one, outside any drain, runs the calls deferred meanwhile. */
    void exitNested() {
        if (--nesting == 0 && depth == 0) {
            runDeferred();
        }
    }

    /** Queues a call that was nested too deeply; it runs when the outermost call or drain unwinds. */
    void deferNested(Object node, Promise<?> resolvedSource) {
        enqueueDeferred(node, resolvedSource);
    }

    /** Drains {@code list} (callbacks of {@code source}); the outermost drain then runs deferred work. */
    private void run(Object list, Promise<?> source) {
        drain(list, source);
        if (depth == 0) {
            runDeferred();
        }
    }

    /**
     * Runs {@code cursor} and the callbacks that follow it, and everything they trigger, until
     * the work stack is back where it was. The current cursor is kept in locals (see the class
     * notes); a promise settled by a callback takes its place, and the rest of the cursor is
     * pushed beneath to resume after.
     */
    private void drain(Object cursor, Promise<?> source) {
        int floor = top;
        // A callback runs under the context it captured, never its resolver's (see Context).
        // Only a bound context is cleared: a null one is null again when the callbacks return.
        Context resolvers = context;
        if (resolvers != null) {
            context = null;
        }
        depth++;
        try {
            while (true) {
                Promise<?> settled;
                // a node's link is cleared only if set: a lone or last node has none, and a
                // shared node's must never be written
                try {
                    if (cursor instanceof ChainedPromise<?, ?> chained) {
                        cursor = chained.next;
                        if (cursor != null) {
                            chained.next = null;
                        }
                        settled = chained.fire(source);
                    } else if (cursor instanceof Callback callback) {
                        cursor = callback.next;
                        if (cursor != null) {
                            callback.next = null;
                        }
                        settled = callback.fire(source);
                    } else {
                        // a lone success consumer (see Promise's class notes): no link, no result
                        Callback.Listener.runLone(Promise.cast(cursor), source);
                        cursor = null;
                        settled = null;
                    }
                } catch (Throwable escaped) {
                    // Nodes catch what user code throws; only a VM error raised in the core
                    // itself (OutOfMemoryError, StackOverflowError) gets here. The cursor was
                    // advanced before the fire, so the siblings and the work pushed beneath run
                    // on: leaving the drain would strand them on this stack for ever.
                    settled = null;
                    report(escaped);
                }
                if (settled != null) {
                    Object triggered = Promise.takeCallbacks(settled);
                    if (triggered != null) {
                        if (cursor != null) {
                            push(cursor, source);
                        }
                        cursor = triggered;
                        source = settled;
                    }
                }
                if (cursor == null) {
                    if (top == floor) {
                        return;
                    }
                    int i = --top;
                    cursor = cursors[i];
                    source = sources[i];
                    cursors[i] = null;
                    sources[i] = null;
                }
            }
        } finally {
            depth--;
            if (resolvers != null) {
                context = resolvers;
            }
        }
    }

    /** Reports a failure that escaped a node; never throws, even if the report overflows the stack. */
    private static void report(Throwable escaped) {
        try {
            LoopHooks.reportAsyncException(escaped);
        } catch (Throwable alsoFailed) {
            // reportAsyncException never throws, but calling it may itself overflow the stack
        }
    }

    private void push(Object list, Promise<?> source) {
        if (top == cursors.length) {
            cursors = Arrays.copyOf(cursors, top * 2);
            sources = Arrays.copyOf(sources, top * 2);
        }
        cursors[top] = list;
        sources[top] = source;
        top++;
    }

    private void runDeferred() {
        while (deferredHead != deferredTail) {
            Object list = deferred[deferredHead];
            Promise<?> source = (Promise<?>) deferred[deferredHead + 1];
            deferred[deferredHead] = null;
            deferred[deferredHead + 1] = null;
            deferredHead = (deferredHead + 2) & (deferred.length - 1);
            drain(list, source);
        }
    }

    private void enqueueDeferred(Object list, Promise<?> source) {
        deferred[deferredTail] = list;
        deferred[deferredTail + 1] = source;
        deferredTail = (deferredTail + 2) & (deferred.length - 1);
        if (deferredTail == deferredHead) {
            growDeferred();
        }
    }

    private void growDeferred() {
        Object[] grown = new Object[deferred.length * 2];
        int firstPart = deferred.length - deferredHead;
        System.arraycopy(deferred, deferredHead, grown, 0, firstPart);
        System.arraycopy(deferred, 0, grown, firstPart, deferredHead);
        deferredHead = 0;
        deferredTail = deferred.length;
        deferred = grown;
    }

    /** Parks {@code entry}, a paused promise or a task, for the next pause round. */
    void addPaused(Object entry) {
        if (pausedTail - pausedHead == paused.length) {
            growPaused();
        }
        paused[pausedTail++ & (paused.length - 1)] = entry;
    }

    private void growPaused() {
        movePaused(paused.length * 2);
    }

    /**
     * Moves the paused promises into a new ring of {@code length} (a power of two, at least their
     * count), each kept at its count: a round in progress holds counts.
     */
    private void movePaused(int length) {
        Object[] moved = new Object[length];
        for (int i = pausedHead; i != pausedTail; i++) {
            moved[i & (length - 1)] = paused[i & (paused.length - 1)];
        }
        paused = moved;
    }

    /**
     * Moves the paused promises into a new ring, sized for them: the pauses of the rounds about
     * to run then store their promises into a young array. This object and a ring kept for long
     * are in the old generation, where each store of a new promise ran G1's post-write barrier to
     * its end, a StoreLoad fence included (perfasm: 5-6 % of a pause round trip in the fence, more
     * in the stores it waits for); a store into a young array stops at the barrier's first checks.
     * Done at the start of a call to the rounds once {@value #WOKEN_PER_RENEWAL} promises were
     * woken since the last renewal: the array (80 B at the least length) then costs a fraction
     * of a byte per pause, and a pause round trip driven one call at a time still allocates only
     * its promise (AllocationTest). It also gives back the memory of a burst of pauses.
     */
    private void renewPaused() {
        wokenSinceRenewed = 0;
        int count = pausedTail - pausedHead;
        int length = Math.max(MIN_PAUSED_LENGTH, Integer.highestOneBit(Math.max(count, 1)) << 2);
        movePaused(Math.min(length, paused.length)); // never grows: addPaused grows when it must
    }

    int pausedCount() {
        return pausedTail - pausedHead;
    }

    /**
     * Resolves the promises paused before this call, in the order they paused. Promises paused
     * by their callbacks wait for the next call.
     */
    int wakeupPaused() {
        return wakeRounds(1, 1, null);
    }

    /**
     * Runs pause rounds as {@link #wakeupPaused()} does, one after another: at most {@code
     * maxRounds}, and another only while promises are paused and {@code anotherRound} accepts
     * whenever it is asked: after the first round, then once at least {@code wokenPerAsk}
     * promises were woken since it was last asked (it is given that number).
     */
    int wakeupPausedRounds(int maxRounds, int wokenPerAsk, IntPredicate anotherRound) {
        return wakeRounds(maxRounds, wokenPerAsk, anotherRound);
    }

    /** The rounds the last {@link #wakeupPausedRounds} call on this thread ran. */
    int lastPauseRounds() {
        return lastPauseRounds;
    }

    /**
     * The most rounds {@link #rejectPaused} runs. Each round rejects what the previous one's
     * callbacks paused; a chain that pauses again on every failure never stops doing so, and a
     * loop's close must not wait for it. A chain that unwinds through pauses on purpose needs one
     * round per step, so the bound is generous.
     */
    static final int MAX_REJECT_ROUNDS = 1024;

    /**
     * Rejects the paused promises, until their callbacks stop pausing new ones or {@value
     * #MAX_REJECT_ROUNDS} rounds have run; what is paused after that is dropped, left pending.
     */
    int rejectPaused(Throwable failure) {
        int rejected = 0;
        int rounds = 0;
        while (pausedTail != pausedHead) {
            if (rounds == MAX_REJECT_ROUNDS) {
                dropPaused();
                break;
            }
            rounds++;
            int end = pausedTail;
            while (end - pausedHead > 0) {
                // a task is dropped: it stands for pause().onSuccess(...), whose callback a
                // rejection would not run either
                if (takePaused() instanceof Promise<?> promise) {
                    Promise<?> root = promise.underlying();
                    rejected++;
                    if (root.state == Promise.PENDING) {
                        resolveNow(root, Promise.REJECTED, failure);
                    }
                }
            }
        }
        lastPauseRounds = rounds;
        return rejected;
    }

    /** Forgets every paused promise, leaving each pending for good (and free to be collected). */
    private void dropPaused() {
        paused = new Object[MIN_PAUSED_LENGTH];
        pausedHead = 0;
        pausedTail = 0;
    }

    /** The oldest paused entry (a promise or a task), taken off the ring; there is one. */
    private Object takePaused() {
        // re-read each time: a callback that pauses may have grown (and so moved) the ring
        Object[] ring = paused;
        int slot = pausedHead++ & (ring.length - 1);
        Object taken = ring[slot];
        ring[slot] = null;
        return taken;
    }

    /** Resumes one paused entry: fulfils a promise, or runs a task. */
    private void resume(Object entry) {
        if (entry instanceof Promise<?> promise) {
            wake(promise);
        } else {
            runPausedTask((Runnable) entry);
        }
    }

    /**
     * Runs a task that {@link Promise#pauseThen} parked, as {@link #wakeLoneConsumer} runs a
     * paused promise's lone consumer: under no context but the one the task captured (a bound
     * one is cleared around it, as a drain clears it), what it throws to the async-exception
     * hook, and the deferred work it leaves run before the next entry when this is the outermost
     * callback.
     */
    private void runPausedTask(Runnable task) {
        Context resolvers = context;
        if (resolvers != null) {
            context = null;
        }
        int outer = depth;
        depth = outer + 1;
        try {
            task.run();
        } catch (Throwable failure) {
            LoopHooks.reportAsyncException(failure);
        } finally {
            depth = outer;
            if (resolvers != null) {
                context = resolvers;
            }
        }
        if (outer == 0) {
            runDeferred();
        }
    }

    /**
     * Whether {@code node}, a pending root's callbacks, is one success consumer stored as its own
     * node (see {@link Promise#onSuccess}): then it is the root's only callback.
     */
    private static boolean isLoneConsumer(Object node) {
        return node != null && !(node instanceof Callback) && !(node instanceof ChainedPromise<?, ?>);
    }

    /**
     * Fulfils a paused promise, or the promise it stands for if a {@code flatMap} returned it,
     * and runs what that triggers; one that was cancelled meanwhile is skipped.
     */
    private void wake(Promise<?> paused) {
        Promise<?> root = paused.underlying();
        if (root.state != Promise.PENDING) {
            return;
        }
        Object lone = root.callbacks;
        if (context == null && isLoneConsumer(lone)) {
            wakeLoneConsumer(root, lone);
        } else {
            resolveNow(root, Promise.FULFILLED, null);
        }
    }

    /**
     * Wakes a paused {@code root} whose only callback is the success consumer {@code lone}, as
     * {@link #resolveNow} would, without the drain's work list: a {@code pause().onSuccess(f)}
     * that pauses again from {@code f} is the loop's cheapest way to yield, so it skips the
     * detach, the cancellation check and the node dispatch, which cannot apply to it. Called
     * with no context bound, so the consumer runs under the one it captured as in a drain.
     * The depth is restored from a local, not decremented: the consumer's own drains leave it
     * as they found it, and the JIT need not load it again after a call it inlined.
     */
    private void wakeLoneConsumer(Promise<?> root, Object lone) {
        root.callbacks = null;
        root.state = Promise.FULFILLED;
        root.value = null;
        if (Debug.ENABLED) {
            Debug.settled(root);
        }
        int outer = depth;
        depth = outer + 1;
        try {
            Callback.Listener.runLone(Promise.cast(lone), root);
        } catch (Throwable escaped) {
            report(escaped); // a VM error in the core itself, as in drain: never thrown on
        } finally {
            depth = outer;
        }
        if (outer == 0) {
            runDeferred();
        }
    }

    /**
     * Fulfils rounds of paused promises: each round those paused before it began, in order;
     * what they pause lands beyond the round's end. The next round starts only while fewer than
     * {@code maxRounds} have run, promises are paused and {@code anotherRound} (null: always)
     * accepts when asked: after the first round, then once {@code wokenPerAsk} or more were woken
     * since.
     *
     * <p>One loop over the ring with the round's end as a mark, not a loop of rounds around a
     * loop of promises: a round of a chain that pauses in a loop is one pause, and the per-round
     * bookkeeping is then paid per pause, so it is kept to a compare of counts until the round
     * ends. Everything is in this one method on purpose: the JIT compiles the rounds, the
     * resolution and the callbacks it inlines as one body, where a loop of calls to a separately
     * compiled round paid a call, its frame and the spills around it per round. The asking is
     * spaced out for the same reason: the loop's answer reads state other threads write (its
     * inbox, a close), whose loads the JIT may not reorder with this loop's, and asking between
     * every two one-pause rounds was about a fifth of a pause's cost ({@code PauseCpu}: 2 of 11
     * CPU ns).
     *
     * @return the promises this call took off the ring (a callback's own {@code wakeupPaused}
     *     counts those it takes)
     */
    private int wakeRounds(int maxRounds, int wokenPerAsk, IntPredicate anotherRound) {
        if (wokenSinceRenewed >= WOKEN_PER_RENEWAL) {
            renewPaused();
        }
        int woken = 0;
        int wokenWhenAsked = 0;
        int rounds = 1;
        int end = pausedTail;
        while (true) {
            // "before end", not "until end": a callback that calls wakeupPaused itself may have
            // taken this round's rest and more (counts are free-running, so compare their difference)
            if (end - pausedHead > 0) {
                woken++;
                resume(takePaused());
            } else if (rounds >= maxRounds || pausedTail == pausedHead) {
                break;
            } else {
                if (rounds == 1 || woken - wokenWhenAsked >= wokenPerAsk) {
                    // stored before the ask, which may throw, not per round
                    lastPauseRounds = rounds;
                    if (anotherRound != null && !anotherRound.test(woken - wokenWhenAsked)) {
                        break;
                    }
                    wokenWhenAsked = woken;
                }
                rounds++;
                end = pausedTail;
            }
        }
        lastPauseRounds = rounds;
        wokenSinceRenewed += woken;
        return woken;
    }
}
