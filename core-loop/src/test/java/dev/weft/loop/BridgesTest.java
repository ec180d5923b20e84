package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CompletionStage and CompletableFuture bridges, the thread-safe resolver, and {@code call}. */
class BridgesTest {

    private static final String LOOP_THREAD = "bridges-loop";

    private final Loop loop = Loop.builder().name("bridges").build();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void close() {
        pool.shutdownNow();
        loop.close();
    }

    private <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aStageCompletedOnAnotherThreadResolvesItsPromiseOnTheLoopThread() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<String> stage = new CompletableFuture<>();

        CompletableFuture<String> seen = loop.submit(() -> Bridges.fromStage(loop, stage)
                .map(value -> value + "@" + Thread.currentThread().getName()));
        pool.execute(() -> stage.complete("done"));

        assertEquals("done@" + LOOP_THREAD, await(seen));
    }

    @Test
    void aFailedStageRejectsItsPromiseWithTheSameFailureUnwrapped() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("disk gone");
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> dependent = source.thenApply(s -> s); // fails with CompletionException(failure)

        CompletableFuture<Throwable> seen = loop.submit(() -> Bridges.fromStage(loop, dependent)
                .map(v -> (Throwable) null).recover(Promise::of));
        pool.execute(() -> source.completeExceptionally(failure));

        assertSame(failure, await(seen));
    }

    @Test
    void aCancelledStageCancelsItsPromise() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<String> stage = new CompletableFuture<>();

        CompletableFuture<Boolean> cancelled = loop.submit(() -> {
            Promise<String> promise = Bridges.fromStage(loop, stage);
            return promise.map(v -> false).recover(failure -> Promise.of(promise.isCancelled()));
        });
        pool.execute(() -> stage.cancel(false));

        assertTrue(await(cancelled));
    }

    @Test
    void cancellingThePromiseCancelsTheFuture() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<String> stage = new CompletableFuture<>();

        await(loop.call(() -> {
            Bridges.fromStage(loop, stage).cancel();
            return null;
        }));

        assertTrue(stage.isCancelled());
    }

    @Test
    void aStageStillRunningWhenTheLoopClosesIsCancelledAndItsPromiseRejectedWithLoopClosed() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<String> stage = new CompletableFuture<>();
        Promise<String> promise = await(loop.call(() -> Bridges.fromStage(loop, stage)));

        loop.close(); // joins the loop thread, so its writes to the promise are visible here

        assertTrue(stage.isCancelled(), "the stage runs on for a loop that is gone");
        assertTrue(promise.isRejected(), "the promise is still " + promise);
        LoopClosed closed = assertInstanceOf(LoopClosed.class, promise.failure());
        assertEquals(false, closed.refused());
    }

    @Test
    void aPauseMadeWhenTheCloseRejectsABridgedStageIsRejectedTooAndLeftOnNoQueue() {
        CompletableFuture<String> stage = new CompletableFuture<>();
        List<Promise<Void>> retries = new ArrayList<>();
        loop.runOnce(0); // this thread is now the loop's
        Bridges.fromStage(loop, stage).recover(failure -> {
            Promise<Void> retry = Promise.pause(); // a retry that pauses first
            retries.add(retry);
            return retry.map(v -> "retried");
        });

        loop.close(); // on this thread, the loop's: the release rejects the stage's promise here

        assertEquals(1, retries.size(), "the close rejected the bridged stage's promise");
        assertInstanceOf(LoopClosed.class, retries.getFirst().failure(), "the pause is still " + retries.getFirst());
        assertEquals(0, LoopHooks.pausedCount(), "nothing is left on the thread's paused queue");
    }

    @Test
    void aStageBridgedOnAClosedLoopIsCancelledAndItsPromiseRefused() {
        CompletableFuture<String> stage = new CompletableFuture<>();
        loop.close(); // on this thread, which the loop was never run on: it is now the loop's

        Promise<String> promise = Bridges.fromStage(loop, stage);

        assertTrue(stage.isCancelled());
        LoopClosed refused = assertInstanceOf(LoopClosed.class, promise.failure());
        assertTrue(refused.refused());
    }

    @Test
    void aSettledStageLeavesNothingForTheLoopsRelease() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<String> stage = new CompletableFuture<>();
        Promise<String> promise = await(loop.call(() -> Bridges.fromStage(loop, stage)));

        stage.complete("done");
        assertEquals("done", await(loop.submit(() -> promise)));

        assertEquals(0, await(loop.call(loop::releasablesHeld)));
    }

    @Test
    void stagesCompletedConcurrentlyByManyThreadsEachResolveTheirPromiseOnce() throws Exception {
        loop.start(LOOP_THREAD, true);
        int count = 10_000;
        List<CompletableFuture<Integer>> stages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            stages.add(new CompletableFuture<>());
        }
        CompletableFuture<List<Integer>> all = loop.submit(() -> {
            List<Promise<Integer>> promises = new ArrayList<>();
            for (CompletableFuture<Integer> stage : stages) {
                promises.add(Bridges.fromStage(loop, stage));
            }
            return Promise.all(promises);
        });

        for (int i = 0; i < count; i++) {
            int value = i;
            pool.execute(() -> stages.get(value).complete(value));
        }

        List<Integer> values = await(all);
        for (int i = 0; i < count; i++) {
            assertEquals(i, values.get(i));
        }
    }

    @Test
    void makingAPromiseOfAStageOffTheLoopThreadFailsLoudly() {
        loop.start(LOOP_THREAD, true);

        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Bridges.fromStage(loop, new CompletableFuture<String>()));

        assertTrue(thrown.getMessage().contains("loop.submit"), thrown.getMessage());
    }

    @Test
    void futuresOfPromisesResolvedConcurrentlyFromManyThreadsCompleteWithTheirValues() throws Exception {
        loop.start(LOOP_THREAD, true);
        int count = 10_000;
        List<ThreadSafeResolver<Integer>> resolvers = new ArrayList<>();
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        await(loop.call(() -> {
            for (int i = 0; i < count; i++) {
                Resolver<Integer> resolver = Promise.task();
                resolvers.add(Bridges.resolverFor(loop, resolver));
                futures.add(Bridges.toFuture(loop, resolver.promise()));
            }
            return null;
        }));

        for (int i = 0; i < count; i++) {
            int value = i;
            pool.execute(() -> resolvers.get(value).resolve(value));
        }

        for (int i = 0; i < count; i++) {
            assertEquals(i, await(futures.get(i)));
        }
    }

    @Test
    void cancellingTheFutureCancelsThePromiseOnTheLoopThread() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<Promise<String>> made = new CompletableFuture<>();
        CompletableFuture<String> cancelledOn = new CompletableFuture<>();
        CompletableFuture<String> future = Bridges.toFuture(loop, await(loop.call(() -> {
            Resolver<String> resolver = Promise.task();
            resolver.promise().onCancel(() -> cancelledOn.complete(Thread.currentThread().getName()));
            made.complete(resolver.promise());
            return resolver.promise();
        })));

        future.cancel(false);

        assertEquals(LOOP_THREAD, await(cancelledOn));
        assertTrue(await(loop.call(() -> await(made).isCancelled())));
    }

    @Test
    void aRejectedPromiseFailsItsFutureWithTheSameFailure() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("refused");
        Promise<Object> rejected = await(loop.call(() -> Promise.rejected(failure))); // made on the loop thread

        CompletableFuture<Object> future = Bridges.toFuture(loop, rejected);

        ExecutionException thrown = assertThrows(ExecutionException.class, () -> await(future));
        assertSame(failure, thrown.getCause());
    }

    @Test
    void onlyTheFirstOfManyRacingThreadsSettlesThroughAThreadSafeResolver() throws Exception {
        loop.start(LOOP_THREAD, true);
        int threads = 8;
        Resolver<Integer> resolver = await(loop.call(Promise::<Integer>task));
        ThreadSafeResolver<Integer> shared = Bridges.resolverFor(loop, resolver);
        CompletableFuture<Integer> outcome = Bridges.toFuture(loop, resolver.promise());
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(threads);

        for (int t = 0; t < threads; t++) {
            int value = t;
            pool.execute(() -> {
                try {
                    go.await();
                    shared.resolve(value);
                } catch (IllegalStateException second) {
                    refused.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    finished.countDown();
                }
            });
        }
        go.countDown();

        assertTrue(finished.await(30, TimeUnit.SECONDS));
        assertEquals(threads - 1, refused.get());
        int winner = await(outcome);
        assertTrue(winner >= 0 && winner < threads);
    }

    @Test
    void callCompletesWithAPlainValueComputedOnTheLoopThread() throws Exception {
        loop.start(LOOP_THREAD, true);

        assertEquals(42, await(loop.call(() -> 42)));
        assertEquals(LOOP_THREAD, await(loop.call(() -> Thread.currentThread().getName())));
    }

    @Test
    void callFailsTheFutureWithTheCheckedExceptionTheWorkThrew() throws Exception {
        loop.start(LOOP_THREAD, true);
        IOException failure = new IOException("no");

        CompletableFuture<Object> future = loop.call(() -> {
            throw failure;
        });

        ExecutionException thrown = assertThrows(ExecutionException.class, () -> await(future));
        assertSame(failure, thrown.getCause());
    }

    @Test
    void aSecondSettleThroughAThreadSafeResolverNamesTheMethodCalled() throws Exception {
        loop.start(LOOP_THREAD, true);
        Resolver<Integer> resolver = await(loop.call(Promise::<Integer>task));
        ThreadSafeResolver<Integer> handle = Bridges.resolverFor(loop, resolver);
        handle.resolve(1);

        IllegalStateException resolveAgain = assertThrows(IllegalStateException.class, () -> handle.resolve(2));
        IllegalStateException rejectAfter = assertThrows(IllegalStateException.class,
                () -> handle.reject(new IOException("late")));

        assertTrue(resolveAgain.getMessage().startsWith("ThreadSafeResolver.resolve: "), resolveAgain.getMessage());
        assertTrue(rejectAfter.getMessage().startsWith("ThreadSafeResolver.reject: "), rejectAfter.getMessage());
    }

    @Test
    void aResolverHandleRefusesToSettleOnAClosedLoop() throws Exception {
        loop.start(LOOP_THREAD, true);
        Resolver<Integer> resolver = await(loop.call(Promise::<Integer>task));
        ThreadSafeResolver<Integer> handle = Bridges.resolverFor(loop, resolver);
        loop.close();

        assertInstanceOf(LoopClosed.class, assertThrows(LoopClosed.class, () -> handle.resolve(1)));
    }
}
