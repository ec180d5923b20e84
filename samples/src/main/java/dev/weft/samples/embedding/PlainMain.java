package dev.weft.samples.embedding;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The simplest embedding: {@code main} builds a loop and {@link Loop#run runs} it on its own
 * thread until the program's promise resolves, then closes it. No other thread exists; every
 * callback runs on the thread that called {@code run} ({@code ./weft run plain-main}).
 */
public final class PlainMain {

    private PlainMain() {}

    /**
     * What the recipe shows.
     *
     * @param answer the program's result
     * @param callbackThread the thread the promise callbacks ran on
     * @param callerThread the thread that called {@code run}
     * @param loopClosed whether the loop is closed when the recipe returns
     */
    public record Outcome(String answer, String callbackThread, String callerThread, boolean loopClosed) {}

    /**
     * Runs the recipe.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Outcome outcome = demonstrate();
        System.out.println(outcome.answer());
        System.out.println("callbacks ran on " + outcome.callbackThread() + ", run was called on "
                + outcome.callerThread() + "; loop closed: " + outcome.loopClosed());
    }

    /** Runs a small promise program on a loop driven by the calling thread, and closes the loop. */
    public static Outcome demonstrate() {
        String caller = Thread.currentThread().getName();
        AtomicReference<String> callbackThread = new AtomicReference<>();
        Loop loop = Loop.create();
        String answer;
        try {
            answer = loop.run(loop.sleep(Duration.ofMillis(20))
                    .flatMap(v -> Promise.both(greet("hello"), greet("world")))
                    .map(pair -> {
                        callbackThread.set(Thread.currentThread().getName());
                        return pair.first() + ", " + pair.second();
                    }));
        } finally {
            loop.close();
        }
        return new Outcome(answer, callbackThread.get(), caller, loop.isClosed());
    }

    private static Promise<String> greet(String word) {
        return Promise.pause().map(v -> word);
    }
}
