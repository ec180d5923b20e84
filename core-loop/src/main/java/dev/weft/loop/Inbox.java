package dev.weft.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;

/**
 * The loop's cross-thread entry: a multi-producer single-consumer queue of tasks, and the flag
 * that makes a burst of offers cost at most one {@link Engine#wakeup()}.
 *
 * <p><b>Threading: {@link #offer}, {@link #nudge} and {@link #size} may be called from any
 * thread; everything else MUST be called on the loop thread.</b>
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
    /** Calls of {@link #prepareToBlock}: written by the loop thread only, read by tests after it ends. */
    private long blockAttempts;
    /** Engine wakeups made by producers: added to atomically by CAS winners, read with a volatile load. */
    private volatile long wakeups;

    Inbox(Engine engine) {
        this.engine = engine;
    }

    /** Adds a task and wakes the loop if it is blocking and no other producer did. Any thread. */
    void offer(Runnable task) {
        queue.offer(task);
        wakeIfBlocking();
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
