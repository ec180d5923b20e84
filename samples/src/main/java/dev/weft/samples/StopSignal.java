package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.signal.Signals;
import dev.weft.unix.signal.UnixSignal;
import java.util.concurrent.CompletableFuture;

/**
 * The request to stop a sample server, whatever sends it: SIGTERM or SIGINT on Unix ({@link
 * #onSignals}), a {@code control/shutdown} request on Xen, or a test. The servers wait for it,
 * then close their loops, which runs the exit hooks that drain their connections.
 */
final class StopSignal {
    private StopSignal() {}

    /**
     * A future completed with {@code "SIGTERM"} or {@code "SIGINT"} when the process receives one,
     * watched on {@code loop}; the watch is in place when this returns, so a signal sent after it
     * is not lost (before it, the JVM's default handling ends the process). Any thread but the
     * loop's.
     */
    static CompletableFuture<String> onSignals(Loop loop) {
        Signals signals = loop.call(() -> Signals.watch(loop, UnixSignal.INT, UnixSignal.TERM)).join();
        return loop.submit(() -> next(signals));
    }

    /**
     * Fulfilled with {@code "SIGTERM"} or {@code "SIGINT"} when the process receives one; the
     * watch ends then, or when the promise is cancelled. LOOP THREAD ONLY.
     */
    static Promise<String> next(Loop loop) {
        return next(Signals.watch(loop, UnixSignal.INT, UnixSignal.TERM));
    }

    private static Promise<String> next(Signals signals) {
        return signals.next().map(signal -> "SIG" + signal).andFinally(() -> {
            signals.close();
            return Promise.unit();
        });
    }
}
