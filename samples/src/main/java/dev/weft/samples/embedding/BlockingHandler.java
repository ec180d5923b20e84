package dev.weft.samples.embedding;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A servlet-style blocking handler: a container thread (here a pool standing in for Tomcat's or
 * Jetty's) handles a request by submitting the work to a Weft loop and waiting for it with {@code
 * submit(...).get(timeout)}. The container thread blocks; the loop never does. When the wait times
 * out, the handler cancels the future, which cancels the promise on the loop, so the work stops
 * there too (its timer is removed) instead of running on for nobody ({@code ./weft run
 * servlet-handler}).
 *
 * <p>Threading: {@link #handle} on any thread but the loop's (waiting there would block the loop;
 * {@code get} on the loop thread throws instead).
 */
public final class BlockingHandler {

    /** Generous, so that a fast request on a loaded machine still makes it; the slow one never does. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    private final Loop loop;
    /** Counted down on the loop thread each time a request's work is cancelled there. */
    private final CountDownLatch cancelledOnTheLoop;

    /**
     * A handler calling into {@code loop}.
     *
     * @param loop a started loop
     * @param cancelledOnTheLoop counted down each time the loop-side work of a request is cancelled
     */
    public BlockingHandler(Loop loop, CountDownLatch cancelledOnTheLoop) {
        this.loop = loop;
        this.cancelledOnTheLoop = cancelledOnTheLoop;
    }

    /**
     * One response.
     *
     * @param path the request's path
     * @param status 200, or 504 when the loop did not answer in time
     * @param body what the loop answered, or why not
     * @param handledOn the container thread that waited
     */
    public record Response(String path, int status, String body, String handledOn) {}

    /**
     * What the recipe shows.
     *
     * @param responses each request's response, in request order
     * @param loopThread the name of the loop's thread
     * @param slowWorkCancelledOnTheLoop whether the timed-out request's work was cancelled on the loop
     * @param loopClosed whether the loop was closed at the end
     * @param containerTerminated whether the container's threads had ended
     */
    public record Outcome(List<Response> responses, String loopThread, boolean slowWorkCancelledOnTheLoop,
            boolean loopClosed, boolean containerTerminated) {}

    /**
     * Handles {@code path} (blocking): {@code /fast/N} answers after a short timer on the loop,
     * {@code /slow} waits on a timer longer than the request timeout and is answered 504.
     *
     * @throws InterruptedException if the container thread is interrupted while it waits
     */
    public Response handle(String path) throws InterruptedException {
        String containerThread = Thread.currentThread().getName();
        CompletableFuture<String> answer = loop.submit(() -> lookUp(path));
        try {
            return new Response(path, 200, answer.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), containerThread);
        } catch (TimeoutException slow) {
            answer.cancel(true); // cancels the promise on the loop thread: the work stops there
            return new Response(path, 504, "no answer within " + REQUEST_TIMEOUT, containerThread);
        } catch (ExecutionException | CancellationException failed) {
            return new Response(path, 500, String.valueOf(failed.getCause()), containerThread);
        }
    }

    /** Loop thread: the work behind a request, a timer standing for a call to a backend. */
    private Promise<String> lookUp(String path) {
        Duration backendTime = path.equals("/slow") ? Duration.ofSeconds(30) : Duration.ofMillis(10);
        return loop.sleep(backendTime)
                .map(v -> path + " answered on " + Thread.currentThread().getName())
                .onCancel(cancelledOnTheLoop::countDown);
    }

    /**
     * Runs the recipe.
     *
     * @param args ignored
     * @throws Exception if the recipe fails
     */
    public static void main(String[] args) throws Exception {
        Outcome outcome = demonstrate();
        for (Response response : outcome.responses()) {
            System.out.println(response.path() + " -> " + response.status() + " " + response.body()
                    + " (handled on " + response.handledOn() + ")");
        }
        System.out.println("slow work cancelled on the loop: " + outcome.slowWorkCancelledOnTheLoop()
                + "; loop closed: " + outcome.loopClosed() + "; container stopped: " + outcome.containerTerminated());
    }

    /** Serves four fast requests and one slow one from a container pool of four threads. */
    public static Outcome demonstrate() throws ExecutionException, InterruptedException, TimeoutException {
        Loop loop = Loop.builder().name("weft-backend").build();
        loop.start("weft-backend", false);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService container = Executors.newFixedThreadPool(4,
                task -> new Thread(task, "http-exec-" + threads.incrementAndGet()));
        try {
            CountDownLatch cancelled = new CountDownLatch(1);
            BlockingHandler handler = new BlockingHandler(loop, cancelled);
            List<Future<Response>> pending = new ArrayList<>();
            for (String path : List.of("/fast/1", "/fast/2", "/slow", "/fast/3", "/fast/4")) {
                pending.add(container.submit(() -> handler.handle(path)));
            }
            List<Response> responses = new ArrayList<>();
            for (Future<Response> response : pending) {
                responses.add(response.get(10, TimeUnit.SECONDS));
            }
            boolean slowCancelled = cancelled.await(10, TimeUnit.SECONDS);
            String loopThread = loop.call(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
            container.shutdown();
            boolean containerTerminated = container.awaitTermination(10, TimeUnit.SECONDS);
            loop.close();
            return new Outcome(responses, loopThread, slowCancelled, loop.isClosed(), containerTerminated);
        } finally {
            container.shutdownNow();
            loop.close();
        }
    }
}
