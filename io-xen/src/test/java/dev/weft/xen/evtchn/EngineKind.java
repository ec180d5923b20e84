package dev.weft.xen.evtchn;

import dev.weft.loop.Loop;
import dev.weft.unix.epoll.EpollEngine;

/** The two ways a loop serves event channels; loop tests run under both. */
enum EngineKind {
    /** A loop on a {@link XenEngine}: ports are the loop's readiness sources. */
    XEN {
        @Override
        EventChannels open(Loop.Builder builder, EventChannelDevice device, Loop[] loop) {
            XenEngine engine = new XenEngine(device);
            loop[0] = builder.engine(engine).build();
            return EventChannels.on(loop[0], engine);
        }
    },
    /** A loop on io-unix's epoll engine with the device's fd among its sources. */
    EPOLL {
        @Override
        EventChannels open(Loop.Builder builder, EventChannelDevice device, Loop[] loop) {
            loop[0] = builder.engine(new EpollEngine()).build();
            return EventChannels.on(loop[0], device);
        }
    };

    /** Builds a loop into {@code loop[0]} and returns event channels of {@code device} on it; loop thread. */
    abstract EventChannels open(Loop.Builder builder, EventChannelDevice device, Loop[] loop);
}
