package dev.weft.loop;

import java.util.Arrays;

/**
 * A hierarchical timer wheel: the loop's timers, with O(1) schedule and cancel, the earliest
 * deadline in O(levels), and catch-up after a long block in time proportional to the timers it
 * touches, not to the ticks that passed.
 *
 * <p><b>Threading: confined to the loop thread.</b> Handlers run on that thread, inside {@link
 * #expire}, and may schedule and cancel timers on this wheel, but may not call {@code expire}.
 *
 * <p>Contract:
 * <ul>
 *   <li>A timer never fires early: it fires in the first {@link #expire} call whose {@code
 *       nowNanos >= deadlineNanos}, whatever the tick. The wheel adds no lateness of its own; how
 *       late a timer fires is how late the loop calls {@code expire}.
 *   <li>One {@code expire} call fires its timers in firing order: deadline, then scheduling order.
 *   <li>A timer scheduled while {@code expire} runs, with a deadline at or before that call's
 *       {@code nowNanos}, does not fire in that call but in the next one; {@link #nextDeadline()}
 *       reports it, so the loop polls without blocking. This bounds every call (a handler that
 *       re-arms itself at "now" cannot starve I/O) and gives I/O its turn, as Node's timers do.
 *       Timers scheduled then with a later deadline are filed as usual.
 *   <li>Cancelling removes the timer at once: {@link #size()} drops and it never fires, even if
 *       it was due in the {@code expire} call now running.
 * </ul>
 *
 * <p>Deadlines are {@link Clock#nanoTime()} values compared as signed longs; {@link
 * #NO_DEADLINE} ({@code Long.MAX_VALUE}) is a valid deadline that fires only at that time, so
 * "never" needs no timer at all.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>The design is Tokio's: {@value #LEVELS} levels of {@value #SLOTS} slots. Time is counted in
 * ticks of {@code tickNanos} since the wheel's origin; a slot at level {@code L} spans {@code
 * 64^L} ticks. {@code elapsed} is the tick of the latest {@code expire}. A timer whose tick
 * agrees with {@code elapsed} in every base-64 digit above digit {@code L}, and differs in digit
 * {@code L}, lives at level {@code L} in the slot named by its digit {@code L}. So level 0 holds
 * the timers of the current 64-tick block (one tick per slot), level 1 those of the current
 * 4096-tick block but a later 64-tick one, and so on; eleven levels cover every non-negative
 * long, so no deadline is clamped and none is too far away.
 *
 * <p>Two facts follow and the rest is built on them. Every timer at a lower level fires before
 * every timer at a higher one; and within a level, occupied slots all lie at or after {@code
 * elapsed}'s digit, so the earliest is the lowest set bit of the level's {@code occupied} mask.
 * Hence the earliest slot is found in O(levels) without scanning empty slots, and {@code expire}
 * jumps from one occupied slot to the next: a level-0 slot fires its due timers; a higher slot
 * is "cascaded", moving {@code elapsed} to its start and refiling its timers, which then land at
 * lower levels. A timer is refiled at most once per level, so catching up after any gap costs
 * O(levels + timers fired + timers cascaded), never one step per tick ({@link #slotsProcessed()}
 * counts the steps so tests can check this).
 *
 * <p>Exactness: a level-0 slot holds one tick, but its timers keep their nanosecond deadlines.
 * The slot is sorted into firing order when it is fired (a flag records whether an append broke
 * the order, so a sorted slot is not sorted again), its due prefix is split off in O(fired), and
 * the rest stays. {@code slotMin} is the least deadline ever filed in each slot since it was last
 * emptied or fired: exact unless the timer holding it was cancelled, and then lower, never
 * higher. {@link #nextDeadline()} returns the earliest slot's {@code slotMin}, so the loop never
 * oversleeps; a wake-up at a stale value costs one pass that refreshes it, so it never spins.
 *
 * <p>The tick ({@code tickNanos}, 1 ms by default) is therefore a cost knob, not a precision
 * limit: a finer tick puts fewer timers in each slot to sort, a coarser one refiles long timers
 * fewer times.
 */
final class TimerWheel<T> {

    /** What {@link #nextDeadline()} returns when no timer is pending. */
    static final long NO_DEADLINE = Long.MAX_VALUE;
    /** The default tick: one millisecond, as in Tokio and as fine as {@code epoll_wait}'s timeout. */
    static final long DEFAULT_TICK_NANOS = 1_000_000L;

    /** Called for each timer that fires. Runs on the loop thread, inside {@link #expire}. */
    @FunctionalInterface
    interface ExpiryHandler<T> {
        /** The timer has fired: its deadline is at or before the {@code expire} call's now. */
        void onExpiry(Timer<T> timer);
    }

    private static final int SLOT_BITS = 6;
    private static final int SLOTS = 1 << SLOT_BITS;
    private static final int SLOT_MASK = SLOTS - 1;
    /** 11 levels of 6 bits cover the 63 bits of a non-negative tick. */
    private static final int LEVELS = 11;

    private final long originNanos;
    private final long tickNanos;
    /** Slot heads, level by level: slot {@code i} of level {@code L} is at {@code L * 64 + i}. */
    private final Timer<T>[] slots;
    /** Least deadline filed in each slot since it was last emptied or fired (see class notes). */
    private final long[] slotMin;
    /** Whether an append may have put a slot out of firing order. */
    private final boolean[] unsorted;
    /** Per level, bit {@code i} is set iff slot {@code i} is non-empty. */
    private final long[] occupied = new long[LEVELS];

    /** The tick of the latest expire; every filed timer's tick is at least this. */
    private long elapsed;
    private long nextId = 1;
    private int size;
    private long slotsProcessed;

    // State of the expire call now running, if any.
    private boolean expiring;
    private long expiringNowNanos;
    private Timer<T> firing;
    private Timer<T> deferred;
    private long deferredMin = NO_DEADLINE;

    /** A wheel with a 1 ms tick whose origin is {@code originNanos}, normally the clock's now. */
    TimerWheel(long originNanos) {
        this(originNanos, DEFAULT_TICK_NANOS);
    }

    /**
     * A wheel whose ticks are {@code tickNanos} long and counted from {@code originNanos}.
     *
     * @throws IllegalArgumentException if {@code tickNanos} is not positive
     */
    TimerWheel(long originNanos, long tickNanos) {
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("TimerWheel tick must be positive, was "
                    + tickNanos + " ns (the default is " + DEFAULT_TICK_NANOS + ")");
        }
        this.originNanos = originNanos;
        this.tickNanos = tickNanos;
        @SuppressWarnings("unchecked") // an array of a generic type is created erased
        Timer<T>[] heads = (Timer<T>[]) new Timer<?>[LEVELS * SLOTS];
        this.slots = heads;
        this.slotMin = new long[LEVELS * SLOTS];
        Arrays.fill(slotMin, NO_DEADLINE);
        this.unsorted = new boolean[LEVELS * SLOTS];
    }

    /** The tick length in nanoseconds. */
    long tickNanos() {
        return tickNanos;
    }

    /** The number of pending timers: scheduled, not yet fired, not cancelled. */
    int size() {
        return size;
    }

    /**
     * Schedules a timer that fires once {@code expire} is called with a time at or after {@code
     * deadlineNanos}; a deadline already past fires in the next call. O(1); allocates the handle.
     *
     * @return the handle that cancels the timer; never reused for another timer
     */
    Timer<T> schedule(long deadlineNanos, T payload) {
        Timer<T> timer = new Timer.Plain<>(this, newId(), deadlineNanos, payload);
        schedule(timer);
        return timer;
    }

    /** The id for a timer about to be made for this wheel: the next of a counter, never reused. */
    long newId() {
        return nextId++;
    }

    /**
     * Schedules {@code timer}, made for this wheel with {@link #newId()} and never scheduled
     * before, as {@link #schedule(long, Object)} does. O(1); allocates nothing.
     */
    void schedule(Timer<T> timer) {
        long deadlineNanos = timer.deadlineNanos;
        timer.tick = tickOf(deadlineNanos);
        size++;
        if (expiring && deadlineNanos <= expiringNowNanos) {
            defer(timer);
        } else {
            file(timer);
        }
    }

    /**
     * Cancels {@code timer} at once: it will not fire and {@link #size()} drops. O(1).
     *
     * @return true if the timer was pending, false if it had already fired or been cancelled
     * @throws IllegalArgumentException if the timer belongs to another wheel
     */
    boolean cancel(Timer<T> timer) {
        if (timer.wheel != this) {
            throw new IllegalArgumentException(timer + " belongs to another TimerWheel;"
                    + " cancel it on the loop that scheduled it");
        }
        int where = timer.where;
        if (where == Timer.DONE) {
            return false;
        }
        if (where >= 0) {
            unfile(timer, where);
        } else if (where == Timer.FIRING) {
            firing = TimerList.unlink(firing, timer);
        } else {
            deferred = TimerList.unlink(deferred, timer);
        }
        timer.where = Timer.DONE;
        size--;
        return true;
    }

    /**
     * The earliest pending deadline, or {@link #NO_DEADLINE} if none: never later than the true
     * earliest, and equal to it unless a cancellation left a stale lower value (see the class
     * notes), which the next {@code expire} at or after it refreshes. O(levels).
     */
    long nextDeadline() {
        long earliest = deferred == null ? NO_DEADLINE : deferredMin;
        if (firing != null) {
            earliest = Math.min(earliest, firing.deadlineNanos);
        }
        int slot = earliestSlot();
        return slot < 0 ? earliest : Math.min(earliest, slotMin[slot]);
    }

    /**
     * Fires, in firing order, every pending timer whose deadline is at or before {@code
     * nowNanos}, except those scheduled during this call (see the class contract). If a handler
     * throws, the timers not yet fired stay pending and the exception propagates.
     *
     * @return the number of timers fired
     * @throws IllegalStateException if called from a handler
     */
    int expire(long nowNanos, ExpiryHandler<T> handler) {
        if (expiring) {
            throw new IllegalStateException("TimerWheel.expire called from a timer handler;"
                    + " handlers may schedule and cancel timers but not expire them");
        }
        long nowTick = tickOf(nowNanos);
        expiring = true;
        expiringNowNanos = nowNanos;
        int fired = 0;
        try {
            for (int slot = dueSlot(nowNanos, nowTick); slot >= 0; slot = dueSlot(nowNanos, nowTick)) {
                fired += process(slot, nowNanos, handler);
            }
            elapsed = Math.max(elapsed, nowTick);
        } finally {
            expiring = false;
            refileHeld();
        }
        return fired;
    }

    /** Slots taken out for firing or cascading since the wheel was made; a cost measure for tests. */
    long slotsProcessed() {
        return slotsProcessed;
    }

    // ---------------------------------------------------------------------------------------
    // Filing

    /** Files {@code timer} at its level and slot relative to {@code elapsed}. */
    private void file(Timer<T> timer) {
        long tick = Math.max(timer.tick, elapsed);
        timer.tick = tick;
        int level = levelOf(tick);
        int slot = level * SLOTS + (int) ((tick >>> (level * SLOT_BITS)) & SLOT_MASK);
        Timer<T> head = slots[slot];
        if (head == null) {
            occupied[level] |= 1L << (slot & SLOT_MASK);
        } else if (timer.firesBefore(head.prev)) {
            unsorted[slot] = true;
        }
        slots[slot] = TimerList.append(head, timer);
        slotMin[slot] = Math.min(slotMin[slot], timer.deadlineNanos);
        timer.where = slot;
    }

    private void unfile(Timer<T> timer, int slot) {
        Timer<T> head = TimerList.unlink(slots[slot], timer);
        slots[slot] = head;
        if (head == null) {
            markEmpty(slot);
        }
    }

    private void markEmpty(int slot) {
        occupied[slot / SLOTS] &= ~(1L << (slot & SLOT_MASK));
        slotMin[slot] = NO_DEADLINE;
        unsorted[slot] = false;
    }

    private void defer(Timer<T> timer) {
        deferred = TimerList.append(deferred, timer);
        deferredMin = Math.min(deferredMin, timer.deadlineNanos);
        timer.where = Timer.DEFERRED;
    }

    /** Files the timers held aside by the expire call that is ending: deferred, or left unfired by a throw. */
    private void refileHeld() {
        refileAll(firing);
        firing = null;
        refileAll(deferred);
        deferred = null;
        deferredMin = NO_DEADLINE;
    }

    private void refileAll(Timer<T> head) {
        Timer<T> timer = head;
        while (timer != null) {
            Timer<T> next = timer.next;
            timer.prev = null;
            timer.next = null;
            file(timer);
            timer = next;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Expiry

    /** The earliest occupied slot, or -1: the lowest set bit of the lowest non-empty level. */
    private int earliestSlot() {
        for (int level = 0; level < LEVELS; level++) {
            long bits = occupied[level];
            if (bits != 0) {
                return level * SLOTS + Long.numberOfTrailingZeros(bits);
            }
        }
        return -1;
    }

    /** The earliest slot if it has work for an expire at this time, else -1. */
    private int dueSlot(long nowNanos, long nowTick) {
        int slot = earliestSlot();
        if (slot < 0) {
            return -1;
        }
        boolean due = slot < SLOTS
                ? slotMin[slot] <= nowNanos
                : startTick(slot) <= nowTick;
        return due ? slot : -1;
    }

    private int process(int slot, long nowNanos, ExpiryHandler<T> handler) {
        slotsProcessed++;
        elapsed = Math.max(elapsed, startTick(slot));
        if (slot >= SLOTS) {
            cascade(slot);
            return 0;
        }
        takeDue(slot, nowNanos);
        return fireAll(handler);
    }

    /** Refiles a higher-level slot's timers; with {@code elapsed} at the slot's start they land lower. */
    private void cascade(int slot) {
        Timer<T> head = slots[slot];
        slots[slot] = null;
        markEmpty(slot);
        refileAll(head);
    }

    /** Moves the due prefix of a level-0 slot, in firing order, to the firing list. */
    private void takeDue(int slot, long nowNanos) {
        Timer<T> head = slots[slot];
        if (unsorted[slot]) {
            head = TimerList.sort(head);
            unsorted[slot] = false;
        }
        Timer<T> later = head;
        while (later != null && later.deadlineNanos <= nowNanos) {
            later.where = Timer.FIRING;
            later = later.next;
        }
        if (later == head) {
            slots[slot] = head;
        } else {
            firing = head;
            slots[slot] = later == null ? null : TimerList.splitBefore(head, later);
        }
        if (slots[slot] == null) {
            markEmpty(slot);
        } else {
            slotMin[slot] = slots[slot].deadlineNanos; // sorted, so this is exact again
        }
    }

    /** Fires the firing list head first; a handler may cancel timers still on it. */
    private int fireAll(ExpiryHandler<T> handler) {
        int fired = 0;
        while (firing != null) {
            Timer<T> timer = firing;
            firing = TimerList.unlink(firing, timer);
            timer.where = Timer.DONE;
            size--;
            fired++;
            handler.onExpiry(timer);
        }
        return fired;
    }

    // ---------------------------------------------------------------------------------------
    // Tick arithmetic

    /**
     * The tick holding {@code nanos}: whole ticks since the origin, 0 for times before it. The
     * difference saturates, so deadlines such as {@code Long.MAX_VALUE} do not wrap.
     */
    private long tickOf(long nanos) {
        long sinceOrigin = nanos - originNanos;
        boolean overflowed = ((nanos ^ originNanos) & (nanos ^ sinceOrigin)) < 0;
        if (overflowed) {
            return nanos < originNanos ? 0 : Long.MAX_VALUE / tickNanos;
        }
        return sinceOrigin <= 0 ? 0 : sinceOrigin / tickNanos;
    }

    /** The level of a tick: the base-64 digit of its highest difference from {@code elapsed}. */
    private int levelOf(long tick) {
        long differing = (elapsed ^ tick) | SLOT_MASK;
        int highestBit = Long.SIZE - 1 - Long.numberOfLeadingZeros(differing);
        return highestBit / SLOT_BITS;
    }

    /** The first tick of a slot: {@code elapsed}'s digits above the level, the slot's digit, zeros. */
    private long startTick(int slot) {
        int shift = (slot / SLOTS) * SLOT_BITS;
        int blockShift = shift + SLOT_BITS;
        long block = blockShift >= Long.SIZE ? 0 : elapsed & (-1L << blockShift);
        return block | ((long) (slot & SLOT_MASK) << shift);
    }
}
