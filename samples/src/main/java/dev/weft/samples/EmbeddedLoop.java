package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embedding a loop in an existing multi-threaded program: the program gives one of its pool
 * threads to a Weft loop and calls into it from the other pool threads with {@link Loop#submit},
 * getting {@link CompletableFuture}s back.
 *
 * <p>The rule it shows: promises live on the loop thread only; other threads reach them through
 * {@code submit}/{@code execute}, and never block the loop thread.
 */
public final class EmbeddedLoop {

    private EmbeddedLoop() {}

    /**
     * Runs the sample.
     *
     * @param args ignored
     * @throws Exception if the sample fails
     */
    public static void main(String[] args) throws Exception {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4, task -> new Thread(task, "app-" + threads.incrementAndGet()));
        Loop loop = Loop.builder().name("weft").build();

        CompletableFuture<Resolver<Void>> stopSignal = new CompletableFuture<>();
        Future<?> loopDone = pool.submit(() -> runLoop(loop, stopSignal));
        Resolver<Void> stop = stopSignal.get();

        List<Future<String>> calls = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            int request = i;
            calls.add(pool.submit(() -> callIntoTheLoop(loop, request)));
        }
        for (Future<String> call : calls) {
            System.out.println(call.get());
        }

        // submit, not execute: resolving stop ends the run and the loop closes at once, and an
        // execute racing with that close can throw LoopClosed even though its task ran.
        loop.submit(() -> {
            stop.resolve(null);
            return Promise.unit();
        }).get();
        loopDone.get();
        pool.shutdown();
        System.out.println("loop closed: " + loop.isClosed() + "; pool stopped");
    }

    /** On a pool thread: this thread becomes the loop thread until asked to stop. */
    private static void runLoop(Loop loop, CompletableFuture<Resolver<Void>> stopSignal) {
        Resolver<Void> stop = Promise.pending();
        stopSignal.complete(stop);
        System.out.println("loop running on " + Thread.currentThread().getName());
        loop.run(stop.promise());
        loop.close();
    }

    /** On another pool thread: ask the loop for work and block this (non-loop) thread for the answer. */
    private static String callIntoTheLoop(Loop loop, int request) throws ExecutionException, InterruptedException {
        String caller = Thread.currentThread().getName();
        CompletableFuture<String> reply = loop.submit(() -> loop.sleep(Duration.ofMillis(10L * request))
                .map(v -> "request " + request + " from " + caller + " answered on " + Thread.currentThread().getName()));
        return reply.get();
    }
}
