package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop as an Agrona Agent. */
class LoopAgentTest {

    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

    /** The runners' error handler: AgentTerminationException is how the loop agent says it is done. */
    private void failTest(Throwable error) {
        if (!(error instanceof AgentTerminationException)) {
            errors.add(error);
        }
    }

    @AfterEach
    void noAgentErrors() {
        assertEquals(List.of(), List.copyOf(errors));
    }

    @Test
    void aLoopRunsUnderAnAgentRunnerOnTheRunnersThread() throws Exception {
        Loop loop = Loop.builder().name("agent-loop").build();
        AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), this::failTest, null, loop.asAgent());
        Thread thread = AgentRunner.startOnThread(runner);

        String ranOn = loop.submit(() -> loop.sleep(Duration.ofMillis(2)).map(v -> Thread.currentThread().getName()))
                .get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> pending = loop.submit(() -> loop.sleep(Duration.ofHours(1)));
        runner.close();

        assertEquals(thread.getName(), ranOn);
        assertTrue(loop.isClosed());
        assertFalse(thread.isAlive());
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
        assertInstanceOf(LoopClosed.class, thrown.getCause());
    }

    @Test
    void aHostDrivesTheLoopThroughAnAgentInvoker() {
        Loop loop = Loop.builder().virtualTime().build();
        AgentInvoker invoker = new AgentInvoker(this::failTest, null, loop.asAgent());
        invoker.start();
        int[] fired = new int[1];
        loop.execute(() -> loop.sleep(Duration.ZERO).onSuccess(v -> fired[0]++));

        invoker.invoke();
        invoker.invoke();
        invoker.close();

        assertEquals(1, fired[0]);
        assertTrue(loop.isClosed());
    }

    @Test
    void aLoopComposesWithOtherAgentsOnOneThread() throws Exception {
        Loop loop = Loop.create();
        int[] otherWork = new int[1];
        Agent counter = new Agent() {
            @Override
            public int doWork() {
                otherWork[0]++;
                return 0;
            }

            @Override
            public String roleName() {
                return "counter";
            }
        };
        AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), this::failTest, null,
                new CompositeAgent(loop.asAgent(), counter));
        AgentRunner.startOnThread(runner);

        int answer = loop.submit(() -> Promise.pause().map(v -> 42)).get(10, TimeUnit.SECONDS);
        runner.close();

        assertEquals(42, answer);
        assertTrue(otherWork[0] > 0);
        assertTrue(loop.isClosed());
    }

    @Test
    void closingABlockingAgentWakesItsEngine() throws Exception {
        CountingEngine engine = new CountingEngine();
        Loop loop = Loop.builder().engine(engine).build();
        LoopAgent agent = loop.asAgent(Duration.ofHours(1));
        AgentRunner runner = new AgentRunner(NoOpIdleStrategy.INSTANCE, this::failTest, null, agent);
        Thread thread = AgentRunner.startOnThread(runner);
        loop.submit(() -> Promise.unit()).get(10, TimeUnit.SECONDS);

        agent.close();
        thread.join(TimeUnit.SECONDS.toMillis(30));

        assertFalse(thread.isAlive(), "the agent thread is still blocked in the engine");
        assertTrue(loop.isClosed());
        assertTrue(engine.closed);
        runner.close();
    }

    @Test
    void theAgentsDoWorkStopsTheRunnerOnceTheLoopIsClosed() throws Exception {
        Loop loop = Loop.create();
        AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), this::failTest, null, loop.asAgent());
        Thread thread = AgentRunner.startOnThread(runner);
        loop.submit(() -> Promise.unit()).get(10, TimeUnit.SECONDS);

        loop.close();
        thread.join(TimeUnit.SECONDS.toMillis(30));

        assertFalse(thread.isAlive());
        assertTrue(loop.isClosed());
        runner.close();
    }
}
