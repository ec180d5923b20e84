package dev.weft.unix.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.LoopGroup;
import dev.weft.unix.Engines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link PendingDumps#printOnSignal}: a real SIGUSR1 sent to this JVM makes every loop of a group
 * print its pending-promise report. This JVM runs without debug mode, so each report is the one
 * that says how to get the promises listed; the grouping itself is tested in core-loop's
 * PendingDumpTest.
 */
class PendingDumpsTest {

    @Test
    void eachSignalPrintsTheReportOfEveryLoop() throws Exception {
        try (LoopGroup group = LoopGroup.builder().loops(2).name("dumped").daemon(true)
                .engines(i -> Engines.defaultEngine()).build()) {
            group.start();
            FlushCounter out = new FlushCounter();
            PendingDumps.printOnSignal(group, UnixSignal.USR1, out);
            group.loop(0).call(() -> null).join(); // the watch is installed once loop 0 ran the task before this

            SelfSignal.send("-USR1");
            assertTrue(out.firstFlush.await(30, TimeUnit.SECONDS), "no report printed");
            SelfSignal.send("-USR1");
            assertTrue(out.secondFlush.await(30, TimeUnit.SECONDS), "no report for the second signal");

            String printed = out.text();
            assertEquals(2, count(printed, "Pending promises of loop 'dumped-0'"), printed);
            assertEquals(2, count(printed, "Pending promises of loop 'dumped-1'"), printed);
            assertTrue(printed.contains("-Dweft.debug=true"), printed);
        }
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    /** A PrintStream into memory that counts its flushes: PendingDumps flushes once per signal. */
    private static final class FlushCounter extends PrintStream {
        final CountDownLatch firstFlush = new CountDownLatch(1);
        final CountDownLatch secondFlush = new CountDownLatch(1);
        private final ByteArrayOutputStream bytes;

        FlushCounter() {
            this(new ByteArrayOutputStream());
        }

        private FlushCounter(ByteArrayOutputStream bytes) {
            super(bytes, false, StandardCharsets.UTF_8);
            this.bytes = bytes;
        }

        @Override
        public void flush() {
            super.flush();
            if (firstFlush.getCount() > 0) {
                firstFlush.countDown();
            } else {
                secondFlush.countDown();
            }
        }

        String text() {
            synchronized (this) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
