package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The watchdog reports a callback that runs past the threshold, with that callback's stack. */
class WatchdogTest {

    /** A callback that holds the loop until {@code release}; its name is looked for in stacks. */
    static void blockingCallback(CountDownLatch release) {
        CrossThreadTest.awaitQuietly(release);
    }

    @Test
    void aCallbackBlockedPastTheThresholdIsReportedWithItsOwnStackFrame() throws InterruptedException {
        AtomicReference<LoopBlocked> report = new AtomicReference<>();
        CountDownLatch reported = new CountDownLatch(1);
        Loop loop = Loop.builder().name("watched").watchdog(Duration.ofMillis(50), blocked -> {
            report.compareAndSet(null, blocked);
            reported.countDown();
        }).build();
        loop.start();
        CountDownLatch release = new CountDownLatch(1);

        loop.execute(() -> blockingCallback(release));
        boolean warned = reported.await(30, TimeUnit.SECONDS);
        release.countDown();
        loop.close();

        assertTrue(warned, "no watchdog report");
        LoopBlocked blocked = report.get();
        assertTrue(Arrays.stream(blocked.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("blockingCallback")),
                Arrays.toString(blocked.getStackTrace()));
        assertTrue(blocked.blockedNanos() >= 50_000_000L);
        assertTrue(blocked.getMessage().contains("watched"), blocked.getMessage());
    }
}
