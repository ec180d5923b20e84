package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.loop.Timeout;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.time.Duration;
import java.util.List;

/**
 * {@code ./weft demo}: what Weft's promises and loop do, one printed step at a time. A pipeline of
 * binds, a cancellation, a pick; then timers and a pick with a timeout.
 *
 * <p>Everything runs on the main thread: {@link Loop#run} drives the loop until a promise
 * resolves, as Lwt_main.run does.
 */
public final class Demo {

    private Demo() {}

    /**
     * Runs the demo.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Loop loop = Loop.create()) {
            pipeline(loop);
            cancellation();
            pick();
            timers(loop);
            pickWithATimeout(loop);
        }
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    private static void step(String text) {
        System.out.println("   " + text);
    }

    /** A pipeline of binds: each stage runs when the one before it has a value. */
    private static void pipeline(Loop loop) {
        section("A pipeline of binds");
        Resolver<Integer> input = Promise.pending();
        Promise<String> result = input.promise()
                .map(x -> {
                    step("map: got " + x + ", doubling");
                    return x * 2;
                })
                .flatMap(x -> {
                    step("flatMap: got " + x + ", yielding to the loop once");
                    return Promise.pause().map(v -> x + 1);
                })
                .map(x -> "result " + x);
        step("pipeline built; pending? " + result.isPending());
        input.resolve(20);
        step("input resolved with 20; the loop finishes the rest");
        step(loop.run(result));
    }

    /** Cancelling the end of a chain reaches the task the chain waits on. */
    private static void cancellation() {
        section("A cancellation");
        Resolver<String> read = Promise.task();
        read.promise().onCancel(() -> step("the pending read sees the cancel and cleans up"));
        Promise<Integer> length = read.promise().map(String::length);
        length.cancel();
        step("chain cancelled? " + length.isCancelled() + "; read cancelled? " + read.promise().isCancelled());
    }

    /** pick: the first to resolve wins and the losers are cancelled. */
    private static void pick() {
        section("A pick");
        Resolver<String> slow = Promise.task();
        Resolver<String> fast = Promise.task();
        Promise<String> winner = Promise.pick(List.of(slow.promise(), fast.promise()));
        fast.resolve("fast");
        step("winner: " + winner.value() + "; the slow one was cancelled? " + slow.promise().isCancelled());
    }

    /** Timers: they fire in deadline order and never early; a cancelled sleep leaves no timer. */
    private static void timers(Loop loop) {
        section("Timers");
        long start = loop.clock().nanoTime();
        Promise<Void> all = Promise.join(List.of(
                sleepAndSay(loop, start, 30, "third"),
                sleepAndSay(loop, start, 10, "first"),
                sleepAndSay(loop, start, 20, "second")));
        loop.run(all);
        Promise<Void> cancelled = loop.sleep(Duration.ofHours(1));
        step("a one-hour sleep holds " + loop.metrics().timersPending() + " timer");
        cancelled.cancel();
        step("cancelled: " + loop.metrics().timersPending() + " timers pending");
    }

    private static Promise<Void> sleepAndSay(Loop loop, long start, long millis, String name) {
        return loop.at(start + Duration.ofMillis(millis).toNanos()).map(v -> {
            step(name + ": due at " + millis + " ms, fired at " + (loop.clock().nanoTime() - start) / 1_000_000 + " ms");
            return null;
        });
    }

    /** withTimeout is a pick against a timer: the loser is cancelled either way. */
    private static void pickWithATimeout(Loop loop) {
        section("A pick with a timeout");
        Promise<String> quick = loop.sleep(Duration.ofMillis(10)).map(v -> "a quick answer");
        step("10 ms job, 100 ms limit: " + loop.run(loop.withTimeout(Duration.ofMillis(100), quick))
                + " (timers left: " + loop.metrics().timersPending() + ")");
        Promise<String> slow = loop.sleep(Duration.ofSeconds(10)).map(v -> "too late");
        try {
            loop.run(loop.withTimeout(Duration.ofMillis(50), slow));
        } catch (Timeout timeout) {
            step("10 s job, 50 ms limit: " + timeout.getMessage() + "; job cancelled? " + slow.isCancelled()
                    + " (timers left: " + loop.metrics().timersPending() + ")");
        }
    }
}
