package dev.weft.promise;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Where and when each pending promise was made, in debug mode only, for {@link
 * LoopHooks#pendingReport}: a side table with weak keys, like {@link Debug}'s, so that it keeps no
 * promise alive and costs nothing when debug mode is off (every call is guarded by {@link
 * Debug#ENABLED}, a static final the JIT folds).
 */
final class PendingRegistry {
    /** Packages of the runtime's own modules: a frame in one of them is not the user's code. */
    private static final List<String> RUNTIME_PACKAGES = List.of("dev.weft.promise.", "dev.weft.loop.",
            "dev.weft.unix.", "dev.weft.xen.", "dev.weft.reactor.");
    private static final String SELF = PendingRegistry.class.getName();
    /** How deep the walk looks for the user's frame: deep enough for any driver, bounded for speed. */
    private static final int MAX_FRAMES = 48;

    /**
     * Made by {@code maker}, the runtime call the application made (a sleep, a read, a lock) or the
     * application's own frame for a chain stage, and called from {@code caller}, the application.
     */
    private record Origin(Thread owner, StackTraceElement maker, StackTraceElement caller, long madeNanos) {}

    private static final Map<Promise<?>, Origin> ORIGINS =
            Debug.ENABLED ? Collections.synchronizedMap(new WeakHashMap<>()) : Map.of();
    private static final Map<Promise<?>, Supplier<String>> DESCRIPTIONS =
            Debug.ENABLED ? Collections.synchronizedMap(new WeakHashMap<>()) : Map.of();

    private PendingRegistry() {}

    /** Records where {@code promise}, made pending, comes from. Only called when {@link Debug#ENABLED}. */
    static void recordPending(Promise<?> promise) {
        StackTraceElement[] frames = StackWalker.getInstance().walk(stack -> {
            StackTraceElement firstOutsideCore = null;
            StackTraceElement entryPoint = null; // the last runtime frame before the application's
            for (StackWalker.StackFrame frame : (Iterable<StackWalker.StackFrame>) stack.limit(MAX_FRAMES)::iterator) {
                String className = frame.getClassName();
                if (className.equals(SELF) || AsyncTrace.isCore(className)) {
                    continue;
                }
                StackTraceElement element = frame.toStackTraceElement();
                if (!isRuntime(className)) {
                    return new StackTraceElement[] {entryPoint == null ? element : entryPoint, element};
                }
                if (firstOutsideCore == null) {
                    firstOutsideCore = element;
                }
                entryPoint = element;
            }
            return new StackTraceElement[] {firstOutsideCore, null};
        });
        ORIGINS.put(promise, new Origin(Thread.currentThread(), frames[0], frames[1], System.nanoTime()));
    }

    /** Attaches a description of what {@code promise} waits on. Only called when {@link Debug#ENABLED}. */
    static void describe(Promise<?> promise, Supplier<String> description) {
        DESCRIPTIONS.put(promise, description);
    }

    private static boolean isRuntime(String className) {
        for (String runtimePackage : RUNTIME_PACKAGES) {
            if (className.startsWith(runtimePackage)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The promises made on the calling thread that are still pending and not yet collected,
     * grouped. Call on the thread that owns them: it reads their states.
     */
    static PendingReport report(String heading) {
        if (!Debug.ENABLED) {
            return new PendingReport(heading, false, List.of());
        }
        Thread owner = Thread.currentThread();
        long now = System.nanoTime();
        Map<GroupKey, GroupTally> tallies = new LinkedHashMap<>();
        for (Map.Entry<Promise<?>, Origin> entry : snapshot()) {
            Promise<?> promise = entry.getKey();
            Origin origin = entry.getValue();
            if (promise == null || origin.owner() != owner || promise.state != Promise.PENDING) {
                continue; // collected meanwhile, another loop's, resolved, or a proxy of another pending one
            }
            GroupKey key = new GroupKey(waitKind(promise), text(origin.maker()), text(origin.caller()));
            tallies.computeIfAbsent(key, k -> new GroupTally()).add(now - origin.madeNanos(), describe(promise));
        }
        List<PendingReport.Group> groups = new ArrayList<>();
        tallies.forEach((key, tally) -> groups.add(tally.toGroup(key)));
        groups.sort(Comparator.comparing(PendingReport.Group::waitsOn)
                .thenComparing(Comparator.comparingInt(PendingReport.Group::count).reversed()));
        return new PendingReport(heading, true, groups);
    }

    private static List<Map.Entry<Promise<?>, Origin>> snapshot() {
        synchronized (ORIGINS) {
            return new ArrayList<>(ORIGINS.entrySet());
        }
    }

    /** What a pending promise waits on, from how it propagates cancellation (see Promise's field notes). */
    private static PendingReport.WaitsOn waitKind(Promise<?> promise) {
        return switch (promise.howToCancel) {
            case Promise.PROPAGATE_ONE -> PendingReport.WaitsOn.ANOTHER_PROMISE;
            case Promise.PROPAGATE_SEVERAL -> PendingReport.WaitsOn.SEVERAL_PROMISES;
            default -> PendingReport.WaitsOn.ITS_RESOLVER;
        };
    }

    private static String describe(Promise<?> promise) {
        Supplier<String> description = DESCRIPTIONS.get(promise);
        if (description == null) {
            return promise.howToCancel == Promise.PROPAGATE_ONE && promise.value instanceof Promise<?> input
                    ? describeInput(input.resolvedRoot())
                    : null;
        }
        try {
            return description.get();
        } catch (RuntimeException e) { // a diagnostic must not fail the dump
            return "(description failed: " + e + ")";
        }
    }

    /** A stage's input, by where it was made: the link from a stage group to the group it waits on. */
    private static String describeInput(Promise<?> input) {
        Origin origin = ORIGINS.get(input);
        return origin == null ? null : "the promise made at " + text(origin.maker());
    }

    private static String text(StackTraceElement frame) {
        return frame == null ? "?" : frame.toString();
    }

    private record GroupKey(PendingReport.WaitsOn waitsOn, String madeBy, String calledFrom) {}

    /** Count and ages of one group, and the description of its oldest member as the example. */
    private static final class GroupTally {
        int count;
        long oldestNanos = -1;
        long newestNanos = Long.MAX_VALUE;
        String example;

        void add(long ageNanos, String description) {
            count++;
            if (ageNanos > oldestNanos) {
                oldestNanos = ageNanos;
                example = description;
            }
            newestNanos = Math.min(newestNanos, ageNanos);
        }

        PendingReport.Group toGroup(GroupKey key) {
            return new PendingReport.Group(key.waitsOn(), key.madeBy(), key.calledFrom(), count,
                    Duration.ofNanos(oldestNanos), Duration.ofNanos(newestNanos), example);
        }
    }
}
