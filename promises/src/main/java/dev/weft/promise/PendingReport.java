package dev.weft.promise;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of the promises a loop's thread made that are still pending, grouped by what they
 * wait on and where they were made, so that a server with 10,000 stuck connections reads as a few
 * lines with counts rather than 10,000 lines. Immutable; {@link #toString()} is the readable form.
 *
 * <p>Only debug mode ({@code -Dweft.debug=true}) records where promises are made; without it the
 * report is empty and says so ({@link #debugMode()} is false). A promise that nothing references
 * any more can still appear until the garbage collector has collected it: the registry holds
 * promises weakly, so that keeping it costs no memory leak.
 *
 * @param heading the first line of the text form (which loop, when)
 * @param debugMode whether pending promises were being recorded
 * @param groups the groups, those waiting on the outside world first, then the chains waiting
 *     on them; within each kind the largest first
 */
public record PendingReport(String heading, boolean debugMode, List<Group> groups) {

    /** Copies {@code groups}. */
    public PendingReport {
        Objects.requireNonNull(heading, "heading");
        groups = List.copyOf(groups);
    }

    /** What a pending promise is waiting for. */
    public enum WaitsOn {
        /**
         * Its resolver: a leaf of a chain, settled from outside the promise core (a timer, a
         * socket's readiness, a stream, a mutex, a pause, or user code holding a {@link Resolver}).
         */
        ITS_RESOLVER,
        /** One other promise: a {@code flatMap}, {@code map}, {@code recover} or similar stage. */
        ANOTHER_PROMISE,
        /** Several other promises: a combinator ({@code all}, {@code join}, {@code pick}, ...). */
        SEVERAL_PROMISES
    }

    /**
     * Pending promises that wait on the same kind of thing and were made at the same place.
     *
     * @param waitsOn what they wait for
     * @param madeBy where they were made: the Weft call the application made for a leaf (a
     *     socket read, a sleep, a lock, a stream read), or the application's own line for a stage
     *     or combinator it called
     * @param calledFrom the first frame outside Weft's own modules, the application code behind
     *     {@code madeBy}, or {@code "?"} if none was found near it
     * @param count how many promises are in the group (at least one)
     * @param oldest how long the oldest of them has been pending
     * @param newest how long the youngest of them has been pending
     * @param example what the oldest waits on, as its driver describes it (a timer's deadline, a
     *     file descriptor), or null if its driver gives no description
     */
    public record Group(WaitsOn waitsOn, String madeBy, String calledFrom, int count,
            Duration oldest, Duration newest, String example) {}

    /** How many pending promises the report counts, over all groups. */
    public int total() {
        int total = 0;
        for (Group group : groups) {
            total += group.count();
        }
        return total;
    }

    /** The readable form: the heading, then one line per group with its count and ages. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(heading).append('\n');
        if (!debugMode) {
            return text.append("  (pending promises are recorded only with -Dweft.debug=true)\n").toString();
        }
        text.append("  ").append(total()).append(" pending promises in ").append(groups.size()).append(" groups\n");
        WaitsOn section = null;
        for (Group group : groups) {
            if (group.waitsOn() != section) {
                section = group.waitsOn();
                text.append(switch (section) {
                    case ITS_RESOLVER -> "  waiting on the outside world (timers, I/O, streams, locks, resolvers):\n";
                    case ANOTHER_PROMISE -> "  stages waiting on another promise:\n";
                    case SEVERAL_PROMISES -> "  combinators waiting on several promises:\n";
                });
            }
            text.append(String.format("    %6d x made at %s%n", group.count(), group.madeBy()));
            if (!group.calledFrom().equals(group.madeBy())) {
                text.append("             for ").append(group.calledFrom()).append('\n');
            }
            text.append(String.format("             pending for %s to %s%n", seconds(group.newest()),
                    seconds(group.oldest())));
            if (group.example() != null) {
                text.append("             oldest waits on: ").append(group.example()).append('\n');
            }
        }
        return text.toString();
    }

    private static String seconds(Duration duration) {
        return String.format("%.3f s", duration.toNanos() / 1e9);
    }
}
