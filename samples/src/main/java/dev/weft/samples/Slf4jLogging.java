package dev.weft.samples;

import dev.weft.loop.Loop;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import java.time.Duration;

/**
 * Weft's log records on SLF4J and Logback. Weft logs through {@link System.Logger} only (the
 * loggers {@code dev.weft.loop} and {@code dev.weft.promise}); with {@code
 * org.slf4j:slf4j-jdk-platform-logging} and a binding such as {@code logback-classic} on the
 * class or module path, the JDK hands every System.Logger record to SLF4J. No code names SLF4J:
 * the bridge is a {@link System.LoggerFinder} service the JDK finds by itself. This sample makes
 * two records, an async exception (through {@link LoopHooks#systemLoggerHook()}) and a watchdog
 * report, which Logback prints with the samples' {@code logback.xml} pattern ({@code ./weft run
 * logging}).
 */
public final class Slf4jLogging {

    private Slf4jLogging() {}

    /**
     * Runs the sample.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("System.LoggerFinder: " + System.LoggerFinder.getLoggerFinder().getClass().getName());
        try (Loop loop = Loop.builder().name("weft-logging").watchdog(Duration.ofMillis(50)).build()) {
            reportAFailedTask(loop);
            loop.run(Promise.pause().map(v -> {
                blockTheLoop(Duration.ofMillis(200)); // on purpose: the watchdog logs a WARNING with its stack
                return null;
            }));
        }
    }

    /**
     * Routes async exceptions to System.Logger, runs one task that throws on {@code loop} (whose
     * failure is logged at ERROR on {@code dev.weft.promise}), then restores the default hook.
     * LOOP THREAD (the loop is run here).
     */
    public static void reportAFailedTask(Loop loop) {
        LoopHooks.setAsyncExceptionHook(LoopHooks.systemLoggerHook());
        try {
            loop.execute(() -> {
                throw new IllegalStateException("a task failed on " + loop.name());
            });
            loop.run(Promise.pause());
        } finally {
            LoopHooks.setAsyncExceptionHook(null);
        }
    }

    private static void blockTheLoop(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
