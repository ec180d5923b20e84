package dev.weft.loop;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pure engine that counts {@link #wakeup()} calls (each stands for one wakeup system call),
 * says when the loop is blocked (a poll with a non-zero timeout), and can hold the loop inside
 * poll after it wakes.
 */
final class CountingEngine implements Engine {

    private final PureEngine delegate = new PureEngine();
    final AtomicLong wakeups = new AtomicLong();
    final AtomicLong blockingPolls = new AtomicLong();
    volatile boolean blocked;
    volatile boolean closed;
    /** If set, a blocking poll waits on it after waking, before returning. */
    volatile CountDownLatch holdAfterWake;

    @Override
    public void register(int source, int interest, ReadyHandler handler) {
        delegate.register(source, interest, handler);
    }

    @Override
    public void modify(int source, int interest) {
        delegate.modify(source, interest);
    }

    @Override
    public void unregister(int source) {
        delegate.unregister(source);
    }

    @Override
    public int poll(long timeoutNanos) {
        if (timeoutNanos == 0) {
            return delegate.poll(timeoutNanos);
        }
        blockingPolls.incrementAndGet();
        blocked = true;
        int n = delegate.poll(timeoutNanos);
        blocked = false;
        CountDownLatch hold = holdAfterWake;
        if (hold != null) {
            holdAfterWake = null;
            awaitUninterruptibly(hold);
        }
        return n;
    }

    /** Spins (yielding) until the loop thread is in a poll with a non-zero timeout. */
    void awaitBlocked() {
        while (!blocked) {
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted while waiting for the loop to block (test timeout?)");
            }
            Thread.yield();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // keep holding: the test releases the latch
            }
        }
    }

    @Override
    public void wakeup() {
        wakeups.incrementAndGet();
        delegate.wakeup();
    }

    @Override
    public void close() {
        closed = true;
        delegate.close();
    }
}
