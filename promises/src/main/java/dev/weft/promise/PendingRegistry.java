package dev.weft.promise;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The pending-promise report of {@link LoopHooks#pendingReport}, in debug mode only: where each
 * promise made pending came from (found by the same stack walk that gives its async-trace site, and
 * kept in {@link Debug}'s side table), grouped by what it waits on. Costs nothing when debug mode is
 * off: every call is guarded by {@link Debug#ENABLED}, a static final the JIT folds.
 */
final class PendingRegistry {
    /** Packages of the runtime's own modules: a frame in one of them is not the user's code. */
    private static final List<String> RUNTIME_PACKAGES = List.of("dev.weft.promise.", "dev.weft.loop.",
            "dev.weft.unix.", "dev.weft.xen.", "dev.weft.reactor.");
    /** How deep the walk looks for the application's frame: deep enough for any driver, bounded for speed. */
    private static final int MAX_FRAMES = 48;

    private PendingRegistry() {}

    /**
     * Where a promise being made pending comes from.
     *
     * @param site its async-trace site, as {@link AsyncTrace#callSite()} gives it (null when the
     *     core made it through a function the user passed by reference)
     * @param madeBy the runtime call the application made (a sleep, a read, a lock), or the
     *     application's own frame for a chain stage
     * @param calledFrom the application's frame behind {@code madeBy}, or null if none was near
     */
    record Creation(StackTraceElement site, StackTraceElement madeBy, StackTraceElement calledFrom) {}

    /** One walk of the creating thread's stack, from the promise's constructor outwards. */
    static Creation walk() {
        return StackWalker.getInstance().walk(stack -> {
            String api = null;
            boolean fromDrain = false;
            boolean siteFound = false;
            StackTraceElement site = null;
            StackTraceElement firstOutsideCore = null;
            StackTraceElement entryPoint = null; // the last runtime frame before the application's
            for (StackWalker.StackFrame frame : (Iterable<StackWalker.StackFrame>) stack.limit(MAX_FRAMES)::iterator) {
                String className = frame.getClassName();
                if (AsyncTrace.isCore(className)) {
                    if (!siteFound) {
                        api = frame.getMethodName();
                        fromDrain |= className.equals(Resolution.class.getName());
                    }
                    continue;
                }
                StackTraceElement element = frame.toStackTraceElement();
                if (!siteFound) {
                    siteFound = true;
                    site = fromDrain ? null : AsyncTrace.labelled(element, api);
                }
                if (!isRuntime(className)) {
                    return new Creation(site, entryPoint == null ? element : entryPoint, element);
                }
                if (firstOutsideCore == null) {
                    firstOutsideCore = element;
                }
                entryPoint = element;
            }
            return new Creation(site, firstOutsideCore, null);
        });
    }

    /** Attaches a description of what {@code promise} waits on. Only called when {@link Debug#ENABLED}. */
    static void describe(Promise<?> promise, Supplier<String> description) {
        Debug.Origin origin = Debug.originOf(promise);
        if (origin != null) {
            origin.description = description;
        }
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
        for (Map.Entry<Promise<?>, Debug.Origin> entry : Debug.snapshot()) {
            Promise<?> promise = entry.getKey();
            Debug.Origin origin = entry.getValue();
            if (promise == null || origin.madeBy == null || origin.owner != owner || promise.state != Promise.PENDING) {
                continue; // collected meanwhile, made resolved, another loop's, settled, or a proxy of a pending one
            }
            GroupKey key = new GroupKey(waitKind(promise), text(origin.madeBy), text(origin.calledFrom));
            tallies.computeIfAbsent(key, k -> new GroupTally()).add(now - origin.madeNanos, describe(promise, origin));
        }
        List<PendingReport.Group> groups = new ArrayList<>();
        tallies.forEach((key, tally) -> groups.add(tally.toGroup(key)));
        groups.sort(Comparator.comparing(PendingReport.Group::waitsOn)
                .thenComparing(Comparator.comparingInt(PendingReport.Group::count).reversed()));
        return new PendingReport(heading, true, groups);
    }

    /** What a pending promise waits on, from how it propagates cancellation (see Promise's field notes). */
    private static PendingReport.WaitsOn waitKind(Promise<?> promise) {
        return switch (promise.howToCancel) {
            case Promise.PROPAGATE_ONE -> PendingReport.WaitsOn.ANOTHER_PROMISE;
            case Promise.PROPAGATE_SEVERAL -> PendingReport.WaitsOn.SEVERAL_PROMISES;
            default -> PendingReport.WaitsOn.ITS_RESOLVER;
        };
    }

    private static String describe(Promise<?> promise, Debug.Origin origin) {
        Supplier<String> description = origin.description;
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
        Debug.Origin origin = Debug.originOf(input);
        return origin == null || origin.madeBy == null ? null : "the promise made at " + text(origin.madeBy);
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
