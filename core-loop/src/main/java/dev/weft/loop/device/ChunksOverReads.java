package dev.weft.loop.device;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * {@link Flow#readChunks}'s default: a reading loop over {@link Flow#read()}, so that every flow
 * has the callback mode whether or not its backend has one of its own. Loop thread only.
 *
 * <p>Reads and answers that complete at once go round a plain loop (no promise node, no stack
 * growth); a read or an answer that has to wait gets one listener, and the loop resumes from it.
 * {@link #waitingOn} is what the loop waits for, so that cancelling the reading cancels it.
 */
final class ChunksOverReads {

    private final Flow flow;
    private final Flow.ChunkHandler handler;
    private final Resolver<Void> done = Promise.task();
    /** The pending read or the handler's pending answer the loop waits for; null while it runs. */
    private Promise<?> waitingOn;

    // Made once per reading: a lambda per wait would be an allocation per wait for nothing.
    private final Consumer<Flow.Read> onRead = this::readArrived;
    private final Consumer<Boolean> onAnswer = this::answerArrived;
    private final Consumer<Throwable> onFailure = this::fail;

    private ChunksOverReads(Flow flow, Flow.ChunkHandler handler) {
        this.flow = flow;
        this.handler = handler;
    }

    /** Starts reading {@code flow} into {@code handler}; see {@link Flow#readChunks}. */
    static Promise<Void> start(Flow flow, Flow.ChunkHandler handler) {
        ChunksOverReads reading = new ChunksOverReads(flow, handler);
        reading.done.promise().onCancel(reading::cancelled);
        reading.readOn();
        return reading.done.promise();
    }

    /** Reads and hands over chunks until a read or an answer has to wait, or the reading ends. */
    private void readOn() {
        while (done.promise().isPending()) {
            Promise<Flow.Read> read = flow.read();
            if (!read.isFulfilled()) {
                waitFor(read, onRead);
                return;
            }
            if (!handOver(read.value())) {
                return;
            }
        }
    }

    /** Hands one read to the handler; true if the loop may read again at once. */
    private boolean handOver(Flow.Read read) {
        if (!(read instanceof Flow.Data(MemorySegment bytes))) {
            done.resolve(null);
            return false;
        }
        Promise<Boolean> answer;
        try {
            answer = handler.onChunk(bytes);
        } catch (Throwable failure) {
            fail(failure);
            return false;
        }
        if (answer == null) {
            fail(new NullPointerException("the chunk handler answered null; answer ChunkHandler.READ_ON or STOP"));
            return false;
        }
        if (!answer.isFulfilled()) {
            waitFor(answer, onAnswer);
            return false;
        }
        return goOn(answer.value());
    }

    private <T> void waitFor(Promise<T> promise, Consumer<T> next) {
        if (promise.isRejected()) {
            fail(promise.failure());
            return;
        }
        waitingOn = promise;
        promise.onAny(next, onFailure);
    }

    private void readArrived(Flow.Read read) {
        waitingOn = null;
        if (done.promise().isPending() && handOver(read)) {
            readOn();
        }
    }

    private void answerArrived(Boolean readOn) {
        waitingOn = null;
        if (done.promise().isPending() && goOn(readOn)) {
            readOn();
        }
    }

    /** Applies the handler's answer: true to read on; false ends the reading, and so does null, as a failure. */
    private boolean goOn(Boolean readOn) {
        if (readOn == null) {
            fail(new NullPointerException("the chunk handler answered a promise fulfilled with null;"
                    + " answer ChunkHandler.READ_ON or STOP, or a promise of true or false"));
            return false;
        }
        if (!readOn && done.promise().isPending()) {
            done.resolve(null);
        }
        return readOn;
    }

    private void fail(Throwable failure) {
        waitingOn = null;
        if (done.promise().isPending()) {
            done.reject(failure);
        }
    }

    /** The reading was cancelled: what it waited for is cancelled too (Lwt's bind does the same). */
    private void cancelled() {
        Promise<?> waiting = waitingOn;
        waitingOn = null;
        if (waiting != null) {
            waiting.cancel();
        }
    }
}
