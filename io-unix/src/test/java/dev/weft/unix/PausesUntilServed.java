package dev.weft.unix;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Measures, in pauses, how long a readiness made during a chain of pauses waits for its handler:
 * the chain pauses until {@code probeQuiet} says the engine's readiness probe answers polls, then
 * waits for the first pause of a new iteration (so that a whole bound of pause rounds lies ahead),
 * makes a source ready there and counts the pauses until {@code served}. Loop thread only; run it
 * with {@link Loop#run}.
 */
public final class PausesUntilServed implements Consumer<Void> {

    /** Pauses the chain makes at most before it gives up (the test then fails on the count). */
    private static final long LIMIT = 10_000_000;

    private final Loop loop;
    private final BooleanSupplier probeQuiet;
    private final Runnable makeReady;
    private final BooleanSupplier served;
    private final Resolver<Long> finisher = Promise.task();
    private long pauses;
    private long madeReadyAt = -1;
    private long iterationsSeen = -1;

    private PausesUntilServed(Loop loop, BooleanSupplier probeQuiet, Runnable makeReady, BooleanSupplier served) {
        this.loop = loop;
        this.probeQuiet = probeQuiet;
        this.makeReady = makeReady;
        this.served = served;
    }

    /** The pauses between making the source ready and its handler having run (see the class notes). */
    public static Promise<Long> measure(Loop loop, BooleanSupplier probeQuiet, Runnable makeReady, BooleanSupplier served) {
        PausesUntilServed chain = new PausesUntilServed(loop, probeQuiet, makeReady, served);
        Promise.pause().onSuccess(chain);
        return chain.finisher.promise();
    }

    @Override
    public void accept(Void ignored) {
        pauses++;
        if (madeReadyAt >= 0 && served.getAsBoolean() || pauses == LIMIT) {
            finisher.resolve(madeReadyAt < 0 ? LIMIT : pauses - madeReadyAt);
            return;
        }
        long iterations = loop.metrics().iterations();
        if (madeReadyAt < 0 && iterationsSeen >= 0 && iterations != iterationsSeen && probeQuiet.getAsBoolean()) {
            madeReadyAt = pauses;
            makeReady.run();
        }
        iterationsSeen = iterations;
        Promise.pause().onSuccess(this);
    }
}
