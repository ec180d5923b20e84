package dev.weft.unix.signal;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.loop.LoopGroup;
import dev.weft.promise.Promise;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A running server's pending promises on demand: after {@link #printOnSignal}, each time the
 * process receives the signal (e.g. {@code kill -USR1 <pid>}), every loop of the group takes its
 * {@link Loop#dumpPending()} report on its own thread and the reports are printed together. Java's
 * thread dump on SIGQUIT is the model; this is the same for promises. The reports list promises
 * only in debug mode ({@code -Dweft.debug=true}); without it each says so.
 *
 * <p><b>Threading:</b> {@link #printOnSignal} may be called from any thread; the signal is
 * watched on loop 0, which asks each loop for its report with {@link LoopGroup#submit}.
 */
public final class PendingDumps {
    private PendingDumps() {}

    /**
     * Prints every loop's pending promises to {@code out} each time {@code signal} arrives, until
     * the group closes. The signal loses its default effect meanwhile (see {@link Signals}).
     *
     * @throws IllegalStateException if the group is closed
     */
    public static void printOnSignal(LoopGroup group, UnixSignal signal, PrintStream out) {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(out, "out");
        Loop first = group.loop(0);
        first.execute(() -> {
            Signals signals = Signals.watch(first, signal);
            try {
                first.onExit(signals::close);
            } catch (LoopClosed closing) {
                signals.close(); // run in the close's last drain: give the signal back at once
                return;
            }
            // Ends when the loop closes (the wait is rejected then): nothing to report about that.
            Promise.dontWait(() -> printEach(group, signals, out), failure -> {});
        });
    }

    private static Promise<Void> printEach(LoopGroup group, Signals signals, PrintStream out) {
        return signals.next().flatMap(signal -> {
            List<Promise<String>> reports = new ArrayList<>();
            for (int i = 0; i < group.size(); i++) {
                Loop loop = group.loop(i);
                reports.add(group.submit(i, () -> Promise.of(loop.dumpPending().toString())));
            }
            return Promise.all(reports);
        }).flatMap(reports -> {
            synchronized (out) {
                reports.forEach(out::print);
                out.flush();
            }
            return printEach(group, signals, out);
        });
    }
}
