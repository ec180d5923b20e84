package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Cancelled;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A group of loops: threads, round-robin, messages between loops as promises, independence, close. */
class LoopGroupTest {

    private final LoopGroup group = LoopGroup.builder().loops(3).name("g").daemon(true).build();

    @AfterEach
    void close() {
        group.close();
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void eachLoopRunsOnAThreadOfItsOwnNamedAfterIt() throws Exception {
        group.start();
        Set<String> threads = new HashSet<>();
        for (int i = 0; i < group.size(); i++) {
            threads.add(await(group.loop(i).call(() -> Thread.currentThread().getName())));
        }
        assertEquals(Set.of("g-0", "g-1", "g-2"), threads);
    }

    @Test
    void nextVisitsEveryLoopInTurn() {
        List<Loop> visited = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            visited.add(group.next());
        }
        assertEquals(List.of(group.loop(0), group.loop(1), group.loop(2), group.loop(0), group.loop(1), group.loop(2)),
                visited);
    }

    @Test
    void theAffinityHookRunsFirstOnEachLoopThreadWithItsIndex() throws Exception {
        ConcurrentHashMap<Integer, String> calls = new ConcurrentHashMap<>();
        CountDownLatch called = new CountDownLatch(2);
        try (LoopGroup pinned = LoopGroup.builder().loops(2).name("p").daemon(true)
                .affinity(i -> {
                    calls.put(i, Thread.currentThread().getName());
                    called.countDown();
                }).build()) {
            pinned.start();
            assertTrue(called.await(10, TimeUnit.SECONDS));
            assertEquals(java.util.Map.of(0, "p-0", 1, "p-1"), calls);
        }
    }

    @Test
    void submitRunsTheWorkOnTheTargetAndAnswersOnTheCallersThread() throws Exception {
        group.start();
        CompletableFuture<String> seen = group.loop(0).submit(() -> group.<String>submit(2,
                () -> Promise.of(Thread.currentThread().getName()))
                .map(ranOn -> ranOn + " answered on " + Thread.currentThread().getName()));
        assertEquals("g-2 answered on g-0", await(seen));
    }

    @Test
    void aRejectionCrossesBackUnchanged() throws Exception {
        group.start();
        IllegalArgumentException thrown = new IllegalArgumentException("bad");
        CompletableFuture<Throwable> seen = group.loop(0).submit(() -> group.<String>submit(1,
                () -> Promise.rejected(thrown)).<Throwable>map(v -> null).recover(Promise::of));
        assertEquals(thrown, await(seen));
    }

    @Test
    void cancellingTheAnswerCancelsTheWorkOnTheTargetLoop() throws Exception {
        group.start();
        CompletableFuture<String> targetSaw = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Promise<String>> answer = group.loop(0).call(() -> group.submit(1, () -> {
            Resolver<String> work = Promise.task();
            work.promise().onCancel(() -> targetSaw.complete(Thread.currentThread().getName()));
            started.countDown();
            return work.promise();
        }));
        Promise<String> onCaller = await(answer);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        CompletableFuture<Boolean> cancelled = group.loop(0).call(() -> {
            onCaller.cancel();
            return onCaller.isCancelled();
        });
        assertTrue(await(cancelled));
        assertEquals("g-1", await(targetSaw));
    }

    @Test
    void submitFromOutsideTheGroupIsRefusedWithAHint() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> group.submit(1, Promise::unit));
        assertTrue(refused.getMessage().contains("loop(i).submit"), refused.getMessage());
    }

    @Test
    void aCallbackThatThrowsLeavesItsLoopAndTheGroupRunning() throws Exception {
        List<Throwable> reported = new ArrayList<>();
        Consumer<Throwable> collect = failure -> {
            synchronized (reported) {
                reported.add(failure);
            }
        };
        LoopHooks.setAsyncExceptionHook(collect);
        try {
            group.start();
            group.loop(1).execute(() -> {
                throw new IllegalStateException("boom");
            });
            assertEquals(1, await(group.loop(1).call(() -> 1)));
            assertEquals(2, await(group.loop(0).submit(() -> group.<Integer>submit(1, () -> Promise.of(2)))));
            synchronized (reported) {
                assertEquals(1, reported.size());
                assertEquals("boom", reported.get(0).getMessage());
            }
        } finally {
            LoopHooks.setAsyncExceptionHook(null);
        }
    }

    @Test
    void aClosedLoopLeavesTheOthersRunningAndRejectsSubmitsOnTheCaller() throws Exception {
        group.start();
        group.loop(1).close();
        assertTrue(group.loop(1).isClosed());
        CompletableFuture<Throwable> seen = group.loop(0).submit(() -> group.<Integer>submit(1, () -> Promise.of(1))
                .<Throwable>map(v -> null).recover(Promise::of));
        assertInstanceOf(LoopClosed.class, await(seen));
        assertEquals(3, await(group.loop(2).submit(() -> group.<Integer>submit(0, () -> Promise.of(3)))));
        assertFalse(group.isClosed());
    }

    @Test
    void closeReturnsOnceEveryLoopHasRunItsExitHooks() throws Exception {
        group.start();
        AtomicInteger exited = new AtomicInteger();
        for (int i = 0; i < group.size(); i++) {
            Loop loop = group.loop(i);
            await(loop.call(() -> loop.onExit(exited::incrementAndGet)));
        }
        group.close();
        assertEquals(3, exited.get());
        assertTrue(group.isClosed());
    }

    @Test
    void closeRejectsWorkStillPendingOnEveryLoop() throws Exception {
        group.start();
        List<CompletableFuture<Object>> pending = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            pending.add(group.loop(i).submit(() -> Promise.task().promise()));
        }
        group.close();
        for (CompletableFuture<Object> future : pending) {
            ExecutionException failure = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
            assertInstanceOf(LoopClosed.class, failure.getCause());
        }
    }

    @Test
    void totalsSumEveryLoopsCounters() throws Exception {
        group.start();
        for (int i = 0; i < group.size(); i++) {
            await(group.loop(i).call(() -> 0));
        }
        group.close(); // stops the counters, so the sum and the parts are read at rest
        GroupMetrics totals = group.totals();
        long iterations = 0;
        long callbacks = 0;
        for (int i = 0; i < group.size(); i++) {
            iterations += group.metrics(i).iterations();
            callbacks += group.metrics(i).callbacksRun();
        }
        assertEquals(3, totals.loops());
        assertEquals(iterations, totals.iterations());
        assertEquals(callbacks, totals.callbacksRun());
        assertTrue(totals.callbacksRun() >= 3, totals.toString());
    }

    @Test
    void aGroupNeedsAtLeastOneLoop() {
        assertThrows(IllegalArgumentException.class, () -> LoopGroup.builder().loops(0));
    }

    @Test
    void cancelledIsWhatTheCallerSeesAfterCancelling() throws Exception {
        group.start();
        CompletableFuture<Throwable> seen = group.loop(0).submit(() -> {
            Promise<Object> answer = group.submit(1, () -> Promise.task().promise());
            answer.cancel();
            return answer.<Throwable>map(v -> null).recover(Promise::of);
        });
        assertInstanceOf(Cancelled.class, await(seen));
    }
}
