package dev.weft.unix.signal;

import dev.weft.loop.Loop;
import dev.weft.loop.LoopClosed;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;

/**
 * POSIX signals as promises on a loop, for graceful shutdown and reloads:
 * <pre>{@code
 * Signals signals = Signals.watch(loop, UnixSignal.INT, UnixSignal.TERM);
 * signals.next().flatMap(signal -> server.drainAndClose());
 * }</pre>
 *
 * <p><b>Threading: {@link #watch}, {@link #next()} and {@link #close()} are LOOP THREAD ONLY.</b>
 * The JVM delivers a signal on a thread of its own; the handler only hands it to the loop with
 * {@link Loop#execute}, so the promise resolves on the loop thread, in an iteration's inbox step.
 *
 * <p><b>How.</b> Handlers are installed with the JVM's own signal API ({@code sun.misc.Signal},
 * exported by jdk.unsupported), which works on every engine. A signalfd registered with epoll
 * would look more native, but it only sees signals that every thread of the process blocks, and
 * the JVM's threads (GC, compiler, the JVM's own signal dispatcher) do not block SIGINT or SIGTERM;
 * the kernel would hand the signal to one of them and the signalfd would never see it.
 *
 * <p><b>Semantics.</b> While watched, a signal no longer has its default effect (SIGTERM and SIGINT
 * no longer start the JVM's shutdown, SIGHUP no longer kills it): the program decides. A signal
 * that arrives while nobody waits in {@code next()} is kept (once: repeats of a kept signal merge,
 * as POSIX merges pending signals) and returned by the next {@code next()}. {@link #close()} puts
 * back the handlers that were there before.
 */
public final class Signals implements AutoCloseable {

    private final Loop loop;
    private final Map<UnixSignal, Object> previous = new EnumMap<>(UnixSignal.class);
    private final ArrayDeque<UnixSignal> arrived = new ArrayDeque<>();
    private final ArrayDeque<Resolver<UnixSignal>> waiting = new ArrayDeque<>();
    private boolean closed;

    private Signals(Loop loop) {
        this.loop = loop;
    }

    /**
     * Starts watching {@code signals} on {@code loop}, replacing their current handlers.
     *
     * @throws IllegalArgumentException if the JVM refuses a signal (it runs with {@code -Xrs}, or
     *     the signal is taken); nothing stays installed then
     */
    public static Signals watch(Loop loop, UnixSignal... signals) {
        Signals watcher = new Signals(loop);
        Object handler = JvmSignals.handler(watcher::deliverFromAnyThread);
        try {
            for (UnixSignal signal : signals) {
                if (!watcher.previous.containsKey(signal)) {
                    watcher.previous.put(signal, JvmSignals.install(signal.name(), handler));
                }
            }
        } catch (RuntimeException e) {
            watcher.restore();
            throw e;
        }
        return watcher;
    }

    /**
     * The next watched signal: one that arrived and was not taken yet, or the next to arrive.
     * Cancelable. Rejected with {@link IllegalStateException} once {@link #close()} was called.
     */
    public Promise<UnixSignal> next() {
        if (closed) {
            return Promise.rejected(new IllegalStateException("these Signals are closed; watch again to wait for a signal"));
        }
        UnixSignal kept = arrived.poll();
        if (kept != null) {
            return Promise.of(kept);
        }
        Resolver<UnixSignal> resolver = Promise.task();
        waiting.add(resolver);
        resolver.promise().onCancel(() -> waiting.remove(resolver));
        return resolver.promise();
    }

    /**
     * Stops watching: restores the previous handlers and rejects waiting {@code next()}s with
     * {@link IllegalStateException}. Signals arriving afterwards have their old effect again.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        restore();
        arrived.clear();
        Resolver<UnixSignal> resolver;
        while ((resolver = waiting.poll()) != null) {
            resolver.reject(new IllegalStateException("Signals closed while waiting for a signal"));
        }
    }

    private void restore() {
        previous.forEach((signal, handler) -> JvmSignals.install(signal.name(), handler));
        previous.clear();
    }

    /** How many signals arrived that no {@code next()} took yet. Loop thread; for tests. */
    int kept() {
        return arrived.size();
    }

    /** On the JVM's signal thread: hand over to the loop. */
    private void deliverFromAnyThread(String name) {
        UnixSignal signal = UnixSignal.valueOf(name);
        try {
            loop.execute(() -> deliver(signal));
        } catch (LoopClosed ignored) {
            // The loop is gone; nobody can be waiting.
        }
    }

    /** On the loop thread. */
    private void deliver(UnixSignal signal) {
        if (closed) {
            return;
        }
        Resolver<UnixSignal> resolver = waiting.poll();
        if (resolver != null) {
            resolver.resolve(signal);
        } else if (!arrived.contains(signal)) {
            arrived.add(signal);
        }
    }
}
