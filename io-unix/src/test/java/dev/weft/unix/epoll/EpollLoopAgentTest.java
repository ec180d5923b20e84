package dev.weft.unix.epoll;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopAgent;
import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A loop on the epoll engine, run as a blocking Agrona agent: closing the agent must wake a thread
 * that sits in the native epoll_wait, which AgentRunner's interrupt cannot.
 */
@Timeout(60)
class EpollLoopAgentTest {

    private static boolean inEpollWait(Thread thread) {
        return Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(EpollEngine.class.getName()) && f.getMethodName().equals("poll"));
    }

    @Test
    void closingTheAgentWakesALoopBlockedInEpollWait() throws Exception {
        Loop loop = Loop.builder().engine(new EpollEngine()).build();
        LoopAgent agent = loop.asAgent(Duration.ofHours(1));
        AgentRunner runner = new AgentRunner(NoOpIdleStrategy.INSTANCE, Throwable::printStackTrace, null, agent);
        Thread thread = AgentRunner.startOnThread(runner);
        loop.submit(Promise::unit).get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!inEpollWait(thread) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(inEpollWait(thread), "the agent thread never blocked in epoll_wait");

        agent.close();
        thread.join(TimeUnit.SECONDS.toMillis(30));

        assertFalse(thread.isAlive(), "the agent thread is still blocked in epoll_wait");
        assertTrue(loop.isClosed());
        runner.close();
    }
}
