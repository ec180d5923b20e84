package dev.weft.samples.embedding;

import dev.weft.loop.Loop;
import dev.weft.reactor.ReactorBridges;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A Reactor pipeline that hands work to a Weft loop and takes the results back: elements start
 * on a Reactor scheduler, move onto the loop with {@code publishOn(ReactorBridges.scheduler(loop))}
 * for plain work, call promise-returning work there with {@link ReactorBridges#mono}, and leave
 * the loop again with {@code publishOn} of another scheduler, so nothing downstream runs on (or
 * blocks) the loop thread ({@code ./weft run reactor-pipeline}).
 */
public final class ReactorPipeline {

    private ReactorPipeline() {}

    /**
     * Where one element went.
     *
     * @param element the element
     * @param result what the pipeline made of it
     * @param reactorThread the thread it started on
     * @param schedulerThread the thread the loop's scheduler ran the plain step on
     * @param promiseThread the thread the promise-returning step ran on
     * @param backThread the thread that saw the result after the pipeline left the loop
     */
    public record Hops(int element, String result, String reactorThread, String schedulerThread,
            String promiseThread, String backThread) {}

    /**
     * What the recipe shows.
     *
     * @param hops every element's hops, in element order
     * @param loopThread the name of the loop's thread
     * @param loopClosed whether the loop was closed at the end
     * @param schedulersDisposed whether the recipe's own Reactor schedulers were disposed
     */
    public record Outcome(List<Hops> hops, String loopThread, boolean loopClosed, boolean schedulersDisposed) {}

    /** An element part-way through the pipeline. */
    private record Step(int element, String text, String reactorThread, String schedulerThread, String promiseThread) {}

    /**
     * Runs the recipe.
     *
     * @param args ignored
     * @throws Exception if the recipe fails
     */
    public static void main(String[] args) throws Exception {
        Outcome outcome = demonstrate(5);
        for (Hops hops : outcome.hops()) {
            System.out.println(hops.result() + ": " + hops.reactorThread() + " -> " + hops.schedulerThread()
                    + " -> " + hops.promiseThread() + " -> " + hops.backThread());
        }
        System.out.println("loop thread " + outcome.loopThread() + "; loop closed: " + outcome.loopClosed()
                + "; Reactor schedulers disposed: " + outcome.schedulersDisposed());
    }

    /** Runs {@code elements} elements through the pipeline, then closes the loop and the schedulers. */
    public static Outcome demonstrate(int elements) throws Exception {
        Loop loop = Loop.builder().name("weft-reactor").build();
        loop.start("weft-reactor", false);
        Scheduler upstream = Schedulers.newParallel("reactor-in", 2);
        Scheduler downstream = Schedulers.newSingle("reactor-out");
        try {
            Scheduler onTheLoop = ReactorBridges.scheduler(loop);
            List<Hops> hops = Flux.range(1, elements)
                    .publishOn(upstream)
                    .map(i -> new Step(i, null, thread(), null, null))
                    .publishOn(onTheLoop) // plain work on the loop thread
                    .map(step -> new Step(step.element(), "#" + step.element(), step.reactorThread(), thread(), null))
                    .concatMap(step -> ReactorBridges.mono(loop, () -> loop.sleep(Duration.ofMillis(2))
                            .map(v -> new Step(step.element(), step.text() + " slept on the loop", step.reactorThread(),
                                    step.schedulerThread(), thread()))))
                    .publishOn(downstream) // off the loop again before anything else runs
                    .map(step -> new Hops(step.element(), step.text(), step.reactorThread(), step.schedulerThread(),
                            step.promiseThread(), thread()))
                    .collectList()
                    .block(Duration.ofSeconds(10));
            String loopThread = loop.call(ReactorPipeline::thread).get();
            loop.close();
            upstream.dispose();
            downstream.dispose();
            return new Outcome(hops, loopThread, loop.isClosed(), upstream.isDisposed() && downstream.isDisposed());
        } finally {
            upstream.dispose();
            downstream.dispose();
            loop.close();
        }
    }

    private static String thread() {
        return Thread.currentThread().getName();
    }
}
