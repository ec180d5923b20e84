package dev.weft.unix.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class BlockingPoolTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void detachedWorkRunsOffTheLoopThreadAndResolvesOnIt() {
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 2, 8)) {
            Thread loopThread = Thread.currentThread();
            Thread[] worker = new Thread[1];

            Promise<Thread> resolvedOn = pool.detach(() -> {
                worker[0] = Thread.currentThread();
                return 42;
            }).map(value -> Thread.currentThread());

            assertSame(loopThread, loop.run(loop.withTimeout(PATIENCE, resolvedOn)));
            assertNotSame(loopThread, worker[0]);
        }
    }

    @Test
    void whatTheWorkThrowsRejectsThePromise() {
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 1, 1)) {
            Promise<Object> failed = pool.detach(() -> {
                throw new IOException("disk on fire");
            });

            Promise<Throwable> failure = failed.tryBind(v -> Promise.of(null), Promise::of);

            IOException e = assertInstanceOf(IOException.class, loop.run(loop.withTimeout(PATIENCE, failure)));
            assertEquals("disk on fire", e.getMessage());
        }
    }

    @Test
    void aFullPoolRejectsInsteadOfQueueingWithoutBound() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 1, 1)) {
            CountDownLatch running = new CountDownLatch(1);
            Promise<Object> busy = pool.detach(() -> {
                running.countDown();
                release.await();
                return null;
            });
            running.await();
            Promise<Object> queued = pool.detach(() -> null);

            Promise<Object> refused = pool.detach(() -> null);

            assertInstanceOf(RejectedExecutionException.class, refused.failure());
            assertTrue(refused.failure().getMessage().contains("full"), refused.failure().getMessage());
            release.countDown();
            loop.run(loop.withTimeout(PATIENCE, Promise.join(java.util.List.of(busy, queued))));
        }
    }

    @Test
    void cancellingInterruptsTheRunningWork() throws InterruptedException {
        try (Loop loop = Loop.create(); BlockingPool pool = BlockingPool.create(loop, 1, 1)) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            Promise<Object> blocked = pool.detach(() -> {
                running.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return null;
            });
            running.await();

            blocked.cancel();

            assertTrue(blocked.isCancelled());
            assertTrue(interrupted.await(30, java.util.concurrent.TimeUnit.SECONDS));
        }
    }
}
