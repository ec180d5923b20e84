package dev.weft.bench.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.Promise;
import org.junit.jupiter.api.Test;

/** Each row of TimerBench schedules and really cancels {@value LoopBenchSettings#STEPS} timers. */
class TimerBenchTest {

    private final TimerBench bench = new TimerBench();

    @Test
    void weftCancelsEverySleepAndLeavesNoTimer() {
        TimerBench.WeftTimers timers = new TimerBench.WeftTimers();
        timers.start();
        try {
            assertEquals(LoopBenchSettings.STEPS, bench.scheduleCancel_weft(timers));
            assertEquals(0, timers.loop.submit(() -> Promise.of(
                    timers.loop.metrics().timersPending())).join());
        } finally {
            timers.stop();
        }
    }

    @Test
    void weftLongRowCancelsEverySleepAndLeavesNoTimer() {
        TimerBench.WeftTimers timers = new TimerBench.WeftTimers();
        timers.start();
        try {
            assertEquals(TimerBench.LONG_PAIRS, bench.scheduleCancelLong_weft(timers));
            assertEquals(0, timers.loop.submit(() -> Promise.of(
                    timers.loop.metrics().timersPending())).join());
        } finally {
            timers.stop();
        }
    }

    @Test
    void hashedWheelCancelsEveryTimeout() {
        TimerBench.NettyTimers timers = new TimerBench.NettyTimers();
        timers.start();
        try {
            assertEquals(LoopBenchSettings.STEPS, bench.scheduleCancel_hashedWheel(timers));
        } finally {
            timers.stop();
        }
    }

    @Test
    void scheduledExecutorCancelsAndRemovesEveryTask() {
        TimerBench.JdkTimers timers = new TimerBench.JdkTimers();
        timers.start();
        try {
            assertEquals(LoopBenchSettings.STEPS, bench.scheduleCancel_scheduledExecutor(timers));
            assertEquals(0, timers.executor.getQueue().size());
        } finally {
            timers.stop();
        }
    }
}
