package dev.weft.xen.bus;

import dev.weft.loop.device.Time;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Time} that moves only when the test says so, for bounded waits in driver tests:
 * {@link #elapse()} fires every sleep pending now, whatever its duration, and {@link #sleepers}
 * tells the test when the code under test has started waiting, so nothing depends on how long
 * anything takes.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of the client it times.
 */
public final class ManualTime implements Time {
    private final List<Resolver<Void>> sleeping = new ArrayList<>();
    private final List<Watcher> watchers = new ArrayList<>();
    private final List<Duration> asked = new ArrayList<>();

    private record Watcher(int count, Resolver<Void> resolver) {}

    /** A time on which nothing is sleeping. */
    public ManualTime() {}

    @Override
    public Promise<Void> sleep(Duration duration) {
        Resolver<Void> sleeper = Promise.task();
        sleeper.promise().onCancel(() -> sleeping.remove(sleeper));
        sleeping.add(sleeper);
        asked.add(duration);
        wakeWatchers();
        return sleeper.promise();
    }

    /** Fires every sleep pending now (sleeps begun by what they wake wait for the next call). */
    public void elapse() {
        List<Resolver<Void>> due = new ArrayList<>(sleeping);
        sleeping.clear();
        for (Resolver<Void> sleeper : due) {
            sleeper.resolve(null);
        }
    }

    /** Fulfilled once at least {@code count} sleeps are pending. */
    public Promise<Void> sleepers(int count) {
        if (sleeping.size() >= count) {
            return Promise.unit();
        }
        Resolver<Void> resolver = Promise.pending();
        watchers.add(new Watcher(count, resolver));
        return resolver.promise();
    }

    /** The durations asked for so far, in order. */
    public List<Duration> asked() {
        return List.copyOf(asked);
    }

    private void wakeWatchers() {
        List<Watcher> ready = new ArrayList<>();
        watchers.removeIf(watcher -> watcher.count() <= sleeping.size() && ready.add(watcher));
        ready.forEach(watcher -> watcher.resolver().resolve(null));
    }
}
