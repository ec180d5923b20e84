package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** execute, submit and the wakeup protocol, with the loop on a thread of its own. */
class CrossThreadTest {

    private final CountingEngine engine = new CountingEngine();
    private final Loop loop = Loop.builder().name("cross").engine(engine).build();

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void executeRunsTheTaskOnTheLoopThread() throws InterruptedException {
        loop.start("cross-loop", true);
        AtomicReference<String> ranOn = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);

        loop.execute(() -> {
            ranOn.set(Thread.currentThread().getName());
            ran.countDown();
        });

        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertEquals("cross-loop", ranOn.get());
    }

    @Test
    void submitCompletesTheFutureWhenThePromiseResolves() throws Exception {
        loop.start();

        CompletableFuture<String> future = loop.submit(() -> loop.sleep(Duration.ofMillis(5)).map(v -> "slept"));

        assertEquals("slept", future.get(10, TimeUnit.SECONDS));
    }

    @Test
    void submitFailsTheFutureWithThePromisesFailure() {
        loop.start();

        CompletableFuture<String> future = loop.submit(() -> Promise.rejected(new IllegalStateException("no")));

        ExecutionException thrown = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertEquals("no", thrown.getCause().getMessage());
    }

    @Test
    void cancellingTheFutureCancelsThePromise() throws Exception {
        loop.start();
        CompletableFuture<Promise<Void>> sleepOnLoop = new CompletableFuture<>();
        CompletableFuture<Void> future = loop.submit(() -> {
            Promise<Void> sleep = loop.sleep(Duration.ofHours(1));
            sleepOnLoop.complete(sleep);
            return sleep;
        });
        Promise<Void> sleep = sleepOnLoop.get(10, TimeUnit.SECONDS);

        future.cancel(false);

        assertTrue(loop.submit(() -> Promise.of(sleep.isCancelled())).get(10, TimeUnit.SECONDS));
        assertEquals(0, loop.submit(() -> Promise.of(loop.pendingTimers())).get(10, TimeUnit.SECONDS));
        assertThrows(CancellationException.class, future::join);
    }

    @Test
    void waitingForASubmitOnTheLoopThreadFailsFastInsteadOfDeadlocking() throws Exception {
        loop.start();

        CompletableFuture<Throwable> seen = loop.submit(() -> {
            CompletableFuture<Void> inner = loop.submit(() -> loop.sleep(Duration.ofMillis(1)));
            try {
                inner.join();
                return Promise.of(null);
            } catch (Throwable t) {
                return Promise.of(t);
            }
        });

        Throwable thrown = seen.get(10, TimeUnit.SECONDS);
        assertInstanceOf(IllegalStateException.class, thrown);
        assertTrue(thrown.getMessage().contains("would deadlock"), thrown.getMessage());
    }

    @Test
    void aBurstOfSubmissionsFromFourThreadsCostsOneWakeup() throws InterruptedException {
        CountDownLatch hold = new CountDownLatch(1);
        engine.holdAfterWake = hold;
        loop.start();
        engine.awaitBlocked();
        CountDownLatch ran = new CountDownLatch(4 * 1000);
        Thread[] producers = new Thread[4];
        for (int p = 0; p < producers.length; p++) {
            producers[p] = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    loop.execute(ran::countDown);
                }
            });
            producers[p].start();
        }
        for (Thread producer : producers) {
            producer.join();
        }

        hold.countDown();

        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertEquals(1, engine.wakeups.get());
        assertEquals(1, loop.metrics().wakeups());
    }

    @Test
    void submissionsWhileTheLoopIsBusyCostNoWakeup() throws InterruptedException {
        loop.start();
        engine.awaitBlocked();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            awaitQuietly(release);
        });
        busy.await();
        long before = engine.wakeups.get();
        CountDownLatch ran = new CountDownLatch(1000);

        for (int i = 0; i < 1000; i++) {
            loop.execute(ran::countDown);
        }
        long during = engine.wakeups.get() - before;
        release.countDown();

        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertEquals(0, during);
    }

    @Test
    void aResolverCalledFromTheLoopThroughExecuteCompletesASubmit() throws Exception {
        loop.start();
        CompletableFuture<Resolver<String>> resolver = new CompletableFuture<>();
        CompletableFuture<String> future = loop.submit(() -> {
            Resolver<String> r = Promise.pending();
            resolver.complete(r);
            return r.promise();
        });
        Resolver<String> onLoop = resolver.get(10, TimeUnit.SECONDS);

        loop.execute(() -> onLoop.resolve("from another thread, via the loop"));

        assertEquals("from another thread, via the loop", future.get(10, TimeUnit.SECONDS));
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
