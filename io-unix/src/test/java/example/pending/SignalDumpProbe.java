package example.pending;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopGroup;
import dev.weft.promise.Promise;
import dev.weft.unix.Engines;
import dev.weft.unix.signal.PendingDumps;
import dev.weft.unix.signal.UnixSignal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The program dev.weft.unix.signal.PendingDumpsDebugTest forks with {@code -Dweft.debug=true}: a
 * running "server" (one loop of a group) with a sleep pending, its pending promises printed on
 * SIGUSR1 as {@code ./weft serve} arranges in debug mode, and a real USR1 sent to itself. Prints
 * the report the signal produced, or {@code NO REPORT}.
 */
public final class SignalDumpProbe {

    private SignalDumpProbe() {}

    /**
     * Runs the scenario and prints the signal's report.
     *
     * @param args none
     */
    public static void main(String[] args) throws Exception {
        try (LoopGroup group = LoopGroup.builder().loops(1).name("served").daemon(true)
                .engines(i -> Engines.defaultEngine()).build()) {
            group.start();
            Loop loop = group.loop(0);
            Promise<Void> sleeping = loop.call(() -> awaitIdleClient(loop)).join();
            ReportCatcher out = new ReportCatcher();
            PendingDumps.printOnSignal(group, UnixSignal.USR1, out);
            loop.call(() -> null).join(); // the watch is installed once the loop ran the task before this

            Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(ProcessHandle.current().pid()))
                    .inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -USR1 failed");
            }
            System.out.println(out.printed.await(30, TimeUnit.SECONDS) ? out.text() : "NO REPORT");
            loop.call(() -> {
                sleeping.cancel();
                return null;
            }).join();
        }
    }

    private static Promise<Void> awaitIdleClient(Loop loop) {
        return loop.sleep(Duration.ofMinutes(5));
    }

    /** A PrintStream into memory that opens a latch at its first flush (one per report). */
    private static final class ReportCatcher extends PrintStream {
        final CountDownLatch printed = new CountDownLatch(1);
        private final ByteArrayOutputStream bytes;

        ReportCatcher() {
            this(new ByteArrayOutputStream());
        }

        private ReportCatcher(ByteArrayOutputStream bytes) {
            super(bytes, false, StandardCharsets.UTF_8);
            this.bytes = bytes;
        }

        @Override
        public void flush() {
            super.flush();
            printed.countDown();
        }

        String text() {
            synchronized (this) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
