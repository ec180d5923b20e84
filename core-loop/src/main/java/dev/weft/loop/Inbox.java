package dev.weft.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;

/**
 * The loop's cross-thread entry: a multi-producer single-consumer queue of tasks, the flag that
 * makes a burst of offers cost at most one {@link Engine#wakeup()}, and the gate that closes it.
 * A task {@link #offer} accepts runs exactly once on the loop thread; a task it refuses never runs.
 *
 * <p><b>Threading: {@link #offer}, {@link #nudge}, {@link #size} and {@link #isClosed} may be
 * called from any thread; everything else MUST be called on the loop thread.</b>
 *
 * <p>Accessor names follow JCTools: {@code lv}/{@code sv} volatile load/store, {@code lp}/{@code
 * sp} plain, {@code so} ordered (release) store, {@code cas} compare-and-set.
 *
 * <p>The wakeup protocol (Netty's {@code wakenUp}/{@code nextWakeupNanos}): {@link #state} is
 * {@link #AWAKE} while the loop runs callbacks and will look at the queue again before it blocks,
 * and {@link #BLOCKING} from just before it decides to block until it has returned from the
 * engine. A producer offers its task, then reads the state; only if it reads BLOCKING does it try
 * to CAS it back to AWAKE, and only the producer whose CAS succeeds calls {@code
 * engine.wakeup()}. Every other producer of the burst sees AWAKE and makes no system call.
 *
 * <p>Why no wakeup is lost (a Dekker pair): the loop does {@code svState(BLOCKING)} and then
 * reads the queue; a producer writes the queue (a CAS on its producer index, a volatile
 * access) and then does {@code lvState()}. These four are volatile accesses, so they are totally
 * ordered: either the loop's read of the queue comes after the producer's write (it sees the
 * task and polls with timeout 0), or the producer's read of the state comes after the loop's
 * store (it sees BLOCKING and wakes the engine). Both may happen; then the engine is woken once
 * needlessly, which costs one spurious return from a later poll, never a lost task.
 *
 * <p><b>Closing: every offer is accepted or refused, never both, never neither.</b> A producer
 * reads {@link #closed}, offers its task, then reads {@code closed} again; the loop closes the
 * gate with {@link #close}: it stores {@code closed}, then polls the queue until it is empty
 * (the <em>final drain</em>), handing the loop what it finds to run, then counts down {@link
 * #finalDrainDone} and never takes from the queue again. An offer can end three ways:
 * <ol>
 *   <li>the first read sees {@code closed}: refused, nothing was queued;
 *   <li>the second read does not see it: accepted. That read comes before the loop's store in
 *       the total order of volatile accesses, so the offer (the queue's producer-index CAS, a
 *       volatile write) does too, and the final drain's {@code poll()}, which returns null only
 *       on an empty queue (it waits for an element whose slot is claimed but not yet written),
 *       finds the task unless an earlier iteration already ran it: it runs exactly once;
 *   <li>the second read sees {@code closed}: the task may have run (an iteration took it before
 *       the close, or the final drain did) or may never run (it was queued after the final
 *       drain). Only here does the producer pay, and only while the loop closes: it waits for
 *       the final drain to end, then, as the queue's consumer from then on (the loop never
 *       polls again; the lock of {@link #leftovers} admits one producer at a time), moves every
 *       task still queued to {@code leftovers} and looks for its own. Found: refused, and it
 *       never runs. Not found: it ran. Each task left after the final drain belongs to a
 *       producer of this third kind (a producer of the second kind had its task drained), so
 *       each is claimed by its producer and nothing stays in {@code leftovers}. A task object
 *       offered twice is matched by identity, one occurrence per claim, so the counts still add
 *       up: as many offers accepted as runs.
 * </ol>
 * The gate costs the hot path nothing over the two volatile reads of {@code closed}, which on
 * x86 are plain loads of a line that is read-shared; this is Netty's arbitration after a
 * shutdown ({@code removeTask}, then reject) for a queue whose producers cannot remove. The
 * final drain is bounded: a producer can get past the first read only once after the store.
 */
final class Inbox {

    /** The loop is running, or will re-check the queue before blocking: producers need not wake it. */
    static final int AWAKE = 0;
    /** The loop is blocking or about to: the first producer to CAS this away wakes the engine. */
    static final int BLOCKING = 1;

    private static final int CHUNK_SIZE = 1024;
    private static final VarHandle STATE;
    private static final VarHandle NUDGED;
    private static final VarHandle WAKEUPS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Inbox.class, "state", int.class);
            NUDGED = lookup.findVarHandle(Inbox.class, "nudged", boolean.class);
            WAKEUPS = lookup.findVarHandle(Inbox.class, "wakeups", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MpscUnboundedVarHandleArrayQueue<Runnable> queue =
            new MpscUnboundedVarHandleArrayQueue<>(CHUNK_SIZE);
    private final Engine engine;

    /**
     * {@link #AWAKE} or {@link #BLOCKING}. Written by the loop (volatile store before blocking,
     * ordered store after) and CAS'd by producers; read by producers with a volatile load so that
     * the Dekker argument in the class notes holds.
     */
    private int state = AWAKE;
    /**
     * A wakeup was asked for without a task ({@link #nudge}): close, or a public wakeup. Set by
     * any thread with a volatile store before the state is read, read by the loop with a volatile
     * load after it stores BLOCKING (the same Dekker pair as the queue), cleared by the loop.
     */
    private boolean nudged;
    /**
     * No offer is accepted any more. Written once by the loop thread ({@link #close}, volatile
     * store, before the final drain); read by producers before and after each offer (volatile
     * loads: the second is the other half of the Dekker pair in "Closing").
     */
    private volatile boolean closed;
    /** Counted down when the final drain is over: from then on the loop takes nothing queued. */
    private final CountDownLatch finalDrainDone = new CountDownLatch(1);
    /**
     * Tasks found queued after the final drain, each waiting for its producer to learn it was
     * refused. Its lock also makes the producers that empty the queue after the close one
     * consumer at a time, as the queue requires.
     */
    private final ArrayList<Runnable> leftovers = new ArrayList<>();
    /** Calls of {@link #prepareToBlock}: written by the loop thread only, read by tests after it ends. */
    private long blockAttempts;
    /** Engine wakeups made by producers: added to atomically by CAS winners, read with a volatile load. */
    private volatile long wakeups;

    Inbox(Engine engine) {
        this.engine = engine;
    }

    /**
     * Adds a task and wakes the loop if it is blocking and no other producer did, unless the
     * inbox is closed. Any thread.
     *
     * @return true if the task was accepted: it runs exactly once, in an iteration or in the
     *     final drain of {@link #close}; false if it was refused: it never runs
     */
    boolean offer(Runnable task) {
        if (closed) {
            return false;
        }
        queue.offer(task);
        wakeIfBlocking();
        return !closed || ranDespiteClose(task); // see "Closing" in the class notes
    }

    /**
     * A producer whose offer raced the close: waits for the final drain, then takes what is still
     * queued into {@link #leftovers}; its task ran unless it is there. Never on the loop thread:
     * only the loop stores {@link #closed}, and not while it is offering.
     */
    private boolean ranDespiteClose(Runnable task) {
        awaitFinalDrain();
        synchronized (leftovers) {
            // poll(), not relaxedPoll(): it waits out a slot claimed before ours and not yet written.
            for (Runnable left = queue.poll(); left != null; left = queue.poll()) {
                leftovers.add(left);
            }
            for (int i = leftovers.size() - 1; i >= 0; i--) {
                if (leftovers.get(i) == task) {
                    leftovers.remove(i);
                    return false;
                }
            }
            return true;
        }
    }

    private void awaitFinalDrain() {
        boolean interrupted = false;
        while (true) {
            try {
                finalDrainDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the wait is short and the answer is owed: finish it, then re-assert
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Loop thread, once: refuses every later offer, then hands {@code finalTask} each task still
     * queued, the accepted ones that no iteration took, until the queue is empty. After it
     * returns the loop never polls again; producers that raced it settle among themselves.
     */
    void close(Consumer<? super Runnable> finalTask) {
        closed = true; // volatile store: ordered before the polls below (StoreLoad), see "Closing"
        try {
            for (Runnable task = queue.poll(); task != null; task = queue.poll()) {
                finalTask.accept(task);
            }
        } finally {
            finalDrainDone.countDown(); // even if finalTask threw: producers must not wait for ever
        }
    }

    /** Whether offers are refused: the loop is shutting down or has. Any thread. */
    boolean isClosed() {
        return closed;
    }

    /** Makes the loop's current or next block return promptly, without a task. Any thread. */
    void nudge() {
        NUDGED.setVolatile(this, true);
        wakeIfBlocking();
    }

    private void wakeIfBlocking() {
        // The volatile load is the second half of the Dekker pair; the CAS elects one waker.
        if ((int) STATE.getVolatile(this) == BLOCKING && STATE.compareAndSet(this, BLOCKING, AWAKE)) {
            engine.wakeup();
            WAKEUPS.getAndAdd(this, 1L); // rare (one per block at most), so an atomic add costs nothing
        }
    }

    /** Engine wakeups producers have made. Any thread. */
    long wakeups() {
        return wakeups;
    }

    /** How many times the loop got ready to block. Loop thread, or any thread after it ended. */
    long blockAttempts() {
        return blockAttempts;
    }

    /**
     * Loop thread, before blocking: publishes BLOCKING and reports whether the loop may block,
     * that is whether no task and no nudge arrived. If it returns false the caller polls with
     * timeout 0. Each call allows at most one producer wakeup (see {@link #wakeups()}).
     */
    boolean prepareToBlock() {
        blockAttempts++;
        // Volatile store: it must be ordered before the loads below (StoreLoad), see class notes.
        STATE.setVolatile(this, BLOCKING);
        if (queue.isEmpty() && !(boolean) NUDGED.getVolatile(this)) {
            return true;
        }
        // Work is here: take the flag back so producers stop waking a loop that will not block.
        // If a producer's CAS won first, it makes the one wakeup this attempt allows.
        STATE.compareAndSet(this, BLOCKING, AWAKE);
        return false;
    }

    /**
     * Loop thread, after the engine returned: producers need not wake it until the next {@link
     * #prepareToBlock}. A release store is enough: a producer that still reads BLOCKING merely
     * makes one spurious wakeup, and the loop reads the queue before it blocks again anyway.
     */
    void awake() {
        STATE.setRelease(this, AWAKE);
        if ((boolean) NUDGED.getOpaque(this)) {
            NUDGED.setOpaque(this, false); // the nudge is consumed: the loop is awake and will look
        }
    }

    /** The next task, or null if none was offered (or the offer is still in flight). Loop thread. */
    Runnable poll() {
        return queue.relaxedPoll();
    }

    /** Whether the queue looks empty. Loop thread (any thread gets an approximation). */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** The number of queued tasks, approximate while producers are active. Any thread. */
    int size() {
        return queue.size();
    }
}
