package dev.weft.xen.ring;

import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannels;
import java.util.function.Supplier;

/**
 * Drives one ring end from its event channel, level-style: read the port's counter, poll, then
 * wait until the counter passes what was read. An event that arrives while the ring is being
 * polled has already moved the counter, so the next wait returns at once and the ring is looked
 * at again: no wakeup is lost, and an event is only ever a reason to look (never trusted).
 */
final class RingEvents {
    private RingEvents() {}

    /**
     * Polls now and after every event on {@code port}, until the ring breaks (the promise is then
     * rejected with the {@link RingBroken}) or the returned promise is cancelled.
     */
    static Promise<Void> drive(EventChannels channels, int port, Runnable poll, Supplier<RingBroken> failure) {
        return pollThenWait(channels, port, poll, failure, channels.counter(port));
    }

    private static Promise<Void> pollThenWait(EventChannels channels, int port, Runnable poll,
                                              Supplier<RingBroken> failure, long seen) {
        poll.run();
        RingBroken broken = failure.get();
        if (broken != null) {
            return Promise.rejected(broken);
        }
        return channels.after(port, seen).flatMap(now -> pollThenWait(channels, port, poll, failure, now));
    }
}
