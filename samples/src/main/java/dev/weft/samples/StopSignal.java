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
     * watched on {@code loop}. Any thread.
     */
    static CompletableFuture<String> onSignals(Loop loop) {
        return loop.submit(() -> next(loop));
    }

    /**
     * Fulfilled with {@code "SIGTERM"} or {@code "SIGINT"} when the process receives one; the
     * watch ends then, or when the promise is cancelled. LOOP THREAD ONLY.
     */
    static Promise<String> next(Loop loop) {
        Signals signals = Signals.watch(loop, UnixSignal.INT, UnixSignal.TERM);
        return signals.next().map(signal -> "SIG" + signal).andFinally(() -> {
            signals.close();
            return Promise.unit();
        });
    }
}
