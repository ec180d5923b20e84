package dev.weft.unix.net;

import dev.weft.loop.Loop;

/**
 * The engine events one socket is watched for, changed only when they really change so that the
 * engine (an epoll_ctl each time) is told nothing it knows already. Loop thread only.
 *
 * <p>Not final: {@link SocketFlow}'s subclass is also the socket's readiness handler, so that the
 * engine reaches the flow through an object the flow touches anyway (see {@code SocketFlow.Readiness}).
 */
class Interest {

    private final Loop loop;
    /** The socket; its source number is read when the interest changes (on NIO it has one only once registered). */
    private final Endpoint endpoint;
    private int events;
    private boolean stopped;

    Interest(Loop loop, Endpoint endpoint) {
        this.loop = loop;
        this.endpoint = endpoint;
    }

    /** Adds {@code event} ({@code Engine.READABLE} or {@code WRITABLE}) if it is not watched yet. */
    void add(int event) {
        if ((events & event) == 0 && !stopped) {
            events |= event;
            loop.modify(endpoint.source(), events);
        }
    }

    /** Removes {@code event} if it is watched. */
    void remove(int event) {
        if ((events & event) != 0 && !stopped) {
            events &= ~event;
            loop.modify(endpoint.source(), events);
        }
    }

    /** The source was unregistered: nothing may be changed any more. */
    void stop() {
        stopped = true;
    }
}
