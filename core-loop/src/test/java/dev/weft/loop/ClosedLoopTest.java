package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every call on a closed loop fails with {@link LoopClosed}: in the promise or future a method
 * returns, else thrown (the rule in {@link Loop}'s class javadoc). One per call and way of closing.
 */
class ClosedLoopTest {

    /** A loop that ran on this thread and was closed here. */
    private static Loop closedAfterRunning() {
        Loop loop = Loop.create();
        loop.run(Promise.unit());
        loop.close();
        return loop;
    }

    /** A loop that ran on a thread of its own and was closed from this one. */
    private static Loop closedAfterStart() {
        Loop loop = Loop.create();
        loop.start();
        loop.close();
        return loop;
    }

    private static void assertFailsWithLoopClosed(CompletableFuture<?> future) {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
        assertInstanceOf(LoopClosed.class, failure.getCause());
    }

    @Test
    void runOfAResolvedPromiseReturnsItsValue() {
        assertEquals(1, closedAfterRunning().run(Promise.of(1)));
    }

    @Test
    void runOfAResolvedPromiseReturnsItsValueOnAnyThread() {
        assertEquals(1, closedAfterStart().run(Promise.of(1)));
    }

    @Test
    void runOfAPendingPromiseThrowsLoopClosed() {
        Loop loop = closedAfterRunning();
        assertThrows(LoopClosed.class, () -> loop.run(Promise.pending().promise()));
    }

    @Test
    void runOnceThrowsLoopClosed() {
        Loop loop = closedAfterRunning();
        assertThrows(LoopClosed.class, () -> loop.runOnce(0));
    }

    @Test
    void executeThrowsLoopClosed() {
        Loop loop = closedAfterStart();
        assertThrows(LoopClosed.class, () -> loop.execute(() -> { }));
    }

    @Test
    void submitReturnsAFutureFailedWithLoopClosed() {
        assertFailsWithLoopClosed(closedAfterStart().submit(() -> Promise.of(1)));
    }

    @Test
    void callReturnsAFutureFailedWithLoopClosed() {
        assertFailsWithLoopClosed(closedAfterStart().call(() -> 42));
    }

    @Test
    void sleepReturnsAPromiseRejectedWithLoopClosed() {
        Promise<Void> sleep = closedAfterRunning().sleep(Duration.ofSeconds(1));
        assertInstanceOf(LoopClosed.class, sleep.failure());
    }

    @Test
    void sleepOnAnotherThreadThanTheClosedLoopsReturnsAPromiseRejectedWithLoopClosed() {
        Promise<Void> sleep = closedAfterStart().sleep(Duration.ofSeconds(1));
        assertInstanceOf(LoopClosed.class, sleep.failure());
    }

    @Test
    void timeoutReturnsAPromiseRejectedWithLoopClosed() {
        Promise<String> timeout = closedAfterRunning().timeout(Duration.ofSeconds(1));
        assertInstanceOf(LoopClosed.class, timeout.failure());
    }

    @Test
    void atExitThrowsLoopClosedInsteadOfKeepingAHookThatWouldNeverRun() {
        Loop loop = closedAfterRunning();
        assertThrows(LoopClosed.class, () -> loop.atExit(Promise::unit));
    }

    @Test
    void onExitOnAnotherThreadThanTheClosedLoopsThrowsLoopClosed() {
        Loop loop = closedAfterStart();
        assertThrows(LoopClosed.class, () -> loop.onExit(() -> { }));
    }

    @Test
    void startThrowsLoopClosed() {
        Loop loop = closedAfterRunning();
        assertThrows(LoopClosed.class, loop::start);
    }

    @Test
    void startOfALoopClosedBeforeItEverRanThrowsLoopClosed() {
        Loop loop = Loop.create();
        loop.close();
        assertThrows(LoopClosed.class, loop::start);
    }
}
