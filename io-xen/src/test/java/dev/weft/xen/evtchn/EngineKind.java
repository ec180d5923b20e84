package dev.weft.xen.evtchn;

import dev.weft.loop.Loop;
import dev.weft.unix.epoll.EpollEngine;
import java.util.function.Function;

/** The two ways a loop serves event channels; loop tests run under both. */
enum EngineKind {
    /** A loop on a {@link XenEngine}: ports are the loop's readiness sources. */
    XEN {
        @Override
        LoopOn build(Loop.Builder builder, EventChannelDevice device) {
            XenEngine engine = new XenEngine(device);
            return new LoopOn(builder.engine(engine).build(), loop -> EventChannels.on(loop, engine));
        }
    },
    /** A loop on io-unix's epoll engine with the device's fd among its sources. */
    EPOLL {
        @Override
        LoopOn build(Loop.Builder builder, EventChannelDevice device) {
            return new LoopOn(builder.engine(new EpollEngine()).build(), loop -> EventChannels.on(loop, device));
        }
    };

    /** Builds a loop that can serve {@code device}'s event channels; any thread. */
    abstract LoopOn build(Loop.Builder builder, EventChannelDevice device);

    /**
     * A loop, and how to make its event channels (call that on the loop thread).
     *
     * @param loop the loop, not yet bound to a thread
     * @param channels makes the loop's event channels; loop thread
     */
    record LoopOn(Loop loop, Function<Loop, EventChannels> channels) {
        /** Makes the event channels on the calling thread, which becomes the loop thread. */
        EventChannels channelsHere() {
            return channels.apply(loop);
        }
    }
}
