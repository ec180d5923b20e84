package dev.weft.bench.loop;

import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One producer thread of {@link SubmitBench}: hands a batch of tasks to a loop and parks until the
 * loop has run the last of them. Each benchmark thread has its own; its {@link #sendAndAwait} runs
 * on that thread, its tasks on the loop thread.
 *
 * <p>The loop thread is the only writer of {@link #ran}; the benchmark thread reads it only after
 * seeing {@link #done} set (a volatile write after the count), which orders the two.
 */
@State(Scope.Thread)
public class Producer {

    private final Runnable count = this::countOne;
    private final Runnable finish = this::finishBatch;
    /** Tasks this producer's batches have run on the loop; loop thread writes, see the class notes. */
    private long ran;
    /** The thread parked in {@link #sendAndAwait}; written before the batch is handed over. */
    private Thread waiter;
    /** Set by the batch's last task, cleared by the waiter (volatile: it publishes {@link #ran}). */
    private volatile boolean done;

    /** Creates the state; JMH calls this. */
    public Producer() {}

    /**
     * Hands {@code tasks} tasks to {@code loop} with {@code execute}, then parks until the loop has
     * run all of them (the last one unparks this thread). Calling thread: the producer's.
     */
    public void sendAndAwait(Executor loop, int tasks) {
        waiter = Thread.currentThread();
        for (int i = 1; i < tasks; i++) {
            loop.execute(count);
        }
        loop.execute(finish);
        while (!done) {
            LockSupport.park(this);
        }
        done = false;
    }

    /** Tasks run so far; read by the producer's thread after {@link #sendAndAwait} returns. */
    public long ran() {
        return ran;
    }

    private void countOne() {
        ran++;
    }

    private void finishBatch() {
        ran++;
        done = true;
        LockSupport.unpark(waiter);
    }
}
