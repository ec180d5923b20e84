package dev.weft.loop;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * A JFR event for one loop iteration: its duration, what each step ran and how long it blocked.
 * Recorded by default only for iterations longer than 20 ms (blocked time included); set the
 * threshold to {@code 0 ms} to see every one. Made, filled and committed by the loop thread,
 * and made only while a recording has the event enabled ({@link #beginIfEnabled()}): with JFR off
 * an iteration allocates nothing for it, whatever the JIT inlines into the iteration.
 */
@Name("dev.weft.loop.Iteration")
@Label("Loop Iteration")
@Category({"Weft", "Loop"})
@Description("One event-loop iteration: pause rounds, inbox tasks, timers fired, readiness callbacks, time blocked")
@StackTrace(false)
@Threshold("20 ms")
final class IterationEvent extends Event {

    /**
     * Asked whether the event type is enabled; never begun or committed. {@link Event#isEnabled()}
     * is an instance method, but its answer is the type's (a recording is running and has the
     * event enabled), so one shared instance serves every loop thread.
     */
    private static final IterationEvent TYPE = new IterationEvent();

    @Label("Loop")
    String loop;

    @Label("Pause Rounds")
    @Description("Rounds of paused promises run in step 1 (more than 1: the engine poll was put off)")
    int pauseRounds;

    @Label("Paused Promises Woken")
    int pausedWoken;

    @Label("Inbox Tasks")
    int inboxTasks;

    @Label("Timers Fired")
    int timersFired;

    @Label("Readiness Callbacks")
    int readinessCallbacks;

    @Label("Poll Timeout")
    @Description("The timeout the engine was polled with: 0 when work was ready, negative for no limit")
    @Timespan(Timespan.NANOSECONDS)
    long pollTimeout;

    @Label("Blocked")
    @Description("Time spent waiting in the engine (a poll with timeout 0 counts as busy)")
    @Timespan(Timespan.NANOSECONDS)
    long blocked;

    /**
     * A begun event if a recording has this event type enabled, else null. Why not always {@code
     * new} and {@code shouldCommit()}: that leaves the allocation to escape analysis, which removes
     * the unused event only when the JIT compiles the whole iteration as one piece; when the
     * readiness dispatch inlines a request path it may not, and every iteration would allocate
     * the event, about 80 B, with JFR off.
     */
    static IterationEvent beginIfEnabled() {
        if (!TYPE.isEnabled()) {
            return null;
        }
        IterationEvent event = new IterationEvent();
        event.begin();
        return event;
    }

    /** Fills the fields; called only when the event will be committed. */
    void record(String loopName, int rounds, int woken, int tasks, int timers, int ready, long timeout, long blockedNanos) {
        this.loop = loopName;
        this.pauseRounds = rounds;
        this.pausedWoken = woken;
        this.inboxTasks = tasks;
        this.timersFired = timers;
        this.readinessCallbacks = ready;
        this.pollTimeout = timeout;
        this.blocked = blockedNanos;
    }
}
