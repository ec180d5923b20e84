package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.Promise;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * 10,000,000 requests through one ring whose front and back run on two threads that share only
 * the page and two doorbells (a flag and an unpark: an event channel's semantics without the
 * model). The indices start 1,000 below 2^32, so they wrap early in the run. Each thread sleeps
 * when its final check finds nothing, so a lost notification would hang the test (and fail it on
 * the timeout) rather than pass it.
 */
class TwoThreadRingTest {
    private static final long REQUESTS = 10_000_000;
    private static final int START = -1000;

    /** A pending flag and the thread to wake: notify sets it, await takes it. */
    private static final class Doorbell {
        private final AtomicBoolean pending = new AtomicBoolean();
        private volatile Thread waiter;

        void ring() {
            if (!pending.getAndSet(true)) {
                LockSupport.unpark(waiter);
            }
        }

        /** Waits for a ring; a minute without one means a notification was lost. */
        void await() {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!pending.getAndSet(false)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no notification for a minute: one was lost");
                }
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
            }
        }
    }

    private static final class Front {
        final RingClient<Long, Long> client;
        long sent;
        long answered;
        long mismatches;

        Front(RingClient<Long, Long> client) {
            this.client = client;
        }

        void send() {
            long value = sent++;
            client.request(value).onSuccess(response -> {
                answered++;
                if (response != value + 1) {
                    mismatches++;
                }
                if (sent < REQUESTS) {
                    send();
                }
            });
        }
    }

    @Test
    void tenMillionRequestsCrossTwoThreadsWithIndicesWrapping() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment page = arena.allocate(4096, 4096);
            SharedRing ring = SharedRing.over(page, LongCodec.INSTANCE.entrySize()).initialise(START);
            Doorbell toBack = new Doorbell();
            Doorbell toFront = new Doorbell();
            AtomicBoolean done = new AtomicBoolean();

            CompletableFuture<Long> served = new CompletableFuture<>();
            Thread back = Thread.ofPlatform().name("ring-back").start(() -> {
                toBack.waiter = Thread.currentThread();
                RingServer<Long, Long> server = new RingServer<>(ring.back(START), LongCodec.INSTANCE,
                        request -> Promise.of(request + 1), (request, failure) -> -1L, toFront::ring);
                long taken = 0;
                try {
                    while (!done.get()) {
                        taken += server.poll();
                        toBack.await();
                    }
                    served.complete(taken);
                } catch (Throwable failure) {
                    served.completeExceptionally(failure);
                }
            });
            toBack.waiter = back;

            toFront.waiter = Thread.currentThread();
            Front front = new Front(new RingClient<>(ring.front(START), LongCodec.INSTANCE, toBack::ring));
            for (int i = 0; i < 2 * ring.size(); i++) {
                front.send();
            }
            while (front.answered < REQUESTS) {
                front.client.poll();
                if (front.answered < REQUESTS) {
                    toFront.await();
                }
            }
            done.set(true);
            toBack.ring();

            assertEquals(REQUESTS, served.get(30, TimeUnit.SECONDS));
            back.join();
            assertEquals(REQUESTS, front.answered);
            assertEquals(0, front.mismatches);
            assertEquals(REQUESTS, front.sent);
            int reqProd = page.get(java.lang.foreign.ValueLayout.JAVA_INT, SharedRing.REQ_PROD);
            assertEquals(START + (int) REQUESTS, reqProd);
            assertEquals(true, Integer.compareUnsigned(reqProd, START) < 0, "req_prod wrapped past 2^32");
        }
    }
}
