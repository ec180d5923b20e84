package dev.weft.unix.net;

import dev.weft.loop.Loop;

/**
 * The engine events one socket is watched for, changed only when they really change so that the
 * engine (an epoll_ctl each time) is told nothing it knows already. Loop thread only.
 */
final class Interest {

    private final Loop loop;
    private final int source;
    private int events;
    private boolean stopped;

    Interest(Loop loop, int source) {
        this.loop = loop;
        this.source = source;
    }

    /** Adds {@code event} ({@code Engine.READABLE} or {@code WRITABLE}) if it is not watched yet. */
    void add(int event) {
        if ((events & event) == 0 && !stopped) {
            events |= event;
            loop.modify(source, events);
        }
    }

    /** Removes {@code event} if it is watched. */
    void remove(int event) {
        if ((events & event) != 0 && !stopped) {
            events &= ~event;
            loop.modify(source, events);
        }
    }

    /** The source was unregistered: nothing may be changed any more. */
    void stop() {
        stopped = true;
    }
}
