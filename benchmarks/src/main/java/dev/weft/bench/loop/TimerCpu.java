package dev.weft.bench.loop;

import dev.weft.loop.Loop;
import dev.weft.loop.ManualClock;
import dev.weft.promise.Promise;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link TimerBench}'s Weft pair ({@code loop.sleep(1 s)} then {@code cancel()}) in the loop
 * thread's CPU time, with the loop's clock the system clock or a {@link ManualClock}: the
 * difference is what the clock read in each {@code sleep} costs. Not JMH: timed from inside the
 * loop thread with {@link ThreadMXBean#getCurrentThreadCpuTime()} around each batch of {@value
 * LoopBenchSettings#STEPS} pairs, so the hand-offs to the loop and other processes' load stay out
 * of it. Prints the median of the second half of the one-second rounds (the first half warms the
 * JIT up), in CPU ns per pair.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.weft.bench.loop.TimerCpu system|manual [SECONDS]}
 * (default 8). Main thread only; the loop runs on its own thread.
 */
public final class TimerCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private TimerCpu() {}

    /**
     * Runs the pairs for the given number of one-second rounds and prints CPU ns per pair.
     *
     * @param args {@code system} or {@code manual}, then optionally the number of rounds
     */
    public static void main(String[] args) {
        if (args.length < 1 || !(args[0].equals("system") || args[0].equals("manual"))) {
            System.err.println("usage: TimerCpu system|manual [seconds]");
            System.exit(2);
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Loop.Builder builder = Loop.builder().name("timer-cpu");
        if (args[0].equals("manual")) {
            builder.clock(new ManualClock());
        }
        Loop loop = builder.build();
        loop.start("timer-cpu", true);
        try {
            double[] perPair = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                perPair[round] = oneSecondOfPairs(loop);
            }
            double[] warm = Arrays.copyOfRange(perPair, rounds / 2, rounds);
            Arrays.sort(warm);
            System.out.printf("%s clock: %.1f CPU ns per sleep+cancel pair (median of the last %d of %d one-second rounds; least %.1f)%n",
                    args[0], warm[warm.length / 2], warm.length, rounds, warm[0]);
        } finally {
            loop.close();
        }
    }

    /** Runs batches of pairs for a second of wall time; returns the loop thread's CPU ns per pair. */
    private static double oneSecondOfPairs(Loop loop) {
        long start = System.nanoTime();
        long cpuNanos = 0;
        long pairs = 0;
        while (System.nanoTime() - start < 1_000_000_000L) {
            cpuNanos += loop.submit(() -> {
                long before = THREADS.getCurrentThreadCpuTime();
                TimerBench.scheduleAndCancel(loop);
                return Promise.of(THREADS.getCurrentThreadCpuTime() - before);
            }).join();
            pairs += LoopBenchSettings.STEPS;
        }
        return cpuNanos / (double) pairs;
    }
}
