package dev.weft.loop;

import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The inbox's promise at close, model-checked by Lincheck over the interleavings it explores: an
 * offer that returns true is handed to the close's final drain exactly once, and one that returns
 * false never is, however producers race the close; offers are drained in FIFO order. The
 * sequential specification is a closable FIFO queue. An iteration's drain is left out: it takes
 * tasks with a relaxed poll, which may pass over a task queued behind an offer still in flight
 * (the next iteration takes it), so it is not linearizable and need not be; the final drain waits
 * for such offers, and that is what is checked here.
 */
@Param(name = "task", gen = IntGen.class, conf = "1:9")
public class InboxLincheckTest {
    private final Inbox inbox = new Inbox(new InertEngine());

    /** Lincheck makes one instance per scenario it runs. */
    public InboxLincheckTest() {}

    /** A task that only names itself: the test reads which tasks the loop side took. */
    private record Task(int id) implements Runnable {
        @Override
        public void run() {}
    }

    /** Any thread: {@code execute}'s offer. */
    @Operation
    public boolean offer(@Param(name = "task") int id) {
        return inbox.offer(new Task(id));
    }

    /** The loop thread: the release, which closes the inbox and runs what was accepted. */
    @Operation(nonParallelGroup = "loop", runOnce = true)
    public List<Integer> close() {
        List<Integer> ran = new ArrayList<>();
        inbox.close(task -> ran.add(((Task) task).id()));
        return ran;
    }

    /**
     * Model checking, not stress: the races it targets hang on one producer being switched out
     * between its reads of {@code closed} and its offer, and the model checker reaches exactly
     * those switches on purpose (its first invocations of a scenario try the interleavings with
     * fewest switches), where stress mode would need luck from the OS scheduler. The numbers:
     * the same shapes as ever (3 threads of 2 operations, one before and one after), but 4
     * scenarios of 40 interleavings each instead of 10 of 300, because the cost is per
     * interleaving (about 11 ms of CPU each, after about 3 s of Lincheck's own start-up) and the
     * bugs show within the first few: with 2 scenarios of 20 interleavings, a quarter of this
     * budget, Lincheck failed each of three broken inboxes in each of three runs (an offer that
     * reports itself accepted after the final drain; a final drain that uses relaxedPoll and so
     * passes over an offer in flight; a producer that takes "closed on the second read" for
     * refused although the final drain ran its task). The test took 23-35 s under load with
     * 10 x 300; it takes about 5 s of CPU now.
     */
    @Test
    void anOfferRacingTheCloseIsRunOnceIfAcceptedAndNeverIfRefused() {
        new ModelCheckingOptions()
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .iterations(4)
                .invocationsPerIteration(40)
                .sequentialSpecification(ClosableQueue.class)
                .check(getClass());
    }

    /** The sequential specification: a FIFO queue that refuses offers once closed. */
    public static final class ClosableQueue {
        private final List<Integer> queued = new ArrayList<>();
        private boolean closed;

        /** An open, empty queue. */
        public ClosableQueue() {}

        /** Accepted unless closed. */
        public boolean offer(int id) {
            if (closed) {
                return false;
            }
            return queued.add(id);
        }

        /** Closes, then everything queued, oldest first. */
        public List<Integer> close() {
            closed = true;
            List<Integer> taken = new ArrayList<>(queued);
            queued.clear();
            return taken;
        }
    }

    /** An engine with nothing to poll: the inbox only asks it for wakeups, which these tests never need. */
    private static final class InertEngine implements Engine {
        @Override
        public void register(int source, int interest, ReadyHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void modify(int source, int interest) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void unregister(int source) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int poll(long timeoutNanos) {
            return 0;
        }

        @Override
        public void wakeup() {}

        @Override
        public void close() {}
    }
}
