package dev.weft.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The blocked-callback checker (Vert.x's BlockedThreadChecker): a daemon thread that samples the
 * time at which the loop's current callback started and, once one callback has run longer than
 * the threshold, reports the loop thread's stack, taken while that callback still runs.
 *
 * <p><b>Threading: {@link #callbackStarted} and {@link #callbackEnded} are called by the loop
 * thread only; the checker thread only reads.</b> The loop writes {@link #startNanos} with
 * opaque stores and the checker reads it with opaque loads: each sees a whole long, the checker
 * eventually sees each change, and nothing else is published through it. A stale read can only
 * delay a report by one check interval or show a callback that just ended (then the sampled stack
 * shows what runs now; the report says so only by its content).
 *
 * <p>Each report is also a JFR event, {@link BlockedCallbackEvent}, when a recording wants it.
 */
final class Watchdog implements Runnable {

    private static final VarHandle START;

    static {
        try {
            START = MethodHandles.lookup().findVarHandle(Watchdog.class, "startNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long thresholdNanos;
    private final long intervalNanos;
    private final Consumer<? super LoopBlocked> sink;
    private final String name;
    private Thread loopThread;
    private Thread checker;
    private volatile boolean stopped;

    /** {@link System#nanoTime()} at the start of the running callback, or 0 between callbacks. */
    private long startNanos;

    Watchdog(String name, long thresholdNanos, Consumer<? super LoopBlocked> sink) {
        this.name = name;
        this.thresholdNanos = thresholdNanos;
        this.intervalNanos = Math.max(thresholdNanos / 4, 1_000_000L);
        this.sink = sink;
    }

    /** Starts checking {@code loop}, the loop's thread. */
    void start(Thread loop) {
        loopThread = loop;
        checker = new Thread(this, name + "-watchdog");
        checker.setDaemon(true);
        checker.start();
    }

    /** Stops the checker and waits for its thread to end (it ends within one check interval). */
    void stop() {
        stopped = true;
        Thread thread = checker;
        if (thread == null) {
            return;
        }
        LockSupport.unpark(thread);
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

    /** Loop thread: a callback starts now. */
    void callbackStarted() {
        START.setOpaque(this, System.nanoTime() | 1L); // never 0, which means "idle"
    }

    /** Loop thread: the callback ended. */
    void callbackEnded() {
        START.setOpaque(this, 0L);
    }

    @Override
    public void run() {
        long reported = 0;
        while (!stopped) {
            LockSupport.parkNanos(this, intervalNanos);
            long start = (long) START.getOpaque(this);
            if (start == 0 || start == reported) {
                continue;
            }
            long running = System.nanoTime() - start;
            if (running >= thresholdNanos) {
                reported = start; // one report per callback
                report(running);
            }
        }
    }

    private void report(long running) {
        StackTraceElement[] stack = loopThread.getStackTrace();
        BlockedCallbackEvent.commit(name, loopThread, running, thresholdNanos, stack);
        LoopBlocked warning = new LoopBlocked(loopThread, running, thresholdNanos, stack);
        try {
            sink.accept(warning);
        } catch (Throwable failure) {
            failure.addSuppressed(warning);
            System.getLogger("dev.weft.loop").log(System.Logger.Level.ERROR, "watchdog sink failed", failure);
        }
    }
}
