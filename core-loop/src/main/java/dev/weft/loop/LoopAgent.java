package dev.weft.loop;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

/**
 * A {@link Loop} as an Agrona {@link Agent}: {@link #doWork()} runs one iteration, so the loop
 * runs under an {@code AgentRunner} with the host's {@code IdleStrategy}, is driven by the host
 * through an {@code AgentInvoker}, or shares a thread with other agents in a {@code
 * CompositeAgent}. Made by {@link Loop#asAgent()} (never blocks) or {@link
 * Loop#asAgent(java.time.Duration)} (blocks in the engine when idle).
 *
 * <p><b>Threading: {@code onStart}, {@code doWork} and {@code onClose} are called on the agent's
 * thread, which becomes the loop thread; {@link #close()} may be called from any thread.</b>
 *
 * <p>Stopping: {@code AgentRunner.close()} ends the duty cycle and calls {@link #onClose()} on
 * the agent thread, which closes the loop. A blocking agent must first be woken: call {@link
 * #close()} (any thread), which asks the loop to close and wakes its engine, because the thread
 * interrupt of {@code AgentRunner.close()} does not end a native {@code epoll_wait}. Once the loop
 * is closed, {@code doWork} throws {@link AgentTerminationException}, so the runner stops on its
 * own.
 */
public final class LoopAgent implements Agent, AutoCloseable {

    private final Loop loop;
    private final long maxBlockNanos;

    LoopAgent(Loop loop, long maxBlockNanos) {
        this.loop = loop;
        this.maxBlockNanos = maxBlockNanos;
    }

    /** The loop this agent drives. */
    public Loop loop() {
        return loop;
    }

    /** Binds the loop to the agent's thread. AGENT THREAD. */
    @Override
    public void onStart() {
        loop.bindToCurrentThread();
    }

    /**
     * Runs one iteration: {@code runOnce(0)}, or {@code runOnce(maxBlock)} for a blocking agent.
     * AGENT THREAD.
     *
     * @return the number of callbacks run, 0 when idle (for the IdleStrategy)
     * @throws AgentTerminationException once the loop is closed
     */
    @Override
    public int doWork() {
        if (loop.terminated()) {
            throw new AgentTerminationException(loop + " is closed");
        }
        return loop.runOnce(maxBlockNanos);
    }

    /** Closes the loop (exit hooks, pending work rejected, engine released). AGENT THREAD. */
    @Override
    public void onClose() {
        loop.close();
    }

    /** The loop's name. */
    @Override
    public String roleName() {
        return loop.name();
    }

    /**
     * Asks the loop to close and wakes its engine, so a blocking {@code doWork} returns and the
     * loop shuts down at the end of that iteration. ANY THREAD; does not wait.
     */
    @Override
    public void close() {
        loop.close();
    }
}
