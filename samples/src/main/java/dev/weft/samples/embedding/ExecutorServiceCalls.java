package dev.weft.samples.embedding;

import dev.weft.loop.Loop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loop on a thread of its own ({@link Loop#start(String, boolean)}), called from the threads of
 * an {@link ExecutorService}: each pool task asks the loop for work with {@link Loop#submit} and
 * waits on the returned future. The pool's threads may block; the loop's never does ({@code
 * ./weft run executor-service}).
 */
public final class ExecutorServiceCalls {

    private static final long PATIENCE_SECONDS = 10;

    private ExecutorServiceCalls() {}

    /**
     * One answered call.
     *
     * @param request the request's number
     * @param caller the pool thread that asked
     * @param ranOn the thread the loop-side work ran on
     */
    public record Reply(int request, String caller, String ranOn) {}

    /**
     * What the recipe shows.
     *
     * @param replies every call's reply, in request order
     * @param loopThread the name of the thread the loop ran on
     * @param loopThreadEnded whether that thread had ended when the recipe returned
     * @param poolTerminated whether the pool had terminated when the recipe returned
     */
    public record Outcome(List<Reply> replies, String loopThread, boolean loopThreadEnded, boolean poolTerminated) {}

    /**
     * Runs the recipe.
     *
     * @param args ignored
     * @throws Exception if a call fails or times out
     */
    public static void main(String[] args) throws Exception {
        Outcome outcome = demonstrate(8);
        for (Reply reply : outcome.replies()) {
            System.out.println("request " + reply.request() + " from " + reply.caller() + " ran on " + reply.ranOn());
        }
        System.out.println("loop thread " + outcome.loopThread() + " ended: " + outcome.loopThreadEnded()
                + "; pool terminated: " + outcome.poolTerminated());
    }

    /** Starts a loop, makes {@code requests} calls into it from a pool of four, then shuts both down. */
    public static Outcome demonstrate(int requests)
            throws ExecutionException, InterruptedException, TimeoutException {
        Loop loop = Loop.builder().name("weft-recipe").build();
        loop.start("weft-recipe", false);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4, task -> new Thread(task, "pool-" + threads.incrementAndGet()));
        try {
            List<Future<Reply>> calls = new ArrayList<>();
            for (int i = 1; i <= requests; i++) {
                int request = i;
                calls.add(pool.submit(() -> callTheLoop(loop, request)));
            }
            List<Reply> replies = new ArrayList<>();
            for (Future<Reply> call : calls) {
                replies.add(call.get(PATIENCE_SECONDS, TimeUnit.SECONDS));
            }
            Thread loopThread = loop.call(Thread::currentThread).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            pool.shutdown();
            boolean poolTerminated = pool.awaitTermination(PATIENCE_SECONDS, TimeUnit.SECONDS);
            loop.close(); // from another thread: waits for the loop's thread to end
            return new Outcome(replies, loopThread.getName(), !loopThread.isAlive(), poolTerminated);
        } finally {
            pool.shutdownNow();
            loop.close();
        }
    }

    /** On a pool thread: submits work to the loop and blocks this thread, not the loop's, for it. */
    private static Reply callTheLoop(Loop loop, int request)
            throws ExecutionException, InterruptedException, TimeoutException {
        String caller = Thread.currentThread().getName();
        return loop.submit(() -> loop.sleep(Duration.ofMillis(5L * request))
                        .map(v -> new Reply(request, caller, Thread.currentThread().getName())))
                .get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }
}
