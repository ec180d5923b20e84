package dev.weft.loop;

/**
 * One timer scheduled on a {@link TimerWheel}, and the handle that cancels it: a deadline, the
 * payload the loop attached to it, and an id unique within its wheel.
 *
 * <p><b>Threading: confined to its wheel's loop thread.</b>
 *
 * <p>A handle is never reused: each is made with the next id from its wheel's 64-bit counter
 * ({@link TimerWheel#newId()}) and scheduled once, so cancelling a stale handle (one that already
 * fired or was cancelled) is a harmless no-op and can never hit a later timer (no ABA). The
 * mutable fields are the wheel's intrusive list links; only {@link TimerWheel} and {@link
 * TimerList} touch them.
 *
 * <p>Two kinds, so that the loop's timers cost one object each: a {@link Plain} timer carries
 * any payload ({@link TimerWheel#schedule(long, Object)} makes it); an {@link Alarm}, a sleep or
 * timeout of the loop, is its own payload, the wheel's node and what the timer does in one.
 */
abstract sealed class Timer<T> permits Timer.Plain, Alarm {

    /** {@link #where} of a timer that has fired or been cancelled: in no list, never again. */
    static final int DONE = -1;
    /** {@link #where} of a due timer on the list {@link TimerWheel#expire} is firing. */
    static final int FIRING = -2;
    /** {@link #where} of a timer scheduled during expire, due at once, held for the next call. */
    static final int DEFERRED = -3;

    final TimerWheel<T> wheel;
    final long id;
    final long deadlineNanos;

    /** The wheel tick the timer is filed under; never below the wheel's current tick. */
    long tick;
    /** The index of the slot holding the timer, or {@link #DONE}, {@link #FIRING}, {@link #DEFERRED}. */
    int where;
    /** List links; the head's {@code prev} is the tail, the tail's {@code next} is null. */
    Timer<T> prev;
    Timer<T> next;

    Timer(TimerWheel<T> wheel, long id, long deadlineNanos) {
        this.wheel = wheel;
        this.id = id;
        this.deadlineNanos = deadlineNanos;
    }

    /** The monotonic time ({@link Clock#nanoTime()} scale) at or after which the timer fires. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** What the loop attached when it scheduled the timer (a promise resolver, a callback...). */
    abstract T payload();

    /** The timer's id: unique within its wheel, increasing in scheduling order, never reused. */
    long id() {
        return id;
    }

    /** True until the timer fires or is cancelled. */
    boolean isPending() {
        return where != DONE;
    }

    /** Whether this timer fires before {@code other}: earlier deadline, then earlier scheduled. */
    boolean firesBefore(Timer<?> other) {
        return deadlineNanos < other.deadlineNanos
                || (deadlineNanos == other.deadlineNanos && id < other.id);
    }

    @Override
    public String toString() {
        return "Timer[id=" + id + ", deadline=" + deadlineNanos + " ns"
                + (isPending() ? "" : ", done") + "]";
    }

    /** A timer carrying a payload of any kind. */
    static final class Plain<T> extends Timer<T> {
        private final T payload;

        Plain(TimerWheel<T> wheel, long id, long deadlineNanos, T payload) {
            super(wheel, id, deadlineNanos);
            this.payload = payload;
        }

        @Override
        T payload() {
            return payload;
        }
    }
}
