package example.pending;

import dev.weft.loop.Loop;
import dev.weft.promise.Mutex;
import dev.weft.promise.PendingReport;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.promise.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The program dev.weft.loop.PendingDumpTest forks with {@code -Dweft.debug=true}: application code
 * with stuck promises, outside Weft's packages so that the report names it. The first argument
 * names the scenario.
 */
public final class PendingDumpProbe {
    /** How many stuck "connections" the stuckServer scenario makes. */
    public static final int CONNECTIONS = 10_000;

    private PendingDumpProbe() {}

    /**
     * Runs a scenario and prints its report, then one {@code GROUP} line per group.
     *
     * @param args the scenario's name
     */
    public static void main(String[] args) throws Exception {
        try (Loop loop = Loop.create()) {
            PendingReport report = switch (args[0]) {
                case "stuckServer" -> stuckServer(loop);
                case "settledLeave" -> settledLeave(loop);
                case "otherThread" -> otherThread(loop);
                case "ages" -> ages(loop);
                default -> throw new IllegalArgumentException(args[0]);
            };
            System.out.print(report);
            for (PendingReport.Group group : report.groups()) {
                System.out.println("GROUP " + group.waitsOn() + "|" + group.madeBy() + "|" + group.calledFrom()
                        + "|" + group.count() + "|" + group.oldest().toNanos() + "|" + group.newest().toNanos()
                        + "|" + group.example());
            }
        }
    }

    /** Ten thousand "connections", each a chain waiting on a long sleep, plus a combinator, a
     * pause, a lock and a stream read. */
    private static PendingReport stuckServer(Loop loop) {
        return loop.run(Promise.apply(() -> {
            List<Promise<String>> connections = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                connections.add(awaitRequest(loop));
            }
            Promise<List<String>> everyone = Promise.all(connections);
            Promise.pause();
            Mutex mutex = new Mutex();
            mutex.lock();
            Promise<Void> secondLock = mutex.lock();
            Promise<Optional<String>> nothingYet = Stream.<String>create().stream().get();
            return Promise.of(loop.dumpPending()).andFinally(() -> {
                everyone.cancel();
                secondLock.cancel();
                nothingYet.cancel();
                return Promise.unit();
            });
        }));
    }

    private static Promise<String> awaitRequest(Loop loop) {
        return loop.sleep(Duration.ofMinutes(5)).map(v -> "request");
    }

    /** Promises that were resolved or cancelled are not in the report. */
    private static PendingReport settledLeave(Loop loop) {
        return loop.run(Promise.apply(() -> {
            List<Resolver<Integer>> resolvers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                resolvers.add(Promise.task());
            }
            Promise<Void> sleeping = loop.sleep(Duration.ofMinutes(5));
            resolvers.forEach(r -> r.resolve(1));
            sleeping.cancel();
            Resolver<Integer> stillWaiting = Promise.task();
            return Promise.of(loop.dumpPending()).andFinally(() -> {
                stillWaiting.promise().cancel();
                return Promise.unit();
            });
        }));
    }

    /** How long the oldest gap between the two sleeps of the ages scenario is, at the least. */
    public static final Duration AGE_GAP = Duration.ofMillis(200);

    /**
     * Two sleeps made at one place, {@link #AGE_GAP} apart (the clock is made to move: the ages
     * are what is being reported), then the dump: their group's oldest and newest differ by that.
     */
    private static PendingReport ages(Loop loop) {
        return loop.run(Promise.apply(() -> {
            List<Promise<String>> requests = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                requests.add(awaitRequest(loop));
                long made = System.nanoTime(); // after the first was made, so the gap is at least AGE_GAP
                while (i == 0 && System.nanoTime() - made < AGE_GAP.toNanos()) {
                    Thread.onSpinWait();
                }
            }
            return Promise.of(loop.dumpPending()).andFinally(() -> {
                requests.forEach(Promise::cancel);
                return Promise.unit();
            });
        }));
    }

    /** Promises made by another thread (another loop's) are not this loop's. */
    private static PendingReport otherThread(Loop loop) throws InterruptedException {
        List<Resolver<Integer>> elsewhere = new ArrayList<>();
        Thread other = new Thread(() -> {
            for (int i = 0; i < 50; i++) {
                elsewhere.add(Promise.task());
            }
        });
        other.start();
        other.join();
        return loop.run(Promise.apply(() -> {
            Resolver<Integer> mine = Promise.task();
            return Promise.of(loop.dumpPending()).andFinally(() -> {
                mine.promise().cancel();
                return Promise.unit();
            });
        }));
    }
}
