package dev.weft.xen.ring;

import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannels;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Drives one ring end from its event channel, level-style: read the port's counter, poll, then
 * wait until the counter passes what was read. An event that arrives while the ring is being
 * polled has already moved the counter, so the next wait returns at once and the ring is looked
 * at again: no wakeup is lost, and an event is only ever a reason to look (never trusted). A
 * poll that used up its turn with work left polls again on the loop's next turn instead of
 * waiting: the peer owes no event for what is already in the ring.
 */
final class RingEvents {
    private RingEvents() {}

    /**
     * Polls now, after every event on {@code port}, and on the next turn while {@code moreToDo}
     * says a poll left work, until the ring breaks (the promise is then
     * rejected with the {@link RingBroken}) or the returned promise is cancelled.
     */
    static Promise<Void> drive(EventChannels channels, int port, Runnable poll, BooleanSupplier moreToDo,
                               Supplier<RingBroken> failure) {
        return pollThenWait(channels, port, poll, moreToDo, failure, channels.counter(port));
    }

    private static Promise<Void> pollThenWait(EventChannels channels, int port, Runnable poll,
                                              BooleanSupplier moreToDo, Supplier<RingBroken> failure, long seen) {
        poll.run();
        RingBroken broken = failure.get();
        if (broken != null) {
            return Promise.rejected(broken);
        }
        if (moreToDo.getAsBoolean()) {
            return Promise.pause().flatMap(v -> pollThenWait(channels, port, poll, moreToDo, failure,
                    channels.counter(port)));
        }
        return channels.after(port, seen).flatMap(now -> pollThenWait(channels, port, poll, moreToDo, failure, now));
    }
}
