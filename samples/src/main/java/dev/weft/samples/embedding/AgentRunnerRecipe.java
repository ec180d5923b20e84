package dev.weft.samples.embedding;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopAgent;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;

/**
 * A loop under Agrona's {@link AgentRunner}, sharing the runner's thread with another agent: a
 * {@link CompositeAgent} calls the loop's agent ({@link Loop#asAgent()}, one iteration that never
 * blocks) and the other agent in turn, and a {@link BackoffIdleStrategy} spins, yields, then parks
 * when both report no work. Other threads reach the loop with {@link Loop#submit} as usual; a
 * submission wakes the parked thread. Closing the runner closes the loop ({@code ./weft run
 * agent-runner}).
 */
public final class AgentRunnerRecipe {

    private static final long PATIENCE_SECONDS = 10;

    private AgentRunnerRecipe() {}

    /**
     * What the recipe shows.
     *
     * @param answer what work submitted from the caller's thread returned
     * @param runnerThread the runner's thread (AgentRunner names it after the agent's role)
     * @param loopWorkThread the thread the loop-side work ran on
     * @param otherAgentThread the thread the other agent's duty cycles ran on
     * @param otherAgentCycles how many duty cycles the other agent had run when the work returned
     * @param loopClosed whether the loop was closed once the runner was
     * @param runnerThreadEnded whether the runner's thread had ended
     */
    public record Outcome(String answer, String runnerThread, String loopWorkThread, String otherAgentThread, long otherAgentCycles,
            boolean loopClosed, boolean runnerThreadEnded) {}

    /**
     * Runs the recipe.
     *
     * @param args ignored
     * @throws Exception if the work fails or times out
     */
    public static void main(String[] args) throws Exception {
        Outcome outcome = demonstrate();
        System.out.println(outcome.answer() + " (loop work ran on " + outcome.loopWorkThread() + ")");
        System.out.println("the other agent ran " + outcome.otherAgentCycles() + " duty cycles on "
                + outcome.otherAgentThread());
        System.out.println("loop closed: " + outcome.loopClosed() + "; runner thread ended: " + outcome.runnerThreadEnded());
    }

    /** Runs a loop and a counting agent on one AgentRunner, submits work, then closes the runner. */
    public static Outcome demonstrate() throws ExecutionException, InterruptedException, TimeoutException {
        Loop loop = Loop.builder().name("weft-agent").build();
        LoopAgent loopAgent = loop.asAgent();
        Heartbeat heartbeat = new Heartbeat();
        // spin 100 times, yield 10 times, then park from 1 us up to 1 ms: a timer fires at most ~1 ms late
        BackoffIdleStrategy idle = new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1));
        AgentRunner runner = new AgentRunner(idle, Throwable::printStackTrace, null,
                new CompositeAgent(loopAgent, heartbeat));
        AtomicReference<Thread> runnerThread = new AtomicReference<>();
        AgentRunner.startOnThread(runner, task -> {
            runnerThread.set(new Thread(task, "agent-runner"));
            return runnerThread.get();
        });
        try {
            String[] ranOn = new String[1];
            String answer = loop.submit(() -> loop.sleep(Duration.ofMillis(10)).map(v -> {
                ranOn[0] = Thread.currentThread().getName();
                return "slept 10 ms on the loop";
            })).get(PATIENCE_SECONDS, TimeUnit.SECONDS); // get() orders ranOn's write before our read
            long cycles = heartbeat.cycles();
            String runnerName = runnerThread.get().getName();
            runner.close(); // stops the duty cycle, then the composite's onClose closes the loop
            return new Outcome(answer, runnerName, ranOn[0], heartbeat.thread(), cycles, loop.isClosed(),
                    !runnerThread.get().isAlive());
        } finally {
            runner.close();
        }
    }

    /** The other agent: counts its duty cycles and remembers its thread; it never has work. */
    private static final class Heartbeat implements Agent {
        private volatile long cycles;
        private volatile String thread;

        @Override
        public int doWork() {
            if (thread == null) {
                thread = Thread.currentThread().getName();
            }
            cycles++; // one writer: the runner's thread
            return 0;
        }

        @Override
        public String roleName() {
            return "heartbeat";
        }

        long cycles() {
            return cycles;
        }

        String thread() {
            return thread;
        }
    }
}
